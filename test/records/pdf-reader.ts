/**
 * Reads back the PDFs records/pdf.ts writes, independently of the writer: objects by number, Flate streams,
 * the fonts of each page (Type 0 → CIDFont → FontDescriptor → FontFile2, ToUnicode CMap) and every text line as
 * drawn: its position, font, CIDs, and the text the ToUnicode map gives for them (plus /ActualText when present).
 */
import { inflateSync } from 'node:zlib';

export interface PdfObject {
  readonly dictionary: string;
  /** The decompressed stream, when the object has one. */
  readonly stream: Buffer | null;
}

export interface PdfFont {
  readonly resource: string;
  readonly baseFont: string;
  readonly toUnicode: ReadonlyMap<number, string>;
  /** /W widths by CID (1/1000 em). */
  readonly widths: ReadonlyMap<number, number>;
  readonly fontFile: Buffer;
  readonly descriptor: string;
  readonly cidFont: string;
}

export interface PdfTextLine {
  readonly page: number;
  readonly font: string;
  readonly size: number;
  readonly x: number;
  readonly y: number;
  readonly cids: readonly number[];
  /** Each glyph's text through ToUnicode, in drawing (visual) order. */
  readonly glyphTexts: readonly string[];
  /** `glyphTexts` joined. */
  readonly text: string;
  readonly actualText: string | null;
}

export interface ReadPdf {
  readonly objects: ReadonlyMap<number, PdfObject>;
  readonly fonts: ReadonlyMap<string, PdfFont>;
  readonly lines: readonly PdfTextLine[];
  /** Every page's content stream, decompressed, joined. */
  readonly content: string;
}

const refOf = (dictionary: string, key: string): number | null => {
  const match = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dictionary);
  return match ? Number(match[1]) : null;
};

function utf16beHex(hex: string): string {
  return Buffer.from(hex, 'hex').swap16().toString('utf16le');
}

/** bfchar and bfrange entries of a ToUnicode CMap. */
export function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const entry of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>/g)) map.set(parseInt(entry[1]!, 16), utf16beHex(entry[2]!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const entry of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const [start, end, first] = [parseInt(entry[1]!, 16), parseInt(entry[2]!, 16), parseInt(entry[3]!, 16)];
      for (let cid = start; cid <= end; cid++) map.set(cid, String.fromCodePoint(first + cid - start));
    }
  }
  return map;
}

function parseWidths(cidFont: string): Map<number, number> {
  const widths = new Map<number, number>();
  const w = /\/W\s*\[([\s\S]*?\])\s*\]/.exec(cidFont);
  if (!w) return widths;
  for (const group of w[1]!.matchAll(/(\d+)\s*\[([^\]]*)\]/g)) {
    group[2]!.trim().split(/\s+/).map(Number).forEach((width, i) => widths.set(Number(group[1]) + i, width));
  }
  return widths;
}

