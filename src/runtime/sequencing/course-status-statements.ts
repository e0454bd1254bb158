/**
 * The course's status as the LMS states it: for SCORM 2004 the course's completion and success are the root
 * activity's rollup (SN book 4th ed. RB.1.5), which no SCO reports. Statements stay the source of truth
 * (DESIGN.md "The one rule"), so when a commit changes the rollup the runtime writes a course-level statement —
 * `completed`, `passed` or `failed`, object the course activity — in the same write as the commit's own statements.
 *
 * They are marked as the LMS's by a context extension (and the runtime's authority): the progress projection
 * (records/progress-projection.ts) takes the course's completion and success from them, and from nothing else, for
 * SCORM 2004 courses. One statement per change: a commit that leaves the rollup as it was writes none, and a replayed
 * commit is stale before it gets here (commit sequence), so replays write nothing twice.
 */
import type { ActivityStatus } from './index.js';

/** The context extension of the LMS's rollup statements; its value is the root activity (organization) identifier. */
export const ROLLUP_EXTENSION = 'https://cadet.dev/xapi/extensions/sequencing-rollup';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const COURSE_TYPE = 'http://adlnet.gov/expapi/activities/course';

export type CourseStatusChange = 'completed' | 'passed' | 'failed';

/**
 * What changed in the root's rollup: `completed` when it becomes completed; `passed`/`failed` when its success
 * becomes known or flips. Becoming incomplete or unknown again is not stated (there is no verb for it, and the
 * projection keeps the earliest evidence, as it does for units).
 */
export function courseStatusChanges(before: ActivityStatus | null, after: ActivityStatus | null): CourseStatusChange[] {
  if (after === null) return [];
  const changes: CourseStatusChange[] = [];
  if (after.completion === 'completed' && before?.completion !== 'completed') changes.push('completed');
  if (after.success !== 'unknown' && after.success !== before?.success) changes.push(after.success);
  return changes;
}

export interface CourseStatementContext {
  readonly actor: object;
  readonly registration: string;
  readonly courseActivityId: string;
  readonly courseTitle: Readonly<Record<string, string>>;
  /** The root activity (the default organization's identifier). */
  readonly rootActivity: string;
  readonly atMs: number;
  readonly platform: string;
}

/** The statements for the changes, with the rollup's measure as the score of passed/failed. */
export function courseStatusStatements(changes: readonly CourseStatusChange[], status: ActivityStatus, context: CourseStatementContext, newId: () => string): object[] {
  return changes.map((change) => ({
    id: newId(),
    actor: context.actor,
    verb: { id: `${ADL}${change}`, display: { 'en-US': change } },
    object: { objectType: 'Activity', id: context.courseActivityId, definition: { type: COURSE_TYPE, name: { ...context.courseTitle } } },
    result:
      change === 'completed'
        ? { completion: true }
        : { success: change === 'passed', ...(status.completion === 'completed' && { completion: true }), ...(status.scaled !== undefined && { score: { scaled: status.scaled } }) },
    context: { registration: context.registration, platform: context.platform, extensions: { [ROLLUP_EXTENSION]: context.rootActivity } },
    timestamp: new Date(context.atMs).toISOString(),
  }));
}
