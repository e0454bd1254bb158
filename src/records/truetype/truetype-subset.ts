/**
 * A TrueType subsetter: a new font with only the glyphs a document uses, renumbered from 0 in the order given
 * (glyph 0, `.notdef`, stays first), plus the components of the composite glyphs among them, appended.
 *
 * Written tables: `head` (long `loca`, checksum adjustment recomputed), `hhea` and `maxp` (glyph counts), `hmtx`
 * (one full metric per glyph), `loca`, `glyf` (composite components renumbered), a `cmap` format 4 of the BMP code
 * points given (so the subset reads back like any font), `post` format 3 (no glyph names), a short `name` (the
 * copyright and the names: the DejaVu/Bitstream Vera licence asks that its notices go with every copy), and
 * `OS/2`, `cvt `, `fpgm`, `prep` copied as they are (the glyphs' hinting instructions call the font program).
 * Kerning and OpenType layout tables are left out: the PDF writer places every glyph itself.
 */
import { compositeComponents, FontFormatError, tableChecksum, type TrueTypeFont } from './truetype-font.js';

export interface FontSubset {
  /** The subset font program (a TrueType file). */
  readonly data: Buffer;
  /** The original glyph of each new glyph id. */
  readonly glyphs: readonly number[];
}

const pad4 = (bytes: Buffer) => (bytes.length % 4 === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(4 - (bytes.length % 4))]));

/** A `cmap` with one Windows Unicode BMP subtable, format 4: one segment per run of consecutive codes and glyphs. */
function buildCmap(codes: ReadonlyMap<number, number>): Buffer {
  const bmp = [...codes].filter(([code]) => code < 0xffff).sort((a, b) => a[0] - b[0]);
  const segments: Array<{ start: number; end: number; delta: number }> = [];
  for (const [code, glyph] of bmp) {
    const last = segments.at(-1);
    if (last && code === last.end + 1 && glyph - code === last.delta) last.end = code;
    else segments.push({ start: code, end: code, delta: glyph - code });
  }
  segments.push({ start: 0xffff, end: 0xffff, delta: 1 });
  const count = segments.length;
  const length = 16 + count * 8;
  const sub = Buffer.alloc(length);
  const searchRange = 2 * 2 ** Math.floor(Math.log2(count));
  sub.writeUInt16BE(4, 0);
  sub.writeUInt16BE(length, 2);
  sub.writeUInt16BE(0, 4);
  sub.writeUInt16BE(count * 2, 6);
  sub.writeUInt16BE(searchRange, 8);
  sub.writeUInt16BE(Math.log2(searchRange / 2), 10);
  sub.writeUInt16BE(count * 2 - searchRange, 12);
  segments.forEach((segment, i) => {
    sub.writeUInt16BE(segment.end, 14 + i * 2);
    sub.writeUInt16BE(segment.start, 16 + count * 2 + i * 2);
    sub.writeUInt16BE(segment.delta & 0xffff, 16 + count * 4 + i * 2);
    // idRangeOffset 0: glyph = code + delta (mod 65536).
  });
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(1, 2);
  header.writeUInt16BE(3, 4);
  header.writeUInt16BE(1, 6);
  header.writeUInt32BE(12, 8);
  return Buffer.concat([header, sub]);
}

/** A `name` table of Windows English records (UTF-16BE) for the given ids. */
function buildName(strings: ReadonlyArray<readonly [number, string]>): Buffer {
  const present = strings.filter(([, value]) => value !== '');
  const header = Buffer.alloc(6 + present.length * 12);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(present.length, 2);
  header.writeUInt16BE(header.length, 4);
  const bodies: Buffer[] = [];
  let offset = 0;
  present.forEach(([id, value], i) => {
    const body = Buffer.from(value, 'utf16le').swap16();
    const record = 6 + i * 12;
    header.writeUInt16BE(3, record);
    header.writeUInt16BE(1, record + 2);
    header.writeUInt16BE(0x409, record + 4);
    header.writeUInt16BE(id, record + 6);
    header.writeUInt16BE(body.length, record + 8);
    header.writeUInt16BE(offset, record + 10);
    bodies.push(body);
    offset += body.length;
  });
  return Buffer.concat([header, ...bodies]);
}

/** Reads a name string from the original (for the subset's own `name` table). */
function originalName(font: TrueTypeFont, id: number): string {
  const name = font.table('name');
  if (!name) return '';
  const count = name.readUInt16BE(2);
  const strings = name.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const record = 6 + i * 12;
    if (name.readUInt16BE(record) === 3 && name.readUInt16BE(record + 6) === id) {
      const start = strings + name.readUInt16BE(record + 10);
      return Buffer.from(name.subarray(start, start + name.readUInt16BE(record + 8))).swap16().toString('utf16le');
    }
  }
  return '';
}

