import { canonicalJson } from '../../shared/canonical-json.js';

/** xAPI 2.0 §4.2.7: durations compare at 0.01 s precision, so finer digits of the seconds are dropped. */
function durationToHundredths(duration: string): string {
  return duration.replace(/(\d+)\.(\d{1,2})\d*S$/, (_all, whole: string, fraction: string) => `${whole}.${fraction}S`);
}

/**
 * Canonical text of a statement for the comparisons the spec defines (a resent statement, a signature's
 * payload): key order does not matter, the properties the LRS sets (`stored`, `authority`, `version`) and the
 * ones named in `ignore` are left out, and durations are cut to hundredths of a second.
 */
export function comparableStatement(statement: object, ignore: readonly string[] = []): string {
  const copy: Record<string, unknown> = { ...(statement as Record<string, unknown>) };
  for (const name of ['stored', 'authority', 'version', ...ignore]) delete copy[name];
  const result = copy.result as { duration?: unknown } | undefined;
  if (result && typeof result.duration === 'string') copy.result = { ...result, duration: durationToHundredths(result.duration) };
  return canonicalJson(copy);
}
