/** Parsing of xAPI timestamps into instants (format checks live in json-schema.ts). */

const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch milliseconds of an ISO 8601 date-time (sub-millisecond digits truncated), or null when it is not one.
 * A time without an offset is read as UTC.
 */
export function parseTimestampMs(value: string): number | null {
  const match = timestampPattern.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = match;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  const ms = Number((fraction + '000').slice(0, 3));
  let time = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), ms);
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return null;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    time -= sign * offset * 60_000;
  }
  return time;
}
