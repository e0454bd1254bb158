/**
 * A minimal PDF 1.4 writer (ISO 32000-1 is PDF 1.7; 1.4 is the subset every viewer reads): A4 pages of text
 * lines and tables, content streams compressed with Flate, text in DejaVu Sans and DejaVu Sans Bold embedded as
 * subsets (truetype/): a Type 0 font with Identity-H encoding over a CIDFontType2 holding only the glyphs the
 * document draws, with a ToUnicode map so the text can be searched and copied (§9.7, §9.9, §9.10.3).
 *
 * What is drawn right: Latin (all European alphabets, Turkish, Vietnamese), Greek, Cyrillic, Armenian, Georgian,
 * Hebrew and Arabic. Right-to-left runs are reordered by a reduced bidi algorithm (truetype/bidi.ts) and Arabic
 * letters take their joining forms and the lam-alef ligature from the Presentation Forms blocks
 * (truetype/arabic-shaping.ts); glyphs are written in visual order, each mapped by ToUnicode to the letters it
 * stands for (a joining form to its letter, lam-alef to two), which is what extractors expect.
 *
 * Limits: a character the font lacks (Chinese, Japanese, Korean, Devanagari, Thai, emoji…) is drawn as U+FFFD, a
 * visible replacement, and the line carries the original text as /ActualText (§14.9.4); no kerning, no OpenType layout (optional ligatures, mark
 * positioning: combining marks sit where the font's default offset puts them), no explicit bidi embeddings or
 * isolates; Persian and Urdu letters are shaped only for those in the Presentation Forms-A table. The document's
 * Info title is written in UTF-16, in any script.
 */
import { deflateSync } from 'node:zlib';
import { DocumentFont } from './truetype/document-font.js';
import { embeddedFont, type FontWeight } from './truetype/fonts.js';
import { shapeLine, type ShapedLine } from './truetype/shape-line.js';

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 48;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const FOOTER_SPACE = 28;

type Font = FontWeight;

/** Lines already shaped, per font: layout measures the same cells and candidates again and again. Bounded. */
const shapedCache: Record<Font, Map<string, ShapedLine>> = { regular: new Map(), bold: new Map() };
const SHAPED_CACHE_SIZE = 4096;

/** The line shaped in the font (glyphs in visual order, advances from `hmtx`). */
export function shapeText(text: string, font: Font = 'regular'): ShapedLine {
  const cache = shapedCache[font];
  let shaped = cache.get(text);
  if (!shaped) {
    shaped = shapeLine(embeddedFont(font), text);
    if (cache.size >= SHAPED_CACHE_SIZE) cache.clear();
    cache.set(text, shaped);
  }
  return shaped;
}

/** Width of a text in points. */
export function textWidth(text: string, size: number, font: Font = 'regular'): number {
  const shaped = shapeText(text, font);
  return (shaped.width * size) / embeddedFont(font).unitsPerEm;
}

/** The text cut to fit a width, with an ellipsis when it was cut. */
export function fitText(text: string, width: number, size: number, font: Font = 'regular'): string {
  if (textWidth(text, size, font) <= width) return text;
  const chars = [...text];
  // The longest prefix that fits with its ellipsis, by bisection (widths grow with length; shaping is not free).
  let fits = 0;
  let tooLong = chars.length;
  while (tooLong - fits > 1) {
    const middle = (fits + tooLong) >> 1;
    if (textWidth(`${chars.slice(0, middle).join('')}…`, size, font) <= width) fits = middle;
    else tooLong = middle;
  }
  return fits === 0 ? '' : `${chars.slice(0, fits).join('').trimEnd()}…`;
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

/** The document's embedded fonts, made when first drawn with: `F1` regular, `F2` bold. */
class DocumentFonts {
  readonly used = new Map<Font, DocumentFont>();

  /** The text-showing operators of a line: glyph ids through Identity-H, in an /ActualText span when needed. */
  show(value: string, size: number, font: Font, x: number, baseline: number): string {
    let documentFont = this.used.get(font);
    if (!documentFont) {
      documentFont = new DocumentFont(embeddedFont(font));
      this.used.set(font, documentFont);
    }
    const shaped = shapeText(value, font);
    const operators = `BT /${resourceName(font)} ${number(size)} Tf ${number(x)} ${number(baseline)} Td ${documentFont.encode(shaped)} Tj ET`;
    // §14.9.4: what a replaced character stood for, as the replacement text of marked content. Right-to-left
    // lines carry none: extractors (poppler, Acrobat) expect glyphs in visual order and put them back in reading
    // order themselves, and would reverse an /ActualText in reading order a second time.
    return shaped.missing.length > 0 ? `/Span << /ActualText ${pdfTextString(shaped.text)} >> BDC ${operators} EMC` : operators;
  }
}

const resourceName = (font: Font) => (font === 'bold' ? 'F2' : 'F1');

/** Lays the blocks out on pages: one content stream (operators) per page. */
function layout(document: PdfDocument, fonts: DocumentFonts): string[][] {
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
    ops.push(fonts.show(value, size, font, x, baseline));
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
      page.push(fonts.show(footer, 8, 'regular', MARGIN, MARGIN - 10));
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
  const fonts = new DocumentFonts();
  const pages = layout(document, fonts);
  // Objects: 1 catalog, 2 page tree, 3 info, then a page and its content stream per page, then 5 per font used.
  const pageObject = (index: number) => 4 + index * 2;
  const firstFontObject = 4 + pages.length * 2;
  const usedFonts = [...fonts.used].map(([font, documentFont], i) => ({ font, documentFont, first: firstFontObject + i * 5 }));
  const fontResources = usedFonts.map(({ font, first }) => `/${resourceName(font)} ${first} 0 R`).join(' ');
  const objects: Array<Buffer> = [];
  const add = (body: string | Buffer) => objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(`<< /Type /Pages /Kids [${pages.map((_, i) => `${pageObject(i)} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  add(`<< /Title ${pdfTextString(document.title)} /Producer (cadet) /CreationDate (${pdfDate(document.createdMs)}) >>`);
  pages.forEach((ops, i) => {
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${number(PAGE_WIDTH)} ${number(PAGE_HEIGHT)}] ` +
        `/Resources << /Font << ${fontResources} >> >> /Contents ${pageObject(i) + 1} 0 R >>`,
    );
    const stream = deflateSync(Buffer.from(ops.join('\n'), 'latin1'));
    add(Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), stream, Buffer.from('\nendstream', 'latin1')]));
  });
  for (const { documentFont, first } of usedFonts) {
    for (const body of documentFont.objects().bodies((index) => `${first + index} 0 R`)) add(body);
  }

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
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}
