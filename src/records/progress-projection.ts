/**
 * The progress projection, pure: what a registration's statements say about each unit (SCO, AU, activity) and
 * about the course. No I/O, no clock; the store runs it inside the transaction that writes the statements
 * (DESIGN.md "The one rule") and `rebuild-projections` runs it again from scratch.
 *
 * Shape: a fold. `foldStatements(plan, accumulator, statements)` takes statements in stored order (`seq`) and
 * returns the next accumulator; `summarizeProgress(plan, accumulator)` turns it into the rows a transcript shows.
 * Every step is order-independent or ordered by (timestamp, then stored order), so folding a registration's
 * non-voided statements in one go or batch by batch gives the same accumulator, to the byte once serialised:
 * that is what the rebuild test checks.
 *
 * Voided statements are not folded: the store folds only statements that are not voided and, when a statement is
 * voided, refolds the registration from its remaining statements (xAPI 1.0.3 §2.2.3: a voided statement must
 * not count; a fold cannot subtract a maximum, a minimum or a distinct count).
 */
import { cmi5ActivityIds, unitActivityId, type PackageFormat } from '../packages/index.js';
import { isIri } from '../shared/json-schema.js';
import { parseTimestampMs } from '../shared/xapi-formats.js';
import type { ProgressStatus, ProgressSuccess, RegistrationProgressRecord, UnitProgressRecord } from '../store/ports.js';

// ---------------------------------------------------------------------------
// Vocabulary the projection reads (ADL verbs, the SCORM profile, cmi5 §9)
// ---------------------------------------------------------------------------

const ADL = 'http://adlnet.gov/expapi/verbs/';
export const PROGRESS_VERBS = {
  initialized: `${ADL}initialized`,
  launched: `${ADL}launched`,
  attempted: `${ADL}attempted`,
  resumed: `${ADL}resumed`,
  suspended: `${ADL}suspended`,
  terminated: `${ADL}terminated`,
  exited: `${ADL}exited`,
  completed: `${ADL}completed`,
  passed: `${ADL}passed`,
  failed: `${ADL}failed`,
  progressed: `${ADL}progressed`,
  voided: `${ADL}voided`,
  abandoned: 'https://w3id.org/xapi/adl/verbs/abandoned',
  waived: 'https://w3id.org/xapi/adl/verbs/waived',
  satisfied: 'https://w3id.org/xapi/adl/verbs/satisfied',
} as const;

/** The SCORM profile's attempt activity type (grouping [course, attempt] on every statement of an attempt). */
const ATTEMPT_ACTIVITY_TYPE = 'http://adlnet.gov/expapi/activities/attempt';
/** cmi5 §9.6.2.1: the category of cmi5 defined statements (an AU's other statements must not carry it). */
const CMI5_CATEGORY = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
/** cmi5 §9.6.3.1. */
const CMI5_SESSION_EXTENSION = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';
/**
 * The academy's own statements about a certificate (records/certificates/certificate-statements.ts: `earned`, and
 * `retract` on revocation), recognised by their object's activity type. They are about the learning, not evidence
 * of it: the certificate is derived from this projection, so folding them back in would be circular.
 */
const CERTIFICATE_ACTIVITY_TYPE = 'http://id.tincanapi.com/activitytype/certificate';
const CERTIFICATE_VERBS: readonly string[] = ['http://id.tincanapi.com/verb/earned', 'http://activitystrea.ms/schema/1.0/retract'];
/**
 * SCORM 2004: the LMS's statements of the course's sequencing rollup (runtime/sequencing/course-status-statements.ts
 * `ROLLUP_EXTENSION`; the projection test checks the two agree). Contexts share no module for it, so the IRI is
 * written twice.
 */
const ROLLUP_EXTENSION = 'https://cadet.dev/xapi/extensions/sequencing-rollup';
/** cmi5 §9.4: the type of the course object of "satisfied". */
const CMI5_COURSE_TYPE = 'https://w3id.org/xapi/cmi5/activitytype/course';

/**
 * Time spent: which verbs carry a session's duration, per format. Durations of other verbs are left out because
 * they repeat time already counted: the SCORM profile puts `cmi.session_time` on terminated or suspended (§5.0);
 * cmi5 §9.5.4.1 has completed/passed/failed carry the time *so far* in the session and terminated the whole
 * session, and the LMS's abandoned carries the time of a session that never terminated (§9.5.4.2). xAPI content
 * follows no profile: terminated/suspended/exited count, and when a unit has none of them, the durations of its
 * completed/passed/failed are summed instead (content that reports time only there, like our xAPI demo course
 * would if it never sent terminated).
 */
