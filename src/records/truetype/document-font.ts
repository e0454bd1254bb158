/**
 * An embedded TrueType font as a PDF writer uses it: glyphs numbered per document as lines are drawn (CID = glyph
 * id of the subset, so `/CIDToGIDMap /Identity`), what each stands for (the ToUnicode map), then the PDF objects of
 * a Type 0 font with Identity-H encoding and a CIDFontType2 descendant (ISO 32000-1 §9.7, §9.9, §9.10.3).
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { ShapedLine } from './shape-line.js';
import { subsetTrueType } from './truetype-subset.js';
import type { TrueTypeFont } from './truetype-font.js';

/** The objects of one embedded font, each a PDF object body; `ref(i)` is filled in by the writer. */
export interface FontObjects {
  /** Type0 font (referenced from page resources), CIDFont, FontDescriptor, FontFile2, ToUnicode: in that order. */
  readonly bodies: (ref: (index: number) => string) => Buffer[];
  readonly baseFont: string;
}

/** A PDF string of UTF-16BE text in hex, without the BOM (for CMap destinations). */
const utf16Hex = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();
const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

const streamObject = (dictionary: string, data: Buffer) => {
  const compressed = deflateSync(data);
  return Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${compressed.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), compressed, Buffer.from('\nendstream', 'latin1')]);
};

/** ISO 32000-1 §9.10.3: a ToUnicode CMap, `bfchar` entries in blocks of at most 100. */
export function toUnicodeCMap(texts: ReadonlyMap<number, string>): string {
  const entries = [...texts].sort((a, b) => a[0] - b[0]);
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    blocks.push(`${block.length} beginbfchar\n${block.map(([cid, text]) => `<${hex4(cid)}> <${utf16Hex(text)}>`).join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

/** ISO 32000-1 §9.6.4: six upper-case letters and "+", here from the subset's glyphs (same subset, same tag). */
export function subsetTag(name: string, glyphs: readonly number[]): string {
  const digest = createHash('sha256').update(`${name}:${glyphs.join(',')}`).digest();
  return Array.from(digest.subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
}

export class DocumentFont {
  /** Original glyph ids in subset order; glyph 0 (.notdef) first. */
  private readonly glyphs: number[] = [0];
  private readonly ids = new Map<number, number>([[0, 0]]);
  private readonly texts = new Map<number, string>();
  /** Code points drawn, with their subset glyph (for the subset's own cmap). */
  private readonly codes = new Map<number, number>();

  constructor(readonly font: TrueTypeFont) {}

  get used(): boolean {
    return this.glyphs.length > 1;
  }

  /** The line's glyphs as a hex string of two-byte CIDs, for `Tj` with Identity-H. */
  encode(line: ShapedLine): string {
    let hex = '';
    for (const placed of line.glyphs) {
      let id = this.ids.get(placed.glyph);
      if (id === undefined) {
        id = this.glyphs.length;
        this.glyphs.push(placed.glyph);
        this.ids.set(placed.glyph, id);
      }
      // The first text a glyph stood for (one glyph, one meaning in a ToUnicode map).
      if (!this.texts.has(id) && placed.text !== '') this.texts.set(id, placed.text);
      if (this.font.glyphOf(placed.code) === placed.glyph && !this.codes.has(placed.code)) this.codes.set(placed.code, id);
      hex += hex4(id);
    }
    return `<${hex}>`;
  }

  /** The PDF objects of the subset (call once the document is laid out). */
  objects(): FontObjects {
    const font = this.font;
    const subset = subsetTrueType(font, this.glyphs, this.codes);
    const baseFont = `${subsetTag(font.postScriptName, subset.glyphs)}+${font.postScriptName.replace(/[^!-~]|[()<>[\]{}/%#]/g, '')}`;
    const scale = (units: number) => Math.round((units * 1000) / font.unitsPerEm);
    const widths = subset.glyphs.map((glyph) => scale(font.advanceOf(glyph)));
    const [xMin, yMin, xMax, yMax] = font.bbox.map(scale) as [number, number, number, number];
    // Flags (§9.8.2): Symbolic (bit 3), as the glyphs are addressed by CID, not by a standard Latin encoding.
    const flags = 4 | (font.fixedPitch ? 1 : 0) | (font.italicAngle !== 0 ? 64 : 0);
    // No stem width in TrueType: the usual estimate from the weight class.
    const stemV = Math.round(10 + 220 * ((font.weightClass - 50) / 900) ** 2);
    return {
      baseFont,
      bodies: (ref) => [
        Buffer.from(`<< /Type /Font /Subtype /Type0 /BaseFont /${baseFont} /Encoding /Identity-H /DescendantFonts [${ref(1)}] /ToUnicode ${ref(4)} >>`, 'latin1'),
        Buffer.from(
          `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${baseFont} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ` +
            `/FontDescriptor ${ref(2)} /DW ${widths[0]} /W [0 [${widths.join(' ')}]] /CIDToGIDMap /Identity >>`,
          'latin1',
        ),
        Buffer.from(
          `<< /Type /FontDescriptor /FontName /${baseFont} /Flags ${flags} /FontBBox [${xMin} ${yMin} ${xMax} ${yMax}] /ItalicAngle ${font.italicAngle} ` +
            `/Ascent ${scale(font.ascender)} /Descent ${scale(font.descender)} /CapHeight ${scale(font.capHeight)} /StemV ${stemV} /FontFile2 ${ref(3)} >>`,
          'latin1',
        ),
        streamObject(`/Length1 ${subset.data.length}`, subset.data),
        streamObject('', Buffer.from(toUnicodeCMap(this.texts), 'latin1')),
      ],
    };
  }
}
