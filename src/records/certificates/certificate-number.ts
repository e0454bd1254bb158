/**
 * Certificate numbers: `CAD-2026-7KQ4-M2XD`. The issue year, seven random symbols of Crockford's base32 (no I, L, O
 * or U: nothing to misread, nothing to spell) and a check symbol, so a number typed from paper with one symbol wrong
 * or two neighbours swapped is told apart from an unknown one before any lookup.
 *
 * The check symbol is Luhn mod N over the same alphabet (N = 32) rather than Crockford's own mod-37 symbol, whose
 * five extra symbols (`*~$=U`) would not stay in the alphabet nor read well in a URL. It covers the year and the
 * random part. 32^7 ≈ 3.4 × 10^10 numbers per year: guessing one that exists is hopeless, and a collision at issue
 * only draws again (the store's unique key).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PREFIX = 'CAD';
const RANDOM_SYMBOLS = 7;

const valueOf = (symbol: string): number => ALPHABET.indexOf(symbol);

/** Luhn mod 32: the symbol that makes `body + symbol` check. */
export function checkSymbol(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * valueOf(body[i] as string);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return ALPHABET[(32 - (sum % 32)) % 32] as string;
}

function checks(bodyWithSymbol: string): boolean {
  let factor = 1;
  let sum = 0;
  for (let i = bodyWithSymbol.length - 1; i >= 0; i--) {
    let addend = factor * valueOf(bodyWithSymbol[i] as string);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return sum % 32 === 0;
}

/** A new number for a certificate issued at `atMs` (the year is UTC). */
export function newCertificateNumber(atMs: number, random: (max: number) => number = randomInt): string {
  const year = String(new Date(atMs).getUTCFullYear()).padStart(4, '0');
  let symbols = '';
  for (let i = 0; i < RANDOM_SYMBOLS; i++) symbols += ALPHABET[random(32)];
  const tail = symbols + checkSymbol(year + symbols);
  return `${PREFIX}-${year}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/**
 * A number as someone typed it, in canonical form; null when it is no certificate number at all or its check symbol
 * does not match. Case, spaces and hyphens are forgiven, and O, I and L read as 0, 1 and 1 (Crockford).
 */
export function parseCertificateNumber(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]+/g, '');
  if (!compact.startsWith(PREFIX) || compact.length !== PREFIX.length + 4 + RANDOM_SYMBOLS + 1) return null;
  const rest = compact.slice(PREFIX.length).replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/^\d{4}[0-9A-HJKMNP-TV-Z]{8}$/.test(rest) || !checks(rest)) return null;
  return `${PREFIX}-${rest.slice(0, 4)}-${rest.slice(4, 8)}-${rest.slice(8)}`;
}