const SESSION_END_VERBS: Readonly<Record<PackageFormat, readonly string[]>> = {
  scorm12: [PROGRESS_VERBS.terminated, PROGRESS_VERBS.suspended],
  scorm2004: [PROGRESS_VERBS.terminated, PROGRESS_VERBS.suspended],
  cmi5: [PROGRESS_VERBS.terminated, PROGRESS_VERBS.abandoned],
  xapi: [PROGRESS_VERBS.terminated, PROGRESS_VERBS.suspended, PROGRESS_VERBS.exited],
};
const FALLBACK_TIME_VERBS: readonly string[] = [PROGRESS_VERBS.completed, PROGRESS_VERBS.passed, PROGRESS_VERBS.failed];

// ---------------------------------------------------------------------------
// Plan: which activities are the course and its units, for one registration
// ---------------------------------------------------------------------------

export interface PlannedUnit {
  /** The unit's identifier in the course model (SCORM item, cmi5 AU id, xAPI activity). */
  readonly unitId: string;
  /** The activity IRI the runtime uses for it. */
  readonly activityId: string;
  /** Every IRI that names the unit as a statement's object (the runtime's, cmi5's LMS-generated one). */
  readonly matchIds: readonly string[];
}

export interface ProjectionPlan {
  readonly registrationId: string;
  readonly userId: string;
  readonly courseId: string;
  readonly versionId: string;
  readonly format: PackageFormat;
  /** IRIs that name the course itself. */
  readonly courseActivityIds: readonly string[];
  /** The package's own course identifier (cmi5: the publisher id in the grouping of the course's "satisfied"). */
  readonly coursePublisherId: string;
  /** In course order. */
  readonly units: readonly PlannedUnit[];
}

export interface PlanInput {
  readonly registration: { readonly id: string; readonly userId: string; readonly courseId: string; readonly versionId: string };
  readonly course: { readonly activityId: string };
  readonly model: {
    readonly format: PackageFormat;
    readonly identifier: string;
    readonly units: ReadonlyArray<{ readonly identifier: string }>;
  };
}


/**
 * The activity IRI of a unit, the rule of DESIGN.md "Identity and IRIs" as the runtime applies it
 * (runtime-service `unitActivityId`): SCORM `<course IRI>/<identifier>`, xAPI and cmi5 the package's own IRI
 * when the identifier is one.
 */
export function projectionPlan({ registration, course, model }: PlanInput): ProjectionPlan {
  const courseIri = course.activityId.replace(/\/+$/, '');
  const units = model.units.map((unit): PlannedUnit => {
    const activityId = unitActivityId(course.activityId, model.format, unit.identifier);
    // cmi5 §8.1.5: the LMS-generated AU id.
    const cmi5Id = cmi5ActivityIds(courseIri).au(unit.identifier);
    return { unitId: unit.identifier, activityId, matchIds: model.format === 'cmi5' ? unique([activityId, cmi5Id]) : [activityId] };
  });
  const courseActivityIds = unique([course.activityId, ...(model.format === 'xapi' && isIri(model.identifier) ? [model.identifier] : [])]);
  return {
    registrationId: registration.id,
    userId: registration.userId,
    courseId: registration.courseId,
    versionId: registration.versionId,
    format: model.format,
    courseActivityIds,
    coursePublisherId: model.identifier,
    units,
  };
}

// ---------------------------------------------------------------------------
// Accumulator: what the fold keeps (serialisable, stored beside the rows)
// ---------------------------------------------------------------------------

export interface UnitAccumulator {
  firstMs: number | null;
  lastMs: number | null;
  /** Earliest completion evidence (completed, result.completion true, waived). */
  completedMs: number | null;
  /** Earliest passed evidence (passed, result.success true). */
  passedMs: number | null;
  /** Earliest failed evidence (failed, result.success false). */
  failedMs: number | null;
  bestScore: number | null;
  lastScore: number | null;
  /** Timestamp of `lastScore`; a later or equal one replaces it (equal: the later stored wins). */
  lastScoreMs: number | null;
  /** SCORM: attempt IRIs; cmi5: session ids. Sorted, distinct. */
  attemptKeys: string[];
  /** xAPI: initialized/launched/attempted statements. */
  launches: number;
  sessionMs: number;
  sessionEnds: number;
  fallbackMs: number;
}

