/**
 * The certificate as a one-page A4 PDF (records/pdf.ts): who, what, when, the score, the number, a QR code to the
 * verification page, and in small print the signed payload and its signature, so the paper can be checked offline
 * with the published public key. English, like the transcript PDF; names and titles in any script the embedded
 * DejaVu Sans draws (Latin, Greek, Cyrillic, Hebrew, Arabic…; the limits are in pdf.ts).
 */
import QRCode from 'qrcode';
import { renderPdf, textWidth, type PdfBlock } from '../pdf.js';

export interface CertificatePdfInput {
  readonly number: string;
  readonly learnerName: string;
  readonly courseTitle: string;
  readonly issuedMs: number;
  /** Percent, or null. */
  readonly scorePercent: number | null;
  readonly verifyUrl: string;
  readonly publicKeyUrl: string;
  readonly keyId: string;
  readonly payload: string;
  readonly signature: string;
  /** Printed at the top when the certificate was revoked since. */
  readonly revoked: { readonly date: string; readonly reason: string } | null;
}

/** Points per QR module: a version 4 code (33 modules) is 33 mm wide, read by any phone. */
const MODULE = 3;
/** ISO/IEC 18004 §6.3.8: four modules of light margin around the symbol. */
const QUIET_ZONE = 4;
const SMALL = 7;
/** A4 width less the margins (pdf.ts). */
const LINE_WIDTH = 595.28 - 2 * 48;

/** A QR code's dark modules as rectangles, the quiet zone included in the box. */
export function qrRectangles(text: string): Extract<PdfBlock, { kind: 'rectangles' }> {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const rectangles: Array<readonly [number, number, number, number]> = [];
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (modules.get(row, column)) rectangles.push([(column + QUIET_ZONE) * MODULE, (row + QUIET_ZONE) * MODULE, MODULE, MODULE]);
    }
  }
  const side = (modules.size + 2 * QUIET_ZONE) * MODULE;
  return { kind: 'rectangles', width: side, height: side, rectangles };
}

/**
 * A text with no spaces to break at (canonical JSON, base64url) cut into lines that fit, never next to a space:
 * the PDF keeps every character, and the lines joined end to end give the text back.
 */
export function cutToLines(text: string, size: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let end = rest.length;
    if (textWidth(rest, size) > LINE_WIDTH) {
      // The longest prefix that fits, by bisection (at least one character per line).
      let fits = 1;
      let tooLong = rest.length;
      while (tooLong - fits > 1) {
        const middle = (fits + tooLong) >> 1;
        if (textWidth(rest.slice(0, middle), size) <= LINE_WIDTH) fits = middle;
        else tooLong = middle;
      }
      end = fits;
    }
    // pdf.ts wraps at spaces and drops them at the ends of a line: keep spaces inside lines.
    while (end > 1 && end < rest.length && (rest[end - 1] === ' ' || rest[end] === ' ')) end--;
    lines.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  return lines;
}

const longDate = (ms: number) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(ms);

export function renderCertificatePdf(input: CertificatePdfInput): Buffer {
  const centred = (text: string, size: number, bold = false): PdfBlock => ({ kind: 'text', text, size, bold, align: 'center' });
  const blocks: PdfBlock[] = [];
  if (input.revoked) {
    blocks.push(centred(`REVOKED on ${input.revoked.date}: ${input.revoked.reason}`, 11, true), { kind: 'space', height: 10 });
  } else blocks.push({ kind: 'space', height: 40 });
  blocks.push(
    centred('Certificate of completion', 26, true),
    { kind: 'space', height: 30 },
    centred('This certifies that', 12),
    { kind: 'space', height: 6 },
    centred(input.learnerName, 22, true),
    { kind: 'space', height: 6 },
    centred('has completed the course', 12),
    { kind: 'space', height: 6 },
    centred(input.courseTitle, 16, true),
    { kind: 'space', height: 6 },
    centred(`on ${longDate(input.issuedMs)}${input.scorePercent === null ? '' : `, with a score of ${input.scorePercent} %`}.`, 12),
    { kind: 'space', height: 24 },
    centred(`Certificate number ${input.number}`, 12, true),
    { kind: 'space', height: 8 },
    qrRectangles(input.verifyUrl),
    centred(`Check it at ${input.verifyUrl}`, 9),
    { kind: 'space', height: 30 },
    { kind: 'text', text: `Signed by the academy with its Ed25519 key ${input.keyId}, published at ${input.publicKeyUrl}.`, size: SMALL },
    { kind: 'text', text: 'Signed payload (canonical JSON; join the lines end to end):', size: SMALL, bold: true },
    ...cutToLines(input.payload, SMALL).map((line): PdfBlock => ({ kind: 'text', text: line, size: SMALL })),
    { kind: 'space', height: 4 },
    { kind: 'text', text: 'Signature (Ed25519, base64url):', size: SMALL, bold: true },
    ...cutToLines(input.signature, SMALL).map((line): PdfBlock => ({ kind: 'text', text: line, size: SMALL })),
  );
  return renderPdf({ title: `Certificate ${input.number}: ${input.learnerName}, ${input.courseTitle}`, blocks, createdMs: input.issuedMs });
}
