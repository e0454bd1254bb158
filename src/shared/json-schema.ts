/**
 * Shared JSON Schema support: a strict ajv instance with the custom string
 * formats used by the xAPI schemas under `<repo>/schemas/`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { AnySchemaObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is `module.exports`,
// which is the plugin function and also carries itself as `.default`.
const addFormats = addFormatsModule.default;

// ---------------------------------------------------------------------------
// Format checks (exported so that code outside ajv, e.g. query-parameter
// parsing, applies exactly the same rules as the statement schemas).
// ---------------------------------------------------------------------------

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Whitespace, controls and characters excluded from RFC 3987 IRIs.
// eslint-disable-next-line no-control-regex
const IRI_FORBIDDEN = /[\u0000-\u0020\u007f-\u009f<>"{}|\\^`\ufff0-\uffff]/u;

/** An absolute IRI (RFC 3987, reasonably): scheme ":" non-empty rest, no spaces, controls or `<>"{}|\^\``. */
export function isIri(value: string): boolean {
  const m = SCHEME.exec(value);
  if (m === null || value.length === m[0].length) return false;
  if (IRI_FORBIDDEN.test(value)) return false;
  // Percent signs must introduce a percent-encoded octet.
  return !/%(?![0-9A-Fa-f]{2})/.test(value);
}

/**
 * An IRL (an IRI meant to be dereferenced). Whether it resolves cannot be
 * checked here, so syntactically this is the same as {@link isIri}.
 */
export function isIrl(value: string): boolean {
  return isIri(value);
}

const MAILTO = /^mailto:[^\s@]+@[^\s@]+$/i;

/** `mailto:` followed by an e-mail address (local@domain). */
export function isMailtoIri(value: string): boolean {
  return MAILTO.test(value) && isIri(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in 8-4-4-4-12 hex form, any variant or version, any case. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// RFC 5646 (BCP 47) well-formed language tag, section 2.1 ABNF.
const ALNUM = '[a-z0-9]';
const LANGTAG_RE = new RegExp(
  '^(?:' +
    // langtag
    '(?<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})' +
    '(?:-(?<script>[a-z]{4}))?' +
    '(?:-(?<region>[a-z]{2}|[0-9]{3}))?' +
    `(?<variants>(?:-(?:${ALNUM}{5,8}|[0-9]${ALNUM}{3}))*)` +
    `(?<extensions>(?:-[0-9a-wy-z](?:-${ALNUM}{2,8})+)*)` +
    `(?:-x(?:-${ALNUM}{1,8})+)?` +
    // privateuse only
    `|x(?:-${ALNUM}{1,8})+` +
    // grandfathered, irregular and regular
    '|en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu' +
    '|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang' +
    ')$',
  'i',
);

/**
 * A well-formed RFC 5646 language tag, additionally rejecting repeated
 * variants and repeated extension singletons (RFC 5646 section 2.2.5/2.2.6).
 */
export function isLanguageTag(value: string): boolean {
  const m = LANGTAG_RE.exec(value);
  if (m === null) return false;
  const groups = m.groups ?? {};
  const variants = (groups['variants'] ?? '').toLowerCase().split('-').filter((s) => s !== '');
  if (new Set(variants).size !== variants.length) return false;
  const ext = (groups['extensions'] ?? '').toLowerCase().split('-').filter((s) => s.length === 1);
  return new Set(ext).size === ext.length;
}

// ISO 8601 duration as used by xAPI: PnYnMnDTnHnMnS (any subset, at least one
// component, a fraction only on the last component) or PnW.
const NUM = '\\d+(?:[.,]\\d+)?';
const DURATION_RE = new RegExp(
  `^P(?:(?:(${NUM})Y)?(?:(${NUM})M)?(?:(${NUM})D)?(?:T(?:(${NUM})H)?(?:(${NUM})M)?(?:(${NUM})S)?)?|(${NUM})W)$`,
);

export function isIso8601Duration(value: string): boolean {
  const m = DURATION_RE.exec(value);
  if (m === null) return false;
  const parts = m.slice(1).filter((p): p is string => p !== undefined);
  if (parts.length === 0) return false;
  // "PT" alone / "P1DT" are not durations.
  if (value.endsWith('T')) return false;
  return parts.slice(0, -1).every((p) => !/[.,]/.test(p));
}

// ISO 8601 extended-format date-time: date "T" time, optional fraction, optional
// offset (Z, +hh:mm, +hhmm, +hh). "-00", "-0000" and "-00:00" (RFC 3339's
// "unknown local offset") are rejected, as the ADL conformance suite requires.
const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?$/i;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export interface TimestampOptions {
  /** Require a time zone designator (Z or an offset). Default false. */
  readonly requireTimezone?: boolean;
}

export function isIso8601Timestamp(value: string, options: TimestampOptions = {}): boolean {
  const m = TIMESTAMP_RE.exec(value);
  if (m === null) return false;
  const [, y, mo, d, h, mi, s, , tz, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 60)) return false;
  if (tz === undefined) return options.requireTimezone !== true;
  if (sign !== undefined) {
    if (Number(oh) > 23 || (om !== undefined && Number(om) > 59)) return false;
    if (sign === '-' && Number(oh) === 0 && (om === undefined || Number(om) === 0)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// ajv factory
// ---------------------------------------------------------------------------

/** A strict ajv 8 instance with ajv-formats and the xAPI formats. No schemas loaded. */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    strict: true,
    allowUnionTypes: true,
    // Errors carry `parentSchema`, so callers can read the `x-error` message template.
    verbose: true,
  });
  addFormats(ajv);
  // Annotation keyword: a human-readable message template for errors raised by
  // the schema it sits in ("{path}" is replaced by the caller).
  ajv.addKeyword({ keyword: 'x-error', schemaType: 'string' });
  ajv.addFormat('iri', { type: 'string', validate: isIri });
  ajv.addFormat('irl', { type: 'string', validate: isIrl });
  ajv.addFormat('mailto-iri', { type: 'string', validate: isMailtoIri });
  ajv.addFormat('uuid', { type: 'string', validate: isUuid });
  ajv.addFormat('language-tag', { type: 'string', validate: isLanguageTag });
  ajv.addFormat('iso8601-duration', { type: 'string', validate: isIso8601Duration });
  ajv.addFormat('iso8601-timestamp', { type: 'string', validate: (v: string) => isIso8601Timestamp(v) });
  return ajv;
}

/** The repository root: the nearest ancestor of this module's directory holding a package.json. */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json found above ${start}`);
    dir = parent;
  }
}

function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJsonFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

/** Adds every JSON file under `<repo>/schemas/` (recursively) to `ajv`, keyed by its `$id`. */
export function loadSchemas(ajv: Ajv, schemasDir: string = join(findRepoRoot(), 'schemas')): Ajv {
  for (const file of listJsonFiles(schemasDir)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as AnySchemaObject;
    if (typeof schema.$id !== 'string') throw new Error(`schema ${file} has no $id`);
    if (ajv.getSchema(schema.$id) === undefined) ajv.addSchema(schema);
  }
  return ajv;
}

let shared: Ajv | undefined;

/** A lazily built, shared ajv instance with all repository schemas loaded. */
export function getAjv(): Ajv {
  shared ??= loadSchemas(createAjv());
  return shared;
}