export interface ProgressAccumulator {
  /** Statements folded (voiding statements included, voided ones never). */
  statements: number;
  firstMs: number | null;
  lastMs: number | null;
  /** cmi5: earliest "satisfied" of the course. */
  courseSatisfiedMs: number | null;
  /** SCORM 2004: earliest completed / passed / failed of the course by its sequencing rollup (the LMS's statements). */
  courseCompletedMs: number | null;
  coursePassedMs: number | null;
  courseFailedMs: number | null;
  /** One per planned unit, in plan order. */
  units: UnitAccumulator[];
}

const emptyUnit = (): UnitAccumulator => ({
  firstMs: null,
  lastMs: null,
  completedMs: null,
  passedMs: null,
  failedMs: null,
  bestScore: null,
  lastScore: null,
  lastScoreMs: null,
  attemptKeys: [],
  launches: 0,
  sessionMs: 0,
  sessionEnds: 0,
  fallbackMs: 0,
});

export function emptyAccumulator(plan: ProjectionPlan): ProgressAccumulator {
  return { statements: 0, firstMs: null, lastMs: null, courseSatisfiedMs: null, courseCompletedMs: null, coursePassedMs: null, courseFailedMs: null, units: plan.units.map(emptyUnit) };
}

/**
 * A stored accumulator that no longer fits the plan (another unit count) is discarded: the caller refolds. So is
 * one stored before the course rollup fields existed: refolding gives them from the statements.
 */
export function fitsPlan(plan: ProjectionPlan, accumulator: ProgressAccumulator): boolean {
  return accumulator.units.length === plan.units.length && 'courseCompletedMs' in accumulator;
}

// ---------------------------------------------------------------------------
// The fold
// ---------------------------------------------------------------------------

/** A statement as stored (its `body`), parsed. Loose: validation made it safe, and the fold reads little. */
interface StoredStatementBody {
  verb?: { id?: string };
  object?: { objectType?: string; id?: string; definition?: { type?: string } };
  result?: { completion?: unknown; success?: unknown; duration?: unknown; score?: { scaled?: unknown; raw?: unknown; min?: unknown; max?: unknown } };
  context?: {
    contextActivities?: Record<string, Array<{ id?: string; definition?: { type?: string } }> | { id?: string } | undefined>;
    extensions?: Record<string, unknown>;
  };
  timestamp?: string;
  stored?: string;
}

const min = (a: number | null, b: number) => (a === null || b < a ? b : a);
const max = (a: number | null, b: number) => (a === null || b > a ? b : a);

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function activitiesOf(statement: StoredStatementBody, list: 'parent' | 'grouping' | 'category'): Array<{ id?: string; definition?: { type?: string } }> {
  const value = statement.context?.contextActivities?.[list];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** xAPI 1.0.3 §4.6 (ISO 8601 durations): milliseconds, rounded; null when not a duration. Years 365 days, months 30. */
export function parseDurationMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return null;
  const [, y, mo, w, d, h, mi, s] = match.map((part) => (part === undefined ? 0 : Number(part)));
  const days = (y as number) * 365 + (mo as number) * 30 + (w as number) * 7 + (d as number);
  return Math.round((((days * 24 + (h as number)) * 60 + (mi as number)) * 60 + (s as number)) * 1000);
}

/** result.score.scaled, or (raw - min) / (max - min) when only those are given. Null when neither. */
function scaledScore(score: NonNullable<StoredStatementBody['result']>['score']): number | null {
  if (!score) return null;
  if (typeof score.scaled === 'number') return score.scaled;
  const { raw, min: low, max: high } = score;
  if (typeof raw === 'number' && typeof low === 'number' && typeof high === 'number' && high > low) return (raw - low) / (high - low);
  return null;
}

