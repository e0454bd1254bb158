/**
 * Rule conditions in SCORM 2004's three-valued logic (SN book 4th ed. UP.2.1, RB.1.4.2): a condition is true,
 * false or unknown; `not` leaves unknown unknown; `all` is true only when every condition is true, `any` when one
 * is. So `not satisfied` does not hold for an objective whose status is unknown — packages that mean "until it is
 * satisfied" add `not objectiveStatusKnown` (ADL/Rustici's sequencing examples do).
 */
import type { RuleCondition, RuleConditionName, SequencingRule } from '../../packages/course-model.js';
import { PRIMARY_OBJECTIVE, type Activity } from './activity-tree.js';

export type Truth = true | false | 'unknown';

export interface ObjectiveState {
  readonly satisfiedKnown: boolean;
  readonly satisfied: boolean;
  readonly measureKnown: boolean;
  readonly measure: number;
}

export const UNKNOWN_OBJECTIVE: ObjectiveState = Object.freeze({ satisfiedKnown: false, satisfied: false, measureKnown: false, measure: 0 });

/** The tracking status of one activity (SN §4.2: activity, attempt and objective progress information). */
export interface ActivityState {
  /** Activity Progress Status: an attempt has begun. */
  readonly attempted: boolean;
  readonly attemptCount: number;
  /** Active or suspended: an attempt that has not ended (a limit check does not apply to it, UP.1). */
  readonly active: boolean;
  /**
   * Attempt Absolute Duration (SN §4.2.1.3: wall-clock time from the attempt's start to its end, or to now while it
   * is not over), null when unknown (no attempt, or no clock given to the evaluation).
   */
  readonly attemptDurationMs: number | null;
  /** Attempt Progress Status. */
  readonly completionKnown: boolean;
  readonly completed: boolean;
  /** By `ObjectiveDefinition.key`: the effective values, global objectives read in. */
  readonly objectives: ReadonlyMap<string, ObjectiveState>;
}

export const negate = (value: Truth): Truth => (value === 'unknown' ? 'unknown' : !value);

/** `all` / `any` over condition values (SN UP.2.1 step 3, RB.1.4.2). */
export function combine(values: readonly Truth[], combination: 'all' | 'any'): Truth {
  if (combination === 'all') return values.includes(false) ? false : values.includes('unknown') ? 'unknown' : true;
  return values.includes(true) ? true : values.includes('unknown') ? 'unknown' : false;
}

/** The attempt limit part of the Limit Conditions Check Process (SN UP.1 step 3). */
export function attemptLimitExceeded(activity: Activity, state: ActivityState): boolean {
  if (!activity.tracked || state.active) return false;
  return activity.attemptLimit !== undefined && state.attempted && state.attemptCount >= activity.attemptLimit;
}

/** Whether the attempt has lasted its `attemptAbsoluteDurationLimit` (SN §3.10), whether or not it is over. */
export function durationLimitReached(activity: Activity, state: ActivityState): boolean {
  const limit = activity.attemptAbsoluteDurationLimitMs;
  return activity.tracked && limit !== undefined && state.attemptDurationMs !== null && state.attemptDurationMs >= limit;
}

/**
 * Limit Conditions Check Process (SN UP.1): attempt limit and attempt absolute duration limit. Not for an activity
 * that is active or suspended (step 2): the limits keep a finished activity from being delivered again.
 */
export function limitConditionsViolated(activity: Activity, state: ActivityState): 'attempts' | 'duration' | null {
  if (!activity.tracked || state.active) return null;
  if (attemptLimitExceeded(activity, state)) return 'attempts';
  return durationLimitReached(activity, state) ? 'duration' : null;
}

const objectiveConditions: ReadonlySet<RuleConditionName> = new Set([
  'satisfied', 'objectiveStatusKnown', 'objectiveMeasureKnown', 'objectiveMeasureGreaterThan', 'objectiveMeasureLessThan', 'completed', 'activityProgressKnown',
]);

function objectiveFor(activity: Activity, state: ActivityState, referenced: string | undefined): ObjectiveState | undefined {
  if (referenced === undefined) return state.objectives.get(PRIMARY_OBJECTIVE) ?? UNKNOWN_OBJECTIVE;
  const definition = activity.objectives.find((objective) => objective.objectiveID === referenced);
  return definition === undefined ? undefined : (state.objectives.get(definition.key) ?? UNKNOWN_OBJECTIVE);
}

/** One sequencing rule condition, before its operator (SN Table 3.4.2.1a; `outsideAvailableTimeRange` is never true: no begin/end time is read). */
export function evaluateCondition(activity: Activity, state: ActivityState, condition: RuleCondition): Truth {
  // SN §3.4.2: an untracked activity has no tracking status to test.
  if (!activity.tracked && objectiveConditions.has(condition.condition)) return 'unknown';
  const objective = objectiveFor(activity, state, condition.referencedObjective);
  const threshold = condition.measureThreshold ?? 0;
  switch (condition.condition) {
    case 'satisfied':
      return objective === undefined || !objective.satisfiedKnown ? 'unknown' : objective.satisfied;
    case 'objectiveStatusKnown':
      return objective?.satisfiedKnown ?? false;
    case 'objectiveMeasureKnown':
      return objective?.measureKnown ?? false;
    case 'objectiveMeasureGreaterThan':
      return objective === undefined || !objective.measureKnown ? 'unknown' : objective.measure > threshold;
    case 'objectiveMeasureLessThan':
      return objective === undefined || !objective.measureKnown ? 'unknown' : objective.measure < threshold;
    case 'completed':
      return state.completionKnown ? state.completed : 'unknown';
    case 'activityProgressKnown':
      return state.attempted && state.completionKnown;
    case 'attempted':
      return state.attempted && state.attemptCount > 0;
    case 'attemptLimitExceeded':
      return attemptLimitExceeded(activity, state);
    case 'always':
      return true;
    case 'timeLimitExceeded':
      // SN Table 3.4.2.1a: the attempt absolute duration limit has been reached (true while the attempt still runs).
      return durationLimitReached(activity, state);
    case 'outsideAvailableTimeRange':
      return false;
  }
}

/** Whether a rule's conditions hold (SN UP.2.1 Sequencing Rule Check Subprocess). */
export function ruleHolds(activity: Activity, state: ActivityState, rule: SequencingRule): boolean {
  const values = rule.conditions.map((condition) => {
    const value = evaluateCondition(activity, state, condition);
    return condition.operator === 'not' ? negate(value) : value;
  });
  return values.length > 0 && combine(values, rule.conditionCombination) === true;
}

export type PreconditionAction = 'skip' | 'disabled' | 'hiddenFromChoice' | 'stopForwardTraversal';

/** Sequencing Rules Check Process (SN UP.2) on the precondition rules, for one action. */
export function preconditionHolds(activity: Activity, state: ActivityState, action: PreconditionAction): boolean {
  return activity.preConditionRules.some((rule) => rule.action === action && ruleHolds(activity, state, rule));
}
