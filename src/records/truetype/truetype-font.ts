/**
 * A TrueType font reader: what a PDF writer needs to measure text and embed a subset (records/pdf.ts).
 *
 * Reads the table directory and the tables `head`, `hhea`, `maxp`, `hmtx`, `loca`, `glyf` (raw glyph data and the
 * components of composite glyphs), `cmap` (formats 4 and 12, the Unicode subtables), `post` (italic angle, fixed
 * pitch), `OS/2` (cap height, weight, embedding permission) and `name` (the PostScript name and the copyright).
 * Everything else (kerning, GSUB/GPOS layout, hinting programs) is kept as raw bytes and never interpreted.
 * References are to the OpenType specification 1.9 (the TrueType tables are the same as Apple's).
 */

export interface TableRecord {
  readonly tag: string;
  readonly checksum: number;
  readonly offset: number;
  readonly length: number;
}

export interface TrueTypeFont {
  /** The font file, as read. */
  readonly data: Buffer;
  readonly tables: ReadonlyMap<string, TableRecord>;
  readonly unitsPerEm: number;
  /** `head.indexToLocFormat`: 0 short offsets (÷2), 1 long. */
  readonly indexToLocFormat: number;
  readonly bbox: readonly [number, number, number, number];
  readonly ascender: number;
  readonly descender: number;
  /** From OS/2 when present, else the ascender. */
  readonly capHeight: number;
  readonly italicAngle: number;
  readonly fixedPitch: boolean;
  readonly weightClass: number;
  /** OS/2 `fsType`: 0x0002 restricted licence embedding; the writer refuses to embed such a font. */
  readonly embeddingFlags: number;
  readonly numGlyphs: number;
  readonly postScriptName: string;
  readonly copyright: string;
  /** Bytes of a table, or null when the font has none. */
  table(tag: string): Buffer | null;
  /** The glyph of a Unicode code point (0, `.notdef`, when the font has none). */
  glyphOf(codePoint: number): number;
  /** Whether the font has a glyph for the code point. */
  has(codePoint: number): boolean;
  /** Advance width in font units. */
  advanceOf(glyph: number): number;
  /** Left side bearing in font units. */
  leftSideBearingOf(glyph: number): number;
  /** The glyph's bytes in `glyf` (empty for a glyph without outline, e.g. the space). */
  glyphData(glyph: number): Buffer;
  /** The glyphs a composite glyph is made of (empty for a simple glyph). */
  componentsOf(glyph: number): number[];
  /** Every code point the cmap maps, with its glyph. */
  readonly cmap: ReadonlyMap<number, number>;
}

export class FontFormatError extends Error {
  override readonly name = 'FontFormatError';
}

/** `glyf` composite flags (OpenType `glyf` table, "Composite glyph description"). */
export const COMPOSITE = {
  ARG_1_AND_2_ARE_WORDS: 0x0001,
  WE_HAVE_A_SCALE: 0x0008,
  MORE_COMPONENTS: 0x0020,
  WE_HAVE_AN_X_AND_Y_SCALE: 0x0040,
  WE_HAVE_A_TWO_BY_TWO: 0x0080,
  WE_HAVE_INSTRUCTIONS: 0x0100,
} as const;

/** Offsets of the glyph index fields in a composite glyph's bytes (for renumbering when subsetting). */
export function compositeComponents(glyph: Buffer): Array<{ readonly glyph: number; readonly indexOffset: number }> {
  if (glyph.length < 10 || glyph.readInt16BE(0) >= 0) return [];
  const components: Array<{ glyph: number; indexOffset: number }> = [];
  let offset = 10;
  for (;;) {
    if (offset + 4 > glyph.length) throw new FontFormatError('composite glyph cut short');
    const flags = glyph.readUInt16BE(offset);
    components.push({ glyph: glyph.readUInt16BE(offset + 2), indexOffset: offset + 2 });
    offset += 4 + (flags & COMPOSITE.ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & COMPOSITE.WE_HAVE_A_SCALE) offset += 2;
    else if (flags & COMPOSITE.WE_HAVE_AN_X_AND_Y_SCALE) offset += 4;
    else if (flags & COMPOSITE.WE_HAVE_A_TWO_BY_TWO) offset += 8;
    if (!(flags & COMPOSITE.MORE_COMPONENTS)) return components;
  }
}

