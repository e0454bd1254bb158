/**
 * Internet messages as SMTP carries them: RFC 5322 headers, MIME (RFC 2045) text bodies, RFC 2047 encoded words,
 * and the DATA transparency of RFC 5321 §4.5.2. Pure functions; the client in `smtp-client.ts` sends the result.
 */

export interface Mailbox {
  /** Display name, possibly empty. */
  readonly name: string;
  /** `local@domain`. */
  readonly address: string;
}

/** One message to send. */
export interface OutgoingMail {
  /** Stable across attempts: the Message-ID is made from it, so a retried message is recognisably the same. */
  readonly id: string;
  /** `Cadet <no-reply@academy.example>` or a bare address. */
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** When the message was written (RFC 5322 §3.6.1: the origination date), not when an attempt is made. */
  readonly date: Date;
}

export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable';

const crlf = '\r\n';
/** RFC 5322 §2.1.1: a line is at most 998 octets before its CRLF. */
const maxLineOctets = 998;
/** RFC 2047 §2: an encoded word is at most 75 characters. `=?UTF-8?B?` + `?=` take 12, leaving 63: 45 bytes in base64. */
const encodedWordBytes = 45;

const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

/** Parses `Name <local@domain>`, `"Name" <local@domain>` or `local@domain`; null when there is no address. */
export function parseMailbox(text: string): Mailbox | null {
  const trimmed = text.trim();
  const angle = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(trimmed);
  if (angle) {
    let name = angle[1].trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
    return { name, address: angle[2] };
  }
  return /^[^<>\s@]+@[^<>\s@]+$/.test(trimmed) ? { name: '', address: trimmed } : null;
}

/** Header values never carry a line break of their own: that would start a header of the sender's choosing. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

/** RFC 2047 `B` encoded words for a header value, each at most 75 characters, never splitting a character. */
export function encodeWords(text: string): string[] {
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (size === 0) return;
    words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  for (const character of text) {
    const bytes = Buffer.from(character, 'utf8');
    if (size + bytes.length > encodedWordBytes) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words;
}

/**
 * An unstructured header value (Subject): as is when it is ASCII and could not be mistaken for encoded words,
 * otherwise RFC 2047 encoded words folded onto continuation lines (RFC 5322 §2.2.3).
 */
export function encodeUnstructured(text: string): string {
  const value = oneLine(text);
  if (isAscii(value) && !value.includes('=?') && value.length <= 900) return value;
  return encodeWords(value).join(`${crlf} `);
}

/** RFC 5322 §3.2.3: a display name that is not a run of atoms is quoted; a non-ASCII one is encoded (RFC 2047 §5). */
export function formatMailbox({ name, address }: Mailbox): string {
  const display = oneLine(name).trim();
  if (!display) return address;
  if (!isAscii(display)) return `${encodeWords(display).join(' ')} <${address}>`;
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(display)) return `${display} <${address}>`;
  return `"${display.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** RFC 5322 §3.3 date-time in UTC: `Tue, 01 Jul 2025 10:00:00 +0000`. */
export const formatDate = (date: Date) => date.toUTCString().replace(/GMT$/, '+0000');

/** RFC 2045 §6.7 quoted-printable of a text, lines already split; soft breaks keep encoded lines within 76 characters. */
export function encodeQuotedPrintable(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    let current = '';
    bytes.forEach((byte, index) => {
      const last = index === bytes.length - 1;
      const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
      const piece = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      // 75 + the soft break's `=` = 76.
      if (current.length + piece.length > 75) {
        out.push(`${current}=`);
        current = '';
      }
      current += piece;
    });
    out.push(current);
  }
  return out;
}

/**
 * The message as DATA carries it, before dot-stuffing: headers, a blank line, the body, CRLF line endings.
 * The body is 7bit when it is ASCII, 8bit when the server takes 8BITMIME (RFC 6152), otherwise quoted-printable;
 * any line too long for SMTP also makes it quoted-printable.
 */
export function formatMessage(mail: OutgoingMail, options: { readonly eightBit: boolean }): { readonly data: string; readonly encoding: TransferEncoding } {
  const from = parseMailbox(mail.from);
  if (!from) throw new Error(`the sender "${mail.from}" has no address`);
  const lines = mail.text.replace(/\r\n?/g, '\n').split('\n');
  const short = lines.every((line) => Buffer.byteLength(line, 'utf8') <= maxLineOctets);
  const encoding: TransferEncoding = short && isAscii(mail.text) ? '7bit' : short && options.eightBit ? '8bit' : 'quoted-printable';
  const body = encoding === 'quoted-printable' ? encodeQuotedPrintable(lines) : lines;
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  const headers = [
    `From: ${formatMailbox(from)}`,
    `To: ${oneLine(mail.to)}`,
    `Subject: ${encodeUnstructured(mail.subject)}`,
    `Date: ${formatDate(mail.date)}`,
    `Message-ID: <${oneLine(mail.id).replace(/[<>@\s]/g, '')}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${encoding}`,
  ];
  return { data: [...headers, '', ...body].join(crlf), encoding };
}

/**
 * RFC 5321 §4.5.2: a line that starts with a dot gets one more; the data ends with CRLF, then `.` CRLF.
 * Bare CR and LF become CRLF (§2.3.8: they must not appear alone).
 */
export function dotStuff(data: string): string {
  const lines = data.replace(/\r\n|\r|\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return `${lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join(crlf)}${crlf}.${crlf}`;
}