/** Which planned unit a statement is about, and whether it is about the unit itself or something inside it. */
function unitOf(plan: ProjectionPlan, statement: StoredStatementBody): { index: number; itself: boolean } | null {
  const objectId = statement.object?.id;
  if (objectId !== undefined && (statement.object?.objectType ?? 'Activity') === 'Activity') {
    const index = plan.units.findIndex((unit) => unit.matchIds.includes(objectId));
    if (index >= 0) return { index, itself: true };
  }
  if (plan.format === 'cmi5') {
    // cmi5 §9.6.2.3: the AU's publisher id is in the grouping of everything sent in its session; only cmi5
    // defined statements (§9.6.2.1 category) are about the AU itself.
    const grouping = activitiesOf(statement, 'grouping').map((a) => a.id);
    const index = plan.units.findIndex((unit) => grouping.includes(unit.unitId));
    if (index >= 0) {
      const cmi5Defined = activitiesOf(statement, 'category').some((a) => a.id === CMI5_CATEGORY);
      const verb = statement.verb?.id;
      return { index, itself: cmi5Defined && verb !== PROGRESS_VERBS.satisfied };
    }
  }
  // Interactions and objectives name their SCO as parent (SCORM profile §6.0); xAPI content often does the same.
  const parents = activitiesOf(statement, 'parent').map((a) => a.id);
  const index = plan.units.findIndex((unit) => unit.matchIds.some((id) => parents.includes(id)));
  return index >= 0 ? { index, itself: false } : null;
}

function attemptKeyOf(plan: ProjectionPlan, statement: StoredStatementBody): string | null {
  if (plan.format === 'scorm12' || plan.format === 'scorm2004') {
    const attempt = activitiesOf(statement, 'grouping').find((a) => a.definition?.type === ATTEMPT_ACTIVITY_TYPE || (a.id ?? '').includes('?attemptId='));
    return attempt?.id ?? null;
  }
  if (plan.format === 'cmi5') {
    // A waived statement has a session id of its own (§9.3.7.0-3) that is no session of the learner's.
    if (statement.verb?.id === PROGRESS_VERBS.waived) return null;
    const session = statement.context?.extensions?.[CMI5_SESSION_EXTENSION];
    return typeof session === 'string' ? session : null;
  }
  return null;
}

function isCourseSatisfied(plan: ProjectionPlan, statement: StoredStatementBody): boolean {
  if (statement.verb?.id !== PROGRESS_VERBS.satisfied) return false;
  const object = statement.object;
  if (object?.definition?.type === CMI5_COURSE_TYPE) return true;
  if (object?.id !== undefined && plan.courseActivityIds.includes(object.id)) return true;
  return activitiesOf(statement, 'grouping').some((a) => a.id === plan.coursePublisherId);
}

/** SCORM 2004: the LMS's statement of the course's rollup (completed, passed, failed), by its context extension. */
function courseRollupVerb(plan: ProjectionPlan, statement: StoredStatementBody): 'completed' | 'passed' | 'failed' | null {
  if (plan.format !== 'scorm2004' || statement.context?.extensions?.[ROLLUP_EXTENSION] === undefined) return null;
  if (statement.object?.id === undefined || !plan.courseActivityIds.includes(statement.object.id)) return null;
  const verb = statement.verb?.id;
  return verb === PROGRESS_VERBS.completed ? 'completed' : verb === PROGRESS_VERBS.passed ? 'passed' : verb === PROGRESS_VERBS.failed ? 'failed' : null;
}

function insertSorted(list: string[], value: string): void {
  if (list.includes(value)) return;
  list.push(value);
  list.sort();
}

