import fs from 'node:fs';
import t from 'tap';
import { shapeArabic } from '../../src/records/truetype/arabic-shaping.js';
import { resolveBidi } from '../../src/records/truetype/bidi.js';
import { embeddedFont, fontPath } from '../../src/records/truetype/fonts.js';
import { shapeLine } from '../../src/records/truetype/shape-line.js';
import { FontFormatError, parseTrueType } from '../../src/records/truetype/truetype-font.js';
import { subsetTrueType } from '../../src/records/truetype/truetype-subset.js';
import { subsetTag, toUnicodeCMap } from '../../src/records/truetype/document-font.js';
import { checksumProblems, parseToUnicode } from './pdf-reader.js';

const code = (char: string) => char.codePointAt(0)!;

t.test('the TrueType reader on DejaVu Sans', async (t) => {
  const font = embeddedFont('regular');
  t.equal(embeddedFont('regular'), font, 'parsed once per process');
  t.not(embeddedFont('bold'), font);
  t.equal(font.postScriptName, 'DejaVuSans');
  t.equal(embeddedFont('bold').postScriptName, 'DejaVuSans-Bold');
  t.equal(font.unitsPerEm, 2048);
  t.equal(font.embeddingFlags & 0x2, 0, 'installable embedding');
  t.match(font.copyright, /Bitstream/);
  t.same(checksumProblems(fs.readFileSync(fontPath('regular'))), [], 'the checksums this test computes agree with the original file');
  for (const char of 'AЖΩŁİمא€') t.ok(font.has(code(char)), `has ${char}`);
  t.notOk(font.has(code('中')), 'no CJK');
  t.equal(font.glyphOf(code('中')), 0);
  t.ok(font.advanceOf(font.glyphOf(code('W'))) > font.advanceOf(font.glyphOf(code('i'))), 'advances from hmtx');
  t.same(font.componentsOf(font.glyphOf(code('Ż'))).length, 2, 'Ż is a composite: Z and a dot');
  t.throws(() => parseTrueType(Buffer.from('not a font at all')), FontFormatError);
  t.throws(() => parseTrueType(Buffer.concat([Buffer.from('OTTO'), Buffer.alloc(20)])), FontFormatError, 'CFF outlines are refused');
});

t.test('a subset keeps the glyphs asked for, their components, and reads back', async (t) => {
  const font = embeddedFont('regular');
  const chars = [...'AŻǺ ά'];
  const glyphs = [0, ...chars.map((c) => font.glyphOf(code(c)))];
  const codes = new Map(chars.map((c, i) => [code(c), i + 1]));
  const subset = subsetTrueType(font, glyphs, codes);
  t.same(checksumProblems(subset.data), [], 'table and file checksums');
  const back = parseTrueType(subset.data);
  t.same(subset.glyphs.slice(0, glyphs.length), glyphs, 'asked-for glyphs first, in order');
  t.equal(back.numGlyphs, subset.glyphs.length);
  t.ok(back.numGlyphs > glyphs.length, 'composite components appended');
  t.ok(subset.data.length < 12_000, `small: ${subset.data.length} bytes`);
  chars.forEach((c, i) => {
    t.equal(back.glyphOf(code(c)), i + 1, `the subset's cmap maps ${c}`);
    t.equal(back.advanceOf(i + 1), font.advanceOf(glyphs[i + 1]!), `${c}: same advance`);
    if (c !== ' ') t.ok(back.glyphData(i + 1).length > 10, `${c} has an outline`);
  });
  t.equal(back.glyphData(back.glyphOf(code(' '))).length, 0, 'the space has none');
  // Ǻ is Å (itself made of A and a ring) and an acute: every component renumbered to a glyph with the same outline.
  const seen = new Set<number>();
  const walk = (newGlyph: number) => {
    for (const component of back.componentsOf(newGlyph)) {
      t.ok(component < back.numGlyphs, 'component inside the subset');
      const original = subset.glyphs[component]!;
      t.same(back.glyphData(component).subarray(0, font.glyphData(original).length), font.glyphData(original), `component ${component} is original ${original}`);
      if (!seen.has(component)) {
        seen.add(component);
        walk(component);
      }
    }
  };
  walk(back.glyphOf(code('Ǻ')));
  t.ok(seen.size >= 2);
  t.throws(() => subsetTrueType(font, [5, 6]), FontFormatError, '.notdef first');
});

t.test('ToUnicode CMap and subset tag', async (t) => {
  const texts = new Map<number, string>(Array.from({ length: 150 }, (_, i) => [i + 1, String.fromCodePoint(0x400 + i)] as const));
  texts.set(151, 'لا');
  texts.set(152, '𝄞');
  const cmap = toUnicodeCMap(texts);
  t.equal(cmap.match(/beginbfchar/g)!.length, 2, 'blocks of at most 100 entries');
  t.same(parseToUnicode(cmap), texts, 'ligatures and astral characters (surrogate pairs) round-trip');
  const tag = subsetTag('DejaVuSans', [0, 5, 9]);
  t.match(tag, /^[A-Z]{6}$/);
  t.equal(subsetTag('DejaVuSans', [0, 5, 9]), tag, 'same subset, same tag');
  t.not(subsetTag('DejaVuSans', [0, 5, 10]), tag);
});