/** The OpenType table checksum: the sum of its big-endian uint32 words, zero-padded, modulo 2³². */
export function tableChecksum(bytes: Buffer): number {
  let sum = 0;
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + bytes.readUInt32BE(i)) >>> 0;
  if (whole < bytes.length) {
    const tail = Buffer.alloc(4);
    bytes.copy(tail, 0, whole);
    sum = (sum + tail.readUInt32BE(0)) >>> 0;
  }
  return sum;
}

function readCmap(cmap: Buffer): Map<number, number> {
  const count = cmap.readUInt16BE(2);
  const subtables: Array<{ platform: number; encoding: number; offset: number; format: number }> = [];
  for (let i = 0; i < count; i++) {
    const record = 4 + i * 8;
    const offset = cmap.readUInt32BE(record + 4);
    subtables.push({ platform: cmap.readUInt16BE(record), encoding: cmap.readUInt16BE(record + 2), offset, format: cmap.readUInt16BE(offset) });
  }
  // Unicode subtables, the full repertoire (format 12) first: Windows (3,10), Unicode (0,4/6); then the BMP (format 4).
  const unicode = (s: (typeof subtables)[number]) => (s.platform === 3 && (s.encoding === 1 || s.encoding === 10)) || s.platform === 0;
  const chosen = subtables.find((s) => unicode(s) && s.format === 12) ?? subtables.find((s) => unicode(s) && s.format === 4);
  if (!chosen) throw new FontFormatError('the font has no Unicode cmap subtable of format 4 or 12');
  const map = new Map<number, number>();
  const at = chosen.offset;
  if (chosen.format === 12) {
    const groups = cmap.readUInt32BE(at + 12);
    for (let i = 0; i < groups; i++) {
      const group = at + 16 + i * 12;
      const start = cmap.readUInt32BE(group);
      const end = cmap.readUInt32BE(group + 4);
      const first = cmap.readUInt32BE(group + 8);
      for (let code = start; code <= end; code++) map.set(code, first + code - start);
    }
    return map;
  }
  const segments = cmap.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let i = 0; i < segments; i++) {
    const end = cmap.readUInt16BE(ends + i * 2);
    const start = cmap.readUInt16BE(starts + i * 2);
    const delta = cmap.readInt16BE(deltas + i * 2);
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + i * 2);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (code + delta) & 0xffff;
      else {
        // The offset is from the idRangeOffset word itself, into glyphIdArray.
        const glyphAt = rangeOffsets + i * 2 + rangeOffset + (code - start) * 2;
        glyph = cmap.readUInt16BE(glyphAt);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) map.set(code, glyph);
    }
  }
  return map;
}

/** A `name` table string (Windows UTF-16BE first, else Macintosh Roman read as Latin-1). */
function readName(name: Buffer | null, id: number): string {
  if (!name) return '';
  const count = name.readUInt16BE(2);
  const strings = name.readUInt16BE(4);
  let fallback = '';
  for (let i = 0; i < count; i++) {
    const record = 6 + i * 12;
    if (name.readUInt16BE(record + 6) !== id) continue;
    const platform = name.readUInt16BE(record);
    const length = name.readUInt16BE(record + 8);
    const bytes = name.subarray(strings + name.readUInt16BE(record + 10), strings + name.readUInt16BE(record + 10) + length);
    if (platform === 3 || platform === 0) return Buffer.from(bytes).swap16().toString('utf16le');
    if (platform === 1 && !fallback) fallback = bytes.toString('latin1');
  }
  return fallback;
}

