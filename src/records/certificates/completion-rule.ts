/**
 * When a registration earns its course's certificate: the course's rule (a per-course setting, `CertificateRule`),
 * applied to the progress projection's fold state. Pure; the store runs it in the transaction of the statements
 * that may meet it. Without a setting, the rule is the transcript's own completion rule (`courseCompletion`):
 * SCORM 1.2 and xAPI every unit completed or passed; SCORM 2004 the course's sequencing rollup completed or
 * satisfied (the LMS's course statements, SN RB.1.5), so a package whose rollup leaves some SCOs out (a pretest, an
 * optional lesson) is certified as its manifest says; cmi5 the course "satisfied" (cmi5 §9.3.9, which applies each
 * AU's moveOn). The `completed`, `passed` and `completed-or-passed` settings read the same rollup for SCORM 2004, and
 * every unit for the other SCORM and xAPI courses.
 */
import type { PackageFormat } from '../../packages/course-model.js';
import type { CertificateRule } from '../../store/ports.js';
import { courseCompletion, type CourseEvidence, type ProgressAccumulator } from '../progress-projection.js';

export const certificateRules: readonly CertificateRule[] = ['completed-or-passed', 'completed', 'passed', 'satisfied', 'none'];

export const isCertificateRule = (value: unknown): value is CertificateRule => typeof value === 'string' && (certificateRules as readonly string[]).includes(value);

/** The rule of a course without a setting. */
export const defaultCertificateRule = (format: PackageFormat): CertificateRule => (format === 'cmi5' ? 'satisfied' : 'completed-or-passed');

/** Whether a rule can be met by a course of this format: only cmi5 records "satisfied" for a course. */
export const ruleFitsFormat = (rule: CertificateRule, format: PackageFormat): boolean => rule !== 'satisfied' || format === 'cmi5';

type UnitEvidence = Pick<ProgressAccumulator['units'][number], 'completedMs' | 'passedMs'>;

/** The latest of each unit's moment, or null when a unit has none (or there is no unit). */
function everyUnit(units: readonly UnitEvidence[], moment: (unit: UnitEvidence) => number | null): number | null {
  if (units.length === 0) return null;
  let latest = Number.NEGATIVE_INFINITY;
  for (const unit of units) {
    const met = moment(unit);
    if (met === null) return null;
    latest = Math.max(latest, met);
  }
  return latest;
}

const earliest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** When the rule was met (statement time), or null when it is not (yet). `rule` null: the format's default. */
export function certificateEarnedMs(
  rule: CertificateRule | null,
  format: PackageFormat,
  accumulator: Pick<ProgressAccumulator, 'units'> & CourseEvidence,
): number | null {
  // SCORM 2004: the course's rollup, not its units (SN RB.1.5: the manifest says which SCOs count).
  const rollup = format === 'scorm2004';
  switch (rule) {
    case null:
      return courseCompletion(format, accumulator.units, accumulator);
    case 'none':
      return null;
    case 'satisfied':
      return accumulator.courseSatisfiedMs;
    case 'completed':
      return rollup ? (accumulator.courseCompletedMs ?? null) : everyUnit(accumulator.units, (unit) => unit.completedMs);
    case 'passed':
      return rollup ? (accumulator.coursePassedMs ?? null) : everyUnit(accumulator.units, (unit) => unit.passedMs);
    case 'completed-or-passed':
      return rollup ? earliest(accumulator.courseCompletedMs ?? null, accumulator.coursePassedMs ?? null) : everyUnit(accumulator.units, (unit) => earliest(unit.completedMs, unit.passedMs));
  }
}
