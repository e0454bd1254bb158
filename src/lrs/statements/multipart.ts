import { randomBytes } from 'node:crypto';
import { invalid } from '../../errors.js';

export interface MultipartPart {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

const malformed = (message: string) => invalid('malformed-multipart', message, { header: 'Content-Type' });

/** The `boundary` parameter of a multipart Content-Type header, unquoted. */
export function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw malformed('a multipart/mixed request needs a boundary parameter in its Content-Type');
  return boundary;
}

/**
 * Splits a multipart/mixed body (RFC 2046 §5.1) into parts. Strict where xAPI is (1.0.3 §2.1.11): the body must
 * start with a boundary and end with the closing one.
 */
export function parseMultipartMixed(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = boundaryOf(contentType);
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  if (position !== 0 && body.subarray(0, position).toString('latin1').trim() !== '') {
    throw malformed('the multipart body must start with its boundary');
  }
  if (position < 0) throw malformed('the multipart body does not contain the boundary from the Content-Type header');
  const parts: MultipartPart[] = [];
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    if (!body.subarray(position, position + 2).equals(CRLF)) throw malformed('a multipart boundary must be followed by CRLF');
    const start = position + 2;
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), start);
    if (next < 0) throw malformed('the multipart body is not closed by its final boundary');
    const raw = body.subarray(start, next);
    const split = raw.indexOf(HEADER_END);
    const headerText = split < 0 ? raw.toString('latin1') : raw.subarray(0, split).toString('latin1');
    const content = split < 0 ? Buffer.alloc(0) : raw.subarray(split + HEADER_END.length);
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      if (!line.trim()) continue;
      const colon = line.indexOf(':');
      if (colon < 0) throw malformed(`malformed part header "${line.slice(0, 60)}"`);
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, body: content });
    position = next + CRLF.length;
  }
}

/** Builds a multipart/mixed body from parts; returns it with its Content-Type. */
export function buildMultipartMixed(parts: ReadonlyArray<{ headers: Record<string, string>; body: Buffer | string }>): { contentType: string; body: Buffer } {
  const boundary = randomBytes(16).toString('hex');
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const headerLines = Object.entries(part.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${headerLines}\r\n`), Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body), CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