/** Parses a TrueType (glyf-outline) font. Throws `FontFormatError` for a CFF font, a collection, or a cut file. */
export function parseTrueType(data: Buffer): TrueTypeFont {
  if (data.length < 12) throw new FontFormatError('not a font: too short');
  const version = data.readUInt32BE(0);
  if (version !== 0x00010000 && version !== 0x74727565) throw new FontFormatError(`not a TrueType font (sfnt version 0x${version.toString(16)})`);
  const tables = new Map<string, TableRecord>();
  const numTables = data.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + i * 16;
    const tag = data.toString('latin1', record, record + 4);
    const entry = { tag, checksum: data.readUInt32BE(record + 4), offset: data.readUInt32BE(record + 8), length: data.readUInt32BE(record + 12) };
    if (entry.offset + entry.length > data.length) throw new FontFormatError(`table ${tag} runs past the end of the file`);
    tables.set(tag, entry);
  }
  const table = (tag: string): Buffer | null => {
    const entry = tables.get(tag);
    return entry ? data.subarray(entry.offset, entry.offset + entry.length) : null;
  };
  const required = (tag: string): Buffer => {
    const bytes = table(tag);
    if (!bytes) throw new FontFormatError(`the font has no ${tag} table`);
    return bytes;
  };

  const head = required('head');
  if (head.readUInt32BE(12) !== 0x5f0f3cf5) throw new FontFormatError('head: wrong magic number');
  const unitsPerEm = head.readUInt16BE(18);
  const bbox = [head.readInt16BE(36), head.readInt16BE(38), head.readInt16BE(40), head.readInt16BE(42)] as const;
  const indexToLocFormat = head.readInt16BE(50);
  const hhea = required('hhea');
  const numberOfHMetrics = hhea.readUInt16BE(34);
  const numGlyphs = required('maxp').readUInt16BE(4);
  const hmtx = required('hmtx');
  const loca = required('loca');
  const glyf = required('glyf');
  const post = table('post');
  const os2 = table('OS/2');
  const name = table('name');
  const cmap = readCmap(required('cmap'));

  const locaOf = (glyph: number) => (indexToLocFormat === 0 ? loca.readUInt16BE(glyph * 2) * 2 : loca.readUInt32BE(glyph * 4));
  const glyphData = (glyph: number): Buffer => {
    if (glyph < 0 || glyph >= numGlyphs) return Buffer.alloc(0);
    return glyf.subarray(locaOf(glyph), locaOf(glyph + 1));
  };
  const advanceOf = (glyph: number) => hmtx.readUInt16BE(Math.min(glyph, numberOfHMetrics - 1) * 4);
  const leftSideBearingOf = (glyph: number) =>
    glyph < numberOfHMetrics ? hmtx.readInt16BE(glyph * 4 + 2) : hmtx.readInt16BE(numberOfHMetrics * 4 + (glyph - numberOfHMetrics) * 2);

  return {
    data,
    tables,
    unitsPerEm,
    indexToLocFormat,
    bbox,
    ascender: hhea.readInt16BE(4),
    descender: hhea.readInt16BE(6),
    // OS/2 version 2 and later carry sCapHeight at offset 88.
    capHeight: os2 && os2.readUInt16BE(0) >= 2 && os2.length >= 90 ? os2.readInt16BE(88) : hhea.readInt16BE(4),
    italicAngle: post ? post.readInt32BE(4) / 65536 : 0,
    fixedPitch: post ? post.readUInt32BE(12) !== 0 : false,
    weightClass: os2 ? os2.readUInt16BE(4) : 400,
    embeddingFlags: os2 ? os2.readUInt16BE(8) : 0,
    numGlyphs,
    postScriptName: readName(name, 6) || 'Font',
    copyright: readName(name, 0),
    table,
    glyphOf: (codePoint) => cmap.get(codePoint) ?? 0,
    has: (codePoint) => cmap.has(codePoint),
    advanceOf,
    leftSideBearingOf,
    glyphData,
    componentsOf: (glyph) => compositeComponents(glyphData(glyph)).map((c) => c.glyph),
    cmap,
  };
}