function foldUnit(plan: ProjectionPlan, unit: UnitAccumulator, statement: StoredStatementBody, atMs: number, itself: boolean): void {
  unit.firstMs = min(unit.firstMs, atMs);
  unit.lastMs = max(unit.lastMs, atMs);
  const attemptKey = attemptKeyOf(plan, statement);
  if (attemptKey !== null) insertSorted(unit.attemptKeys, attemptKey);
  if (!itself) return;
  const verb = statement.verb?.id ?? '';
  const result = statement.result ?? {};
  if (verb === PROGRESS_VERBS.initialized || verb === PROGRESS_VERBS.launched || verb === PROGRESS_VERBS.attempted) unit.launches += 1;
  if (verb === PROGRESS_VERBS.completed || verb === PROGRESS_VERBS.waived || result.completion === true) unit.completedMs = min(unit.completedMs, atMs);
  if (verb === PROGRESS_VERBS.passed || verb === PROGRESS_VERBS.waived || result.success === true) unit.passedMs = min(unit.passedMs, atMs);
  else if (verb === PROGRESS_VERBS.failed || result.success === false) unit.failedMs = min(unit.failedMs, atMs);
  // SCORM profile §6.0: progressed carries the progress measure in score.scaled; it is no score.
  if (verb !== PROGRESS_VERBS.progressed) {
    const score = scaledScore(result.score);
    if (score !== null) {
      unit.bestScore = max(unit.bestScore, score);
      if (unit.lastScoreMs === null || atMs >= unit.lastScoreMs) {
        unit.lastScore = score;
        unit.lastScoreMs = atMs;
      }
    }
  }
  const duration = parseDurationMs(result.duration);
  if (duration !== null) {
    if (SESSION_END_VERBS[plan.format].includes(verb)) {
      unit.sessionMs += duration;
      unit.sessionEnds += 1;
    } else if (plan.format === 'xapi' && FALLBACK_TIME_VERBS.includes(verb)) unit.fallbackMs += duration;
  }
}

/** When a statement happened: its timestamp (set by the LRS when absent), else when it was stored. */
function instantOf(statement: StoredStatementBody): number | null {
  for (const value of [statement.timestamp, statement.stored]) {
    if (typeof value !== 'string') continue;
    const ms = parseTimestampMs(value);
    if (ms !== null) return ms;
  }
  return null;
}

/**
 * Folds statements (stored bodies, JSON text or parsed) into an accumulator, in the order given, which must be
 * stored order. The caller passes only statements that are not voided. Returns a new accumulator.
 */
