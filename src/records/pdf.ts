/**
 * A minimal PDF 1.4 writer (ISO 32000-1 is PDF 1.7; 1.4 is the subset every viewer reads): A4 pages of text
 * lines and tables, in the standard Helvetica and Helvetica-Bold fonts with WinAnsiEncoding, content streams
 * compressed with Flate. No font is embedded (the standard 14 fonts need none: §9.6.2.2).
 *
 * Limit: WinAnsi (Windows-1252) covers English, French, Spanish, Portuguese, German and most Western European
 * text, not Arabic, Cyrillic, Greek or CJK scripts, nor right-to-left shaping; a character outside it is drawn
 * as "?". Transcripts in those scripts need an embedded Unicode font (a TrueType subset with a ToUnicode map),
 * e.g. through pdfkit: that is the next step when the Arabic translation lands. The document's Info title is
 * written in UTF-16, so viewers show it in any script.
 */
import { deflateSync } from 'node:zlib';

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 48;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const FOOTER_SPACE = 28;

// Adobe Font Metrics of the standard Helvetica fonts, 1/1000 em, ASCII 32–126. Characters above are measured by
// their unaccented letter (é as e; the AFM gives accented Latin letters the width of their base letter).
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
  556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278,
  469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260,
  334, 584,
];
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584,
  611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333,
  584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280,
  389, 584,
];

/** Windows-1252 bytes 0x80–0x9F and the Unicode characters they stand for. */
const WIN_ANSI_HIGH: Readonly<Record<number, number>> = {
  0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02c6: 0x88,
  0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91, 0x2019: 0x92, 0x201c: 0x93,
  0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b,
  0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};

/** The WinAnsi byte of a character, or `?` (0x3f) when the encoding has none. */
function winAnsiByte(char: string): number {
  const code = char.codePointAt(0) as number;
  if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) return code;
  return WIN_ANSI_HIGH[code] ?? 0x3f;
}

type Font = 'regular' | 'bold';

function charWidth(char: string, font: Font): number {
  const table = font === 'bold' ? HELVETICA_BOLD : HELVETICA;
  const byte = winAnsiByte(char);
  if (byte >= 0x20 && byte <= 0x7e) return table[byte - 0x20] as number;
  const base = char.normalize('NFD')[0] ?? '';
  const baseCode = base.codePointAt(0) ?? 0;
  if (baseCode >= 0x20 && baseCode <= 0x7e && base !== char) return table[baseCode - 0x20] as number;
  return byte === 0x85 || byte === 0x97 || byte === 0x89 || byte === 0x99 ? 1000 : 556;
}

/** Width of a text in points. */
export function textWidth(text: string, size: number, font: Font = 'regular'): number {
  let units = 0;
  for (const char of text) units += charWidth(char, font);
  return (units * size) / 1000;
}

/** The text cut to fit a width, with an ellipsis when it was cut. */
export function fitText(text: string, width: number, size: number, font: Font = 'regular'): string {
  if (textWidth(text, size, font) <= width) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size, font) > width) chars.pop();
  return chars.length === 0 ? '' : `${chars.join('').trimEnd()}…`;
}