/**
 * The subset of `glyphs` (original ids; the first must be 0). `codes` maps code points to the *new* glyph ids,
 * for the subset's cmap. Glyph ids beyond the list (composite components) are appended in the order met.
 */
export function subsetTrueType(font: TrueTypeFont, glyphs: readonly number[], codes: ReadonlyMap<number, number> = new Map()): FontSubset {
  if (glyphs[0] !== 0) throw new FontFormatError('a subset starts with glyph 0 (.notdef)');
  const order = [...glyphs];
  const newId = new Map<number, number>(order.map((glyph, i) => [glyph, i]));
  // Composite components, and theirs, until closed.
  for (let i = 0; i < order.length; i++) {
    for (const component of font.componentsOf(order[i]!)) {
      if (!newId.has(component)) {
        newId.set(component, order.length);
        order.push(component);
      }
    }
  }
  if (order.length > 0xffff) throw new FontFormatError('too many glyphs');

  const glyphBodies: Buffer[] = [];
  const loca = Buffer.alloc((order.length + 1) * 4);
  let offset = 0;
  order.forEach((original, i) => {
    let body: Buffer = Buffer.from(font.glyphData(original));
    for (const component of compositeComponents(body)) body.writeUInt16BE(newId.get(component.glyph)!, component.indexOffset);
    body = pad4(body);
    loca.writeUInt32BE(offset, i * 4);
    glyphBodies.push(body);
    offset += body.length;
  });
  loca.writeUInt32BE(offset, order.length * 4);
  const glyf = Buffer.concat(glyphBodies);

  const hmtx = Buffer.alloc(order.length * 4);
  order.forEach((original, i) => {
    hmtx.writeUInt16BE(font.advanceOf(original), i * 4);
    hmtx.writeInt16BE(font.leftSideBearingOf(original), i * 4 + 2);
  });

  const head = Buffer.from(font.table('head')!);
  head.writeUInt32BE(0, 8); // checkSumAdjustment, set once the file is assembled
  head.writeInt16BE(1, 50); // indexToLocFormat: long offsets
  const hhea = Buffer.from(font.table('hhea')!);
  hhea.writeUInt16BE(order.length, 34);
  const maxp = Buffer.from(font.table('maxp')!);
  maxp.writeUInt16BE(order.length, 4);
  const originalPost = font.table('post');
  const post = Buffer.alloc(32);
  if (originalPost) originalPost.copy(post, 0, 0, 32);
  post.writeUInt32BE(0x00030000, 0); // format 3: no glyph names

  const tables = new Map<string, Buffer>([
    ['cmap', buildCmap(codes)],
    ['glyf', glyf],
    ['head', head],
    ['hhea', hhea],
    ['hmtx', hmtx],
    ['loca', loca],
    ['maxp', maxp],
    ['name', buildName([0, 1, 2, 3, 4, 5, 6].map((id) => [id, originalName(font, id)] as const))],
    ['post', post],
  ]);
  for (const tag of ['OS/2', 'cvt ', 'fpgm', 'prep']) {
    const bytes = font.table(tag);
    if (bytes) tables.set(tag, Buffer.from(bytes));
  }
  const data = assemble(tables);
  // head.checkSumAdjustment = 0xB1B0AFBA − the checksum of the whole file (OpenType `head`).
  const headOffset = findTableOffset(data, 'head');
  data.writeUInt32BE((0xb1b0afba - tableChecksum(data)) >>> 0, headOffset + 8);
  return { data, glyphs: order };
}

function findTableOffset(data: Buffer, tag: string): number {
  const count = data.readUInt16BE(4);
  for (let i = 0; i < count; i++) if (data.toString('latin1', 12 + i * 16, 16 + i * 16) === tag) return data.readUInt32BE(12 + i * 16 + 8);
  throw new FontFormatError(`no ${tag}`);
}

/** The sfnt file: offset table, table records sorted by tag, tables 4-byte aligned. */
function assemble(tables: ReadonlyMap<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const count = tags.length;
  const header = Buffer.alloc(12 + count * 16);
  const entrySelector = Math.floor(Math.log2(count));
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(2 ** entrySelector * 16, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(count * 16 - 2 ** entrySelector * 16, 10);
  let offset = header.length;
  const bodies: Buffer[] = [];
  tags.forEach((tag, i) => {
    const bytes = tables.get(tag)!;
    const record = 12 + i * 16;
    header.write(tag, record, 'latin1');
    header.writeUInt32BE(tableChecksum(bytes), record + 4);
    header.writeUInt32BE(offset, record + 8);
    header.writeUInt32BE(bytes.length, record + 12);
    const padded = pad4(bytes);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}