/** A PDF text string: `(literal)` or `<hex>` (UTF-16BE with BOM here). */
function textString(token: string): string {
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1);
    return hex.toUpperCase().startsWith('FEFF') ? utf16beHex(hex.slice(4)) : Buffer.from(hex, 'hex').toString('latin1');
  }
  return token.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function readPdf(pdf: Buffer): ReadPdf {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  for (const match of text.matchAll(/(\d+) 0 obj\n/g)) {
    const start = match.index! + match[0].length;
    const dictionaryEnd = text.indexOf('\nendobj', start);
    const streamAt = text.indexOf('stream\n', start);
    if (streamAt >= 0 && streamAt < dictionaryEnd) {
      const dictionary = text.slice(start, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dictionary)![1]);
      const raw = pdf.subarray(streamAt + 7, streamAt + 7 + length);
      objects.set(Number(match[1]), { dictionary, stream: /\/FlateDecode/.test(dictionary) ? inflateSync(raw) : Buffer.from(raw) });
    } else objects.set(Number(match[1]), { dictionary: text.slice(start, dictionaryEnd), stream: null });
  }
  const get = (n: number) => {
    const object = objects.get(n);
    if (!object) throw new Error(`no object ${n}`);
    return object;
  };

  const fonts = new Map<string, PdfFont>();
  const lines: PdfTextLine[] = [];
  const contents: string[] = [];
  const pages = [...objects.entries()].filter(([, o]) => /\/Type \/Page\b(?!s)/.test(o.dictionary));
  pages.forEach(([, page], pageIndex) => {
    const fontDictionary = /\/Font << ([^>]*) >>/.exec(page.dictionary)?.[1] ?? '';
    const pageFonts = new Map<string, PdfFont>();
    for (const entry of fontDictionary.matchAll(/\/(\w+) (\d+) 0 R/g)) {
      const type0 = get(Number(entry[2])).dictionary;
      const cidFont = get(Number(/\/DescendantFonts \[(\d+) 0 R\]/.exec(type0)![1])).dictionary;
      const descriptor = get(refOf(cidFont, 'FontDescriptor')!).dictionary;
      const font: PdfFont = {
        resource: entry[1]!,
        baseFont: /\/BaseFont \/(\S+)/.exec(type0)![1]!,
        toUnicode: parseToUnicode(get(refOf(type0, 'ToUnicode')!).stream!.toString('latin1')),
        widths: parseWidths(cidFont),
        fontFile: get(refOf(descriptor, 'FontFile2')!).stream!,
        descriptor,
        cidFont,
      };
      pageFonts.set(entry[1]!, font);
      fonts.set(font.baseFont, font);
    }
    const contentRef = refOf(page.dictionary, 'Contents')!;
    const content = get(contentRef).stream!.toString('latin1');
    contents.push(content);
    let actualText: string | null = null;
    const tokenizer = /\/Span << \/ActualText (<[0-9A-Fa-f]*>|\((?:\\.|[^\\)])*\)) >> BDC|EMC|BT \/(\w+) ([\d.]+) Tf (-?[\d.]+) (-?[\d.]+) Td <([0-9A-Fa-f]*)> Tj ET/g;
    for (const token of content.matchAll(tokenizer)) {
      if (token[1] !== undefined) actualText = textString(token[1]);
      else if (token[0] === 'EMC') actualText = null;
      else {
        const font = pageFonts.get(token[2]!)!;
        const cids = (token[6]!.match(/.{4}/g) ?? []).map((hex) => parseInt(hex, 16));
        const glyphTexts = cids.map((cid) => font.toUnicode.get(cid) ?? '\u0000');
        lines.push({ page: pageIndex + 1, font: font.baseFont, size: Number(token[3]), x: Number(token[4]), y: Number(token[5]), cids, glyphTexts, text: glyphTexts.join(''), actualText });
      }
    }
  });
  return { objects, fonts, lines, content: contents.join('\n') };
}

/** The line's text in reading order for a line wholly right-to-left: its glyphs' texts, last drawn first. */
export const rightToLeft = (line: PdfTextLine) => [...line.glyphTexts].reverse().join('');

/** Checks an sfnt file the way a font validator does, without the reader under test: table and file checksums. */
export function checksumProblems(font: Buffer): string[] {
  const sum = (bytes: Buffer) => {
    const padded = Buffer.concat([bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
    let total = 0;
    for (let i = 0; i < padded.length; i += 4) total = (total + padded.readUInt32BE(i)) >>> 0;
    return total;
  };
  const problems: string[] = [];
  const count = font.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const record = 12 + i * 16;
    const tag = font.toString('latin1', record, record + 4);
    const offset = font.readUInt32BE(record + 8);
    const bytes = Buffer.from(font.subarray(offset, offset + font.readUInt32BE(record + 12)));
    if (offset % 4 !== 0) problems.push(`${tag} not aligned`);
    if (tag === 'head') bytes.writeUInt32BE(0, 8);
    if (sum(bytes) !== font.readUInt32BE(record + 4)) problems.push(`${tag} checksum`);
  }
  if (sum(font) !== 0xb1b0afba) problems.push('file checksum (head.checkSumAdjustment)');
  return problems;
}