/** A PDF literal string of the text in WinAnsi: `(`, `)` and `\` escaped, bytes above 0x7e as octal escapes. */
function pdfString(text: string): string {
  let out = '(';
  for (const char of text.replace(/[\r\n\t]+/g, ' ')) {
    const byte = winAnsiByte(char);
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out})`;
}

/** A text string of the Info dictionary in UTF-16BE with its byte order mark (§7.9.2.2), any script. */
function pdfTextString(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

const number = (value: number) => (Math.round(value * 100) / 100).toString();

export interface PdfColumn {
  readonly header: string;
  /** A share of the table's width; the shares are scaled to fill it. */
  readonly weight: number;
  readonly align?: 'left' | 'right';
}

export type PdfBlock =
  | { readonly kind: 'heading'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string; readonly bold?: boolean; readonly size?: number; readonly align?: 'left' | 'center' }
  | { readonly kind: 'space'; readonly height: number }
  | { readonly kind: 'table'; readonly columns: readonly PdfColumn[]; readonly rows: ReadonlyArray<readonly string[]>; readonly size?: number }
  /**
   * Black filled rectangles `[x, y, width, height]` in points from the top left of a `width` × `height` box, centred
   * on the line (a QR code's dark modules). Each is its own `re` operator, filled together.
   */
  | { readonly kind: 'rectangles'; readonly width: number; readonly height: number; readonly rectangles: ReadonlyArray<readonly [number, number, number, number]> };

export interface PdfDocument {
  /** Shown by viewers (Info /Title); any script. */
  readonly title: string;
  readonly blocks: readonly PdfBlock[];
  /** "Page 1 of 3" in the footer; `{page}` and `{pages}` are replaced. */
  readonly footer?: string;
  readonly createdMs: number;
}

/** Words wrapped to lines no wider than `width`; a word wider than a line is cut. */
function wrap(text: string, width: number, size: number, font: Font): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (textWidth(candidate, size, font) <= width) line = candidate;
    else {
      if (line !== '') lines.push(line);
      line = textWidth(word, size, font) <= width ? word : fitText(word, width, size, font);
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Lays the blocks out on pages: one content stream (operators) per page. */
function layout(document: PdfDocument): string[][] {
  const pages: string[][] = [];
  let ops: string[] = [];
  let y = 0;
  const newPage = () => {
    ops = [];
    pages.push(ops);
    y = PAGE_HEIGHT - MARGIN;
  };
  const ensure = (height: number) => {
    if (y - height < MARGIN + FOOTER_SPACE) newPage();
  };
  const text = (x: number, baseline: number, value: string, size: number, font: Font) => {
    ops.push(`BT /${font === 'bold' ? 'F2' : 'F1'} ${number(size)} Tf ${number(x)} ${number(baseline)} Td ${pdfString(value)} Tj ET`);
  };
  newPage();
  for (const block of document.blocks) {
    if (block.kind === 'space') {
      y -= block.height;
      continue;
    }
    if (block.kind === 'heading' || block.kind === 'text') {
      const size = block.kind === 'heading' ? 16 : (block.size ?? 10);
      const font: Font = block.kind === 'heading' || block.bold ? 'bold' : 'regular';
      const centred = block.kind === 'text' && block.align === 'center';
      for (const line of wrap(block.text, CONTENT_WIDTH, size, font)) {
        ensure(size * 1.4);
        y -= size * 1.4;
        text(centred ? MARGIN + (CONTENT_WIDTH - textWidth(line, size, font)) / 2 : MARGIN, y + size * 0.3, line, size, font);
      }
      continue;
    }
    if (block.kind === 'rectangles') {
      ensure(block.height);
      const left = MARGIN + (CONTENT_WIDTH - block.width) / 2;
      const top = y;
      const shapes = block.rectangles.map(([x, down, width, height]) => `${number(left + x)} ${number(top - down - height)} ${number(width)} ${number(height)} re`);
      if (shapes.length > 0) ops.push(`0 g\n${shapes.join('\n')}\nf`);
      y -= block.height;
      continue;
    }
    const size = block.size ?? 8;
    const rowHeight = size * 2;
    const total = block.columns.reduce((sum, column) => sum + column.weight, 0);
    const widths = block.columns.map((column) => (column.weight / total) * CONTENT_WIDTH);
    const cellText = (values: readonly string[], font: Font) => {
      let x = MARGIN;
      block.columns.forEach((column, i) => {
        const width = widths[i] as number;
        const value = fitText(values[i] ?? '', width - 6, size, font);
        const left = column.align === 'right' ? x + width - 3 - textWidth(value, size, font) : x + 3;
        text(left, y + size * 0.65, value, size, font);
        x += width;
      });
    };
    const header = () => {
      y -= rowHeight;
      ops.push(`0.9 g ${number(MARGIN)} ${number(y)} ${number(CONTENT_WIDTH)} ${number(rowHeight)} re f 0 g`);
      cellText(block.columns.map((column) => column.header), 'bold');
    };
    ensure(rowHeight * 2);
    header();
    for (const row of block.rows) {
      if (y - rowHeight < MARGIN + FOOTER_SPACE) {
        newPage();
        header();
      }
      y -= rowHeight;
      cellText(row, 'regular');
      ops.push(`0.8 G 0.5 w ${number(MARGIN)} ${number(y)} m ${number(MARGIN + CONTENT_WIDTH)} ${number(y)} l S 0 G`);
    }
  }
  if (document.footer) {
    pages.forEach((page, index) => {
      const footer = document.footer!.replace('{page}', String(index + 1)).replace('{pages}', String(pages.length));
      page.push(`BT /F1 8 Tf ${number(MARGIN)} ${number(MARGIN - 10)} Td ${pdfString(footer)} Tj ET`);
    });
  }
  return pages;
}

/** `D:YYYYMMDDHHmmSSZ` (§7.9.4). */
function pdfDate(ms: number): string {
  return `D:${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** The document as a PDF 1.4 file. */
export function renderPdf(document: PdfDocument): Buffer {
  const pages = layout(document);
  // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 info, then a page and its content stream per page.
  const pageObject = (index: number) => 6 + index * 2;
  const objects: Array<Buffer> = [];
  const add = (body: string | Buffer) => objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(`<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  add(`<< /Title ${pdfTextString(document.title)} /Producer (cadet) /CreationDate (${pdfDate(document.createdMs)}) >>`);
  pages.forEach((ops, i) => {
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${number(PAGE_WIDTH)} ${number(PAGE_HEIGHT)}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageObject(i) + 1} 0 R >>`,
    );
    const stream = deflateSync(Buffer.from(ops.join('\n'), 'latin1'));
    add(Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), stream, Buffer.from('\nendstream', 'latin1')]));
  });

  // A binary comment after the header tells transfer tools the file is binary (§7.5.2).
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(chunk);
    offset += chunk.length;
  });
  // §7.5.4: each cross-reference entry is exactly 20 bytes.
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}