t.test('Arabic joining forms', async (t) => {
  const has = (c: number) => embeddedFont('regular').has(c);
  const shape = (text: string) => shapeArabic([...text].map(code), has);
  const hexes = (text: string) => shape(text).map((s) => s.code.toString(16).toUpperCase());
  t.same(hexes('محمد'), ['FEE3', 'FEA4', 'FEE4', 'FEAA'], 'initial, medial, medial, final');
  t.same(shape('محمد').map((s) => s.text).join(''), 'محمد', 'each form stands for its letter');
  t.same(hexes('سلام'), ['FEB3', 'FEFC', 'FEE1'], 'lam-alef ligature, final; meem after alef is isolated');
  t.same(shape('سلام')[1]!.text, 'لا', 'the ligature stands for two letters');
  t.same(hexes('لا'), ['FEFB'], 'isolated lam-alef');
  t.same(hexes('دار'), ['FEA9', 'FE8D', 'FEAD'], 'right-joining letters do not join forwards: all three isolated');
  t.same(hexes('بَب'), ['FE91', '64E', 'FE90'], 'a haraka is transparent to joining');
  t.same(hexes('ب ب'), ['FE8F', '20', 'FE8F'], 'a space breaks joining');
  t.same(hexes('پیک'), ['FB58', 'FBFF', 'FB8F'], 'Persian letters from Presentation Forms-A');
  t.same(hexes('Ab'), ['41', '62'], 'other scripts unchanged');
  t.same(shapeArabic([0x628, 0x628], () => false).map((s) => s.code), [0x628, 0x628], 'letters as they are when the font lacks the forms');
});

t.test('bidi: reading order to visual order', async (t) => {
  const visual = (text: string) => {
    const chars = [...text];
    return resolveBidi(chars.map(code)).order.map((i) => chars[i]).join('');
  };
  t.equal(visual('Hello world'), 'Hello world');
  t.equal(visual('שלום'), 'םולש', 'a right-to-left word reversed');
  t.equal(resolveBidi([...'שלום'].map(code)).paragraph, 1, 'paragraph direction from the first strong character');
  t.equal(visual('abc שלום עולם def'), 'abc םלוע םולש def', 'a right-to-left run inside left-to-right text');
  t.equal(visual('שלום 2026'), '2026 םולש', 'numbers stay left to right');
  t.equal(visual('שלום 28-11-2026'), '28-11-2026 םולש', 'a date keeps its separators (W4)');
  t.equal(visual('מחיר 50%'), '50% ריחמ', 'a percent sign goes with its number (W5)');
  t.equal(visual('abc 123'), 'abc 123');
  t.equal(visual('(אבג)'), ')גבא(', 'brackets reversed with their content (shapeLine draws them mirrored)');
  t.equal(visual('abc (2) שלום'), 'abc (2) םולש', 'brackets around a number take the direction around them (N0)');
});

t.test('a line as glyphs: normalisation, reordering, mirroring, replacement', async (t) => {
  const font = embeddedFont('regular');
  const decomposed = shapeLine(font, 'Dupre\u0301');
  t.equal(decomposed.glyphs.length, 5, 'e + combining acute becomes é (NFC)');
  t.equal(decomposed.glyphs[4]!.glyph, font.glyphOf(code('é')));
  t.equal(decomposed.width, [...'Dupré'].reduce((sum, c) => sum + font.advanceOf(font.glyphOf(code(c))), 0), 'width from hmtx');

  const arabic = shapeLine(font, 'محمد');
  t.ok(arabic.reordered);
  t.same(arabic.glyphs.map((g) => g.text).reverse().join(''), 'محمد', 'visual order: the last letter first');
  t.equal(arabic.glyphs[0]!.glyph, font.glyphOf(0xfeaa), 'final dal drawn leftmost');

  const brackets = shapeLine(font, 'אבג (דה)');
  t.same(brackets.glyphs.map((g) => g.text).join(''), '(הד) גבא', 'brackets mirrored in a right-to-left run');

  const cjk = shapeLine(font, 'Li 王小明');
  t.same(cjk.missing, ['王', '小', '明']);
  t.equal(cjk.glyphs.filter((g) => g.glyph === font.glyphOf(0xfffd)).length, 3, 'drawn as U+FFFD');
  t.equal(cjk.text, 'Li 王小明', 'the original kept for /ActualText');

  const controls = shapeLine(font, 'a\tb\u200Bc');
  t.equal(controls.glyphs.map((g) => g.text).join(''), 'a bc', 'a tab is a space; a zero-width space is nothing');
});
