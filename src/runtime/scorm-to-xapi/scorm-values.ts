/**
 * Conversions of single SCORM values into their xAPI form: time spans, localized strings and
 * interaction response patterns. Pure functions, no knowledge of where a value came from.
 */
import { isIso8601Duration, isLanguageTag } from '../../shared/json-schema.js';
import type { InteractionType, ScormVersion } from './scorm-cmi-types.js';

/** SCORM 1.2 CMITimespan, RTE 3.4.2: HHHH:MM:SS.SS (2 to 4 digits of hours, up to 2 of fraction). */
const SCORM12_TIMESPAN = /^(\d{2,4}):([0-5]\d):([0-5]\d)(?:\.(\d{1,2}))?$/;

/** SCORM 1.2 CMITime, RTE 3.4.2: a time of day HH:MM:SS.SS. */
export const SCORM12_TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,2})?$/;

/** "0001:02:03.5" -> "PT1H2M3.5S"; null when it is not a SCORM 1.2 timespan. */
export function scorm12TimespanToIso(value: string): string | null {
  const m = SCORM12_TIMESPAN.exec(value);
  if (m === null) return null;
  const hundredths = Number(((m[4] ?? '') + '00').slice(0, 2));
  return isoDuration(Number(m[1]), Number(m[2]), Number(m[3]), hundredths);
}

function isoDuration(hours: number, minutes: number, seconds: number, hundredths: number): string {
  let out = 'PT';
  if (hours > 0) out += `${hours}H`;
  if (minutes > 0) out += `${minutes}M`;
  if (seconds > 0 || hundredths > 0) {
    out += hundredths > 0 ? `${seconds}.${String(hundredths).padStart(2, '0').replace(/0$/, '')}S` : `${seconds}S`;
  }
  return out === 'PT' ? 'PT0S' : out;
}

/** A SCORM 2004 timeinterval(second,10,2) that xAPI also accepts as a duration; null otherwise. */
export function scorm2004IntervalToIso(value: string): string | null {
  return isIso8601Duration(value) ? value : null;
}

export function durationToIso(version: ScormVersion, value: string): string | null {
  return version === 'scorm12' ? scorm12TimespanToIso(value) : scorm2004IntervalToIso(value);
}

/** Seconds in an ISO 8601 duration without years or months (those have no fixed length); null otherwise. */
export function isoDurationSeconds(value: string): number | null {
  const m = /^P(?:(\d+(?:\.\d+)?)W|(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?)$/.exec(value);
  if (m === null || !isIso8601Duration(value)) return null;
  const [, w, d, h, mi, s] = m.map((part) => (part === undefined ? 0 : Number(part)));
  return (w ?? 0) * 604800 + (d ?? 0) * 86400 + (h ?? 0) * 3600 + (mi ?? 0) * 60 + (s ?? 0);
}

/** Language of SCORM 2004 characterstrings without a `{lang=}` delimiter (RTE 4.1.1.6: the default is "en"). */
export const DEFAULT_SCORM_LANGUAGE = 'en';

/** SCORM 2004 localized_string_type "{lang=fr}Bonjour" -> {"fr": "Bonjour"}; "Hello" -> {"en": "Hello"}. */
export function localizedStringToLanguageMap(value: string): Record<string, string> {
  const m = /^\{lang=([^}]*)\}/.exec(value);
  if (m === null) return { [DEFAULT_SCORM_LANGUAGE]: value };
  const tag = m[1] ?? '';
  const text = value.slice(m[0].length);
  return { [isLanguageTag(tag) ? tag : DEFAULT_SCORM_LANGUAGE]: text };
}

// ---------------------------------------------------------------------------
// Interaction patterns and responses
// ---------------------------------------------------------------------------

/**
 * A SCORM correct-response pattern or learner response in xAPI syntax (xAPI Data 2.4.4.1 and its
 * interaction appendix). SCORM 2004 (RTE 4.2.9) already uses the xAPI delimiters `[,]`, `[.]`, `[:]` and the
 * `{case_matters=}`, `{order_matters=}`, `{lang=}` prefixes, so it passes unchanged. SCORM 1.2
 * (RTE 3.4.4, cmi.interactions.n.correct_responses.n.pattern) uses `,` and `.`, `{}` around a choice set
 * that must be given whole, and 0/1/t/f for true-false.
 */
export function responseToXapi(version: ScormVersion, type: InteractionType | undefined, value: string): string {
  if (version === 'scorm2004') return value;
  switch (type) {
    case 'true-false':
      return scorm12Boolean(value);
    case 'choice':
    case 'sequencing':
      return splitList(stripBraces(value)).join('[,]');
    case 'matching':
      return splitList(stripBraces(value))
        .map((pair) => {
          const dot = pair.indexOf('.');
          return dot < 0 ? pair : `${pair.slice(0, dot).trim()}[.]${pair.slice(dot + 1).trim()}`;
        })
        .join('[,]');
    default:
      // fill-in, numeric, likert, performance: one free value in SCORM 1.2, kept as written.
      return value;
  }
}

function scorm12Boolean(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 't' || v === 'true') return 'true';
  if (v === '0' || v === 'f' || v === 'false') return 'false';
  return value;
}

function stripBraces(value: string): string {
  const v = value.trim();
  return v.startsWith('{') && v.endsWith('}') ? v.slice(1, -1) : v;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
