/**
 * Satisfaction (cmi5 §13.1.4 moveOn, §9.3.9 Satisfied): whether an AU has met its moveOn
 * criteria in a registration, and which blocks and the course that makes satisfied.
 */
import type { Cmi5MoveOn, CourseModel, CourseNode, LanguageMap, LaunchableUnit } from '../../packages/index.js';
import type { Cmi5AuProgress } from './cmi5-session.js';
import { NO_PROGRESS } from './cmi5-session.js';

/**
 * §13.1.4 moveOn: Passed needs "passed", Completed needs "completed", CompletedAndPassed both,
 * CompletedOrPassed either, NotApplicable nothing. §9.3.9: a waived AU has met its criteria.
 */
export function evaluateMoveOn(au: Cmi5MoveOn | LaunchableUnit, progress: Cmi5AuProgress): boolean {
  const moveOn = typeof au === 'string' ? au : (au.cmi5?.moveOn ?? 'NotApplicable');
  if (progress.waived) return true;
  switch (moveOn) {
    case 'NotApplicable':
      return true;
    case 'Passed':
      return progress.passed;
    case 'Completed':
      return progress.completed;
    case 'CompletedAndPassed':
      return progress.completed && progress.passed;
    case 'CompletedOrPassed':
      return progress.completed || progress.passed;
  }
}

/** A block or the course that has become satisfied. */
export interface SatisfiedNode {
  readonly kind: 'block' | 'course';
  /** The id in the course structure (the publisher's). */
  readonly publisherId: string;
  readonly title: LanguageMap;
}

export interface SatisfiedRollup {
  /** Publisher ids of the AUs that meet their moveOn criteria. */
  readonly satisfiedAus: string[];
  /** Blocks (innermost first, in document order) then the course, not in `alreadySatisfied`. */
  readonly newlySatisfied: SatisfiedNode[];
}

/**
 * §9.3.9: a block is satisfied when every AU in it (nested blocks included) meets its moveOn
 * criteria; the course when every AU of the course does. `progress` is keyed by the
 * publisher's AU id (absent: nothing sent yet); `alreadySatisfied` holds the publisher ids of
 * the blocks and course already reported in this registration, which the LMS SHOULD NOT
 * report again. At registration time (§9.6.1, empty progress), NotApplicable AUs can already
 * satisfy blocks and the course.
 */
export function satisfiedRollup(
  course: CourseModel,
  progress: ReadonlyMap<string, Cmi5AuProgress>,
  alreadySatisfied: ReadonlySet<string> = new Set(),
): SatisfiedRollup {
  const satisfiedAus: string[] = [];
  const newlySatisfied: SatisfiedNode[] = [];
  const visit = (node: CourseNode): boolean => {
    if (node.unit !== undefined) {
      const ok = evaluateMoveOn(node.unit, progress.get(node.unit.identifier) ?? NO_PROGRESS);
      if (ok) satisfiedAus.push(node.unit.identifier);
      return ok;
    }
    // Every child is visited (no short-circuit) so nested blocks are reported too.
    const ok = node.children.map(visit).every(Boolean);
    if (ok && !alreadySatisfied.has(node.identifier)) newlySatisfied.push({ kind: 'block', publisherId: node.identifier, title: node.title });
    return ok;
  };
  const items = course.organizations.find((o) => o.identifier === course.defaultOrganization)?.items ?? course.organizations[0]?.items ?? [];
  const all = items.map(visit).every(Boolean);
  if (all && items.length > 0 && !alreadySatisfied.has(course.identifier)) {
    newlySatisfied.push({ kind: 'course', publisherId: course.identifier, title: course.title });
  }
  return { satisfiedAus, newlySatisfied };
}