export function foldStatements(plan: ProjectionPlan, accumulator: ProgressAccumulator, statements: Iterable<string | object>): ProgressAccumulator {
  const next: ProgressAccumulator = { ...accumulator, units: accumulator.units.map((unit) => ({ ...unit, attemptKeys: [...unit.attemptKeys] })) };
  for (const item of statements) {
    const statement = (typeof item === 'string' ? JSON.parse(item) : item) as StoredStatementBody;
    if (statement.object?.definition?.type === CERTIFICATE_ACTIVITY_TYPE && CERTIFICATE_VERBS.includes(statement.verb?.id ?? '')) continue;
    const atMs = instantOf(statement);
    next.statements += 1;
    // A voiding statement targets a statement, not learning (xAPI 1.0.3 §2.2.3): it counts as stored, nothing more.
    if (statement.verb?.id === PROGRESS_VERBS.voided || atMs === null) continue;
    next.firstMs = min(next.firstMs, atMs);
    next.lastMs = max(next.lastMs, atMs);
    if (isCourseSatisfied(plan, statement)) {
      next.courseSatisfiedMs = min(next.courseSatisfiedMs, atMs);
      continue;
    }
    const rollup = courseRollupVerb(plan, statement);
    if (rollup !== null) {
      if (rollup === 'completed') next.courseCompletedMs = min(next.courseCompletedMs, atMs);
      else if (rollup === 'passed') next.coursePassedMs = min(next.coursePassedMs, atMs);
      else next.courseFailedMs = min(next.courseFailedMs, atMs);
      continue;
    }
    const found = unitOf(plan, statement);
    if (found) foldUnit(plan, next.units[found.index] as UnitAccumulator, statement, atMs, found.itself);
  }
  return next;
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

export type { ProgressStatus, ProgressSuccess };
export type UnitProgress = UnitProgressRecord;
export type RegistrationProgress = RegistrationProgressRecord;

/** Success of a unit: passed once any evidence says so (never regresses), else failed, else unknown. */
const unitSuccess = (unit: UnitAccumulator): ProgressSuccess => (unit.passedMs !== null ? 'passed' : unit.failedMs !== null ? 'failed' : 'unknown');

function unitAttempts(plan: ProjectionPlan, unit: UnitAccumulator): number {
  if (plan.format === 'xapi') return unit.launches;
  // A unit used without any attempt or session marker (e.g. an AU waived only) has been attempted zero times.
  return unit.attemptKeys.length;
}

/** What the course-level statements say: cmi5's satisfied, SCORM 2004's rollup. */
export type CourseEvidence = Pick<ProgressAccumulator, 'courseSatisfiedMs'> & Partial<Pick<ProgressAccumulator, 'courseCompletedMs' | 'coursePassedMs' | 'courseFailedMs'>>;

const earliestOf = (a: number | null | undefined, b: number | null | undefined): number | null => (a == null ? (b ?? null) : b == null ? a : Math.min(a, b));

/**
 * The course's completion rule, in one place (certificates reuse it): SCORM 1.2 and xAPI courses are complete when
 * every unit is completed or passed (at the latest of those moments); SCORM 2004 courses when the sequencing
 * rollup of the root activity (SN RB.1.5, stated by the LMS) is completed or satisfied, at the earliest of those;
 * cmi5 courses when the LMS recorded "satisfied" for the course (cmi5 §9.3.9, which already applies each AU's
 * moveOn). Null: not complete.
 */
export function courseCompletion(
  format: PackageFormat,
  units: ReadonlyArray<Pick<UnitAccumulator, 'completedMs' | 'passedMs'>>,
  course: CourseEvidence,
): number | null {
  if (format === 'cmi5') return course.courseSatisfiedMs;
  if (format === 'scorm2004') return earliestOf(course.courseCompletedMs, course.coursePassedMs);
  if (units.length === 0) return null;
  let latest = Number.NEGATIVE_INFINITY;
  for (const unit of units) {
    const met = unit.completedMs === null ? unit.passedMs : unit.passedMs === null ? unit.completedMs : Math.min(unit.completedMs, unit.passedMs);
    if (met === null) return null;
    latest = Math.max(latest, met);
  }
  return latest;
}

export function summarizeProgress(plan: ProjectionPlan, accumulator: ProgressAccumulator): RegistrationProgress {
  const units = plan.units.map((planned, position): UnitProgress => {
    const unit = accumulator.units[position] ?? emptyUnit();
    const timeSpentMs = unit.sessionEnds > 0 ? unit.sessionMs : plan.format === 'xapi' ? unit.fallbackMs : 0;
    return {
      unitId: planned.unitId,
      position,
      activityId: planned.activityId,
      status: unit.completedMs !== null ? 'completed' : unit.firstMs !== null ? 'in-progress' : 'not-attempted',
      success: unitSuccess(unit),
      bestScore: unit.bestScore,
      lastScore: unit.lastScore,
      attempts: unitAttempts(plan, unit),
      timeSpentMs,
      firstAccessMs: unit.firstMs,
      lastAccessMs: unit.lastMs,
      completedMs: unit.completedMs,
    };
  });
  const completedMs = courseCompletion(plan.format, accumulator.units, accumulator);
  const scores = units.map((unit) => unit.bestScore).filter((score): score is number => score !== null);
  const anyFailed = units.some((unit) => unit.success === 'failed');
  const anyPassed = units.some((unit) => unit.success === 'passed');
  // SCORM 2004: the rollup's success, passed once stated (never regresses, as for units), else failed.
  const rollupSuccess: ProgressSuccess = accumulator.coursePassedMs != null ? 'passed' : accumulator.courseFailedMs != null ? 'failed' : 'unknown';
  return {
    registrationId: plan.registrationId,
    userId: plan.userId,
    courseId: plan.courseId,
    versionId: plan.versionId,
    format: plan.format,
    status: completedMs !== null ? 'completed' : accumulator.firstMs !== null ? 'in-progress' : 'not-attempted',
    // A course fails when a unit failed and was never passed; it passes when complete, nothing failed and something
    // passed. SCORM 2004: what its rollup says.
    success: plan.format === 'scorm2004' ? rollupSuccess : anyFailed ? 'failed' : completedMs !== null && anyPassed ? 'passed' : 'unknown',
    score: scores.length === 0 ? null : scores.reduce((sum, score) => sum + score, 0) / scores.length,
    timeSpentMs: units.reduce((sum, unit) => sum + unit.timeSpentMs, 0),
    firstAccessMs: accumulator.firstMs,
    lastAccessMs: accumulator.lastMs,
    completedMs,
    statements: accumulator.statements,
    units,
  };
}

/** The projection of one registration from its non-voided statements, in stored order. */
export function projectRegistration(plan: ProjectionPlan, statements: Iterable<string | object>): { accumulator: ProgressAccumulator; progress: RegistrationProgress } {
  const accumulator = foldStatements(plan, emptyAccumulator(plan), statements);
  return { accumulator, progress: summarizeProgress(plan, accumulator) };
}
