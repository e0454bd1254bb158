/**
 * The tracking model of a registration (SN book 4th ed. §4.2), rebuilt from its attempts: what the SCOs committed
 * (the runtime's normalised CMI state) becomes each leaf's attempt and objective progress; global objectives are
 * written and read through `mapInfo` (SN §4.2.1.2); clusters get their status by rollup (SN §4.6, RB.1.1–RB.1.4).
 *
 * The runtime keeps attempts of SCOs only, so a cluster's attempts are inferred from the order of its SCOs'
 * attempts: an attempt of a cluster begins when one of its SCOs is launched after the learner was elsewhere, or
 * after a SCO of it ended with an `exitParent`/`exitAll` post-condition rule that held (SN's exit actions end
 * the parent's attempt; a `retry` then starts a new one). The rules of clusters themselves are applied when the
 * navigation is decided (termination.ts), not here.
 */
import type { ScormCmiState, ScormObjective } from '../scorm-to-xapi/scorm-cmi-types.js';
import type { RollupRule, RuleConditionName } from '../../packages/course-model.js';
import { isWithin, PRIMARY_OBJECTIVE, type Activity, type ActivityTree, type ObjectiveDefinition } from './activity-tree.js';
import { combine, evaluateCondition, negate, preconditionHolds, ruleHolds, UNKNOWN_OBJECTIVE, type ActivityState, type ObjectiveState, type Truth } from './rule-conditions.js';

/** What the tracking model needs of an attempt (`AttemptRecord` of src/store/ports.ts has it). */
export interface SequencingAttempt {
  readonly unitId: string;
  readonly number: number;
  readonly createdMs: number;
  readonly endedMs: number | null;
  /** The runtime's attempt state: `ScormAttemptState` (`{cmi, raw, session}`), null before the first commit. */
  readonly state: unknown;
}

export interface TrackingModel {
  readonly states: ReadonlyMap<string, ActivityState>;
  /** Global objectives by `targetObjectiveID`. */
  readonly globals: ReadonlyMap<string, ObjectiveState>;
  stateOf(activity: Activity): ActivityState;
}

interface LocalTracking {
  readonly completionKnown: boolean;
  readonly completed: boolean;
  readonly objectives: Map<string, ObjectiveState>;
}

const cmiOf = (attempt: SequencingAttempt | undefined): ScormCmiState | null => {
  const state = attempt?.state as { cmi?: unknown } | null | undefined;
  return state !== null && typeof state === 'object' && state.cmi !== null && typeof state.cmi === 'object' ? (state.cmi as ScormCmiState) : null;
};

/** RB.1.2.a, applied to any objective that is satisfied by measure. */
function byMeasure(definition: ObjectiveDefinition, objective: ObjectiveState): ObjectiveState {
  if (!definition.satisfiedByMeasure) return objective;
  return objective.measureKnown
    ? { ...objective, satisfiedKnown: true, satisfied: objective.measure >= definition.minNormalizedMeasure }
    : { ...objective, satisfiedKnown: false, satisfied: false };
}

function objectiveFromCmi(success: string | undefined, scaled: number | undefined): ObjectiveState {
  const satisfiedKnown = success === 'passed' || success === 'failed';
  return { satisfiedKnown, satisfied: success === 'passed', measureKnown: typeof scaled === 'number', measure: scaled ?? 0 };
}

/**
 * A SCO's own tracking from one attempt's CMI state (SN §4.2 / RTE §4.2: completion_status → attempt progress,
 * success_status and score.scaled → the primary objective, cmi.objectives.n → the objective of the same id), with
 * the End Attempt Process's defaults (SN UP.4) for content that does not set completion or success itself.
 */
function localTracking(activity: Activity, cmi: ScormCmiState | null, ended: boolean): LocalTracking {
  const objectives = new Map<string, ObjectiveState>();
  if (!activity.tracked) return { completionKnown: false, completed: false, objectives };
  let completionKnown = cmi !== null && cmi.completion !== 'unknown';
  let completed = cmi?.completion === 'completed';
  if (ended && !activity.completionSetByContent && !completionKnown) [completionKnown, completed] = [true, true];
  for (const definition of activity.objectives) {
    let objective: ObjectiveState;
    if (definition.primary) objective = cmi === null ? UNKNOWN_OBJECTIVE : objectiveFromCmi(cmi.success, cmi.score?.scaled);
    else {
      const written: ScormObjective | undefined = cmi?.objectives?.find((o) => o.id === definition.objectiveID);
      objective = written === undefined ? UNKNOWN_OBJECTIVE : objectiveFromCmi(written.success, written.score?.scaled);
    }
    objective = byMeasure(definition, objective);
    if (definition.primary && ended && !activity.objectiveSetByContent && !objective.satisfiedKnown) objective = { ...objective, satisfiedKnown: true, satisfied: true };
    objectives.set(definition.key, objective);
  }
  return { completionKnown, completed, objectives };
}

function writeGlobals(activity: Activity, objectives: ReadonlyMap<string, ObjectiveState>, globals: Map<string, ObjectiveState>): void {
  for (const definition of activity.objectives) {
    const objective = objectives.get(definition.key);
    if (objective === undefined) continue;
    for (const map of definition.mapInfo) {
      const global = globals.get(map.targetObjectiveID) ?? UNKNOWN_OBJECTIVE;
      let next = global;
      if (map.writeSatisfiedStatus && objective.satisfiedKnown) next = { ...next, satisfiedKnown: true, satisfied: objective.satisfied };
      if (map.writeNormalizedMeasure && objective.measureKnown) next = { ...next, measureKnown: true, measure: objective.measure };
      if (next !== global) globals.set(map.targetObjectiveID, next);
    }
  }
}

/** SN §4.2.1.2: a read map replaces the local value whenever the global one is known. */
function readGlobals(activity: Activity, local: ReadonlyMap<string, ObjectiveState>, globals: ReadonlyMap<string, ObjectiveState>): Map<string, ObjectiveState> {
  const out = new Map<string, ObjectiveState>();
  for (const definition of activity.objectives) {
    let objective = local.get(definition.key) ?? UNKNOWN_OBJECTIVE;
    let satisfiedRead = false;
    let measureRead = false;
    for (const map of definition.mapInfo) {
      const global = globals.get(map.targetObjectiveID);
      if (global === undefined) continue;
      if (map.readSatisfiedStatus && global.satisfiedKnown && !satisfiedRead) {
        objective = { ...objective, satisfiedKnown: true, satisfied: global.satisfied };
        satisfiedRead = true;
      }
      if (map.readNormalizedMeasure && global.measureKnown && !measureRead) {
        objective = { ...objective, measureKnown: true, measure: global.measure };
        measureRead = true;
      }
    }
    if (measureRead && !satisfiedRead) objective = byMeasure(definition, objective);
    out.set(definition.key, objective);
  }
  return out;
}

// SN RB.1.2.b and RB.1.3.b: the rules a cluster has when it declares none for an action.
const defaultRule = (action: RollupRule['action'], condition: RollupRule['conditions'][number]['condition']): RollupRule => ({
  childActivitySet: 'all',
  minimumCount: 0,
  minimumPercent: 0,
  conditionCombination: 'any',
  conditions: [{ condition, operator: 'noOp' }],
  action,
});
const DEFAULT_RULES: Readonly<Record<RollupRule['action'], RollupRule>> = {
  notSatisfied: defaultRule('notSatisfied', 'objectiveStatusKnown'),
  satisfied: defaultRule('satisfied', 'satisfied'),
  incomplete: defaultRule('incomplete', 'activityProgressKnown'),
  completed: defaultRule('completed', 'completed'),
};

const rulesFor = (activity: Activity, action: RollupRule['action']): readonly RollupRule[] => {
  const declared = activity.rollupRules.filter((rule) => rule.action === action);
  return declared.length > 0 ? declared : [DEFAULT_RULES[action]];
};

/** Check Child for Rollup Subprocess (SN RB.1.4.2). */
function contributes(child: Activity, state: ActivityState, action: RollupRule['action']): boolean {
  if (!child.tracked) return false;
  const objectiveAction = action === 'satisfied' || action === 'notSatisfied';
  if (objectiveAction ? !child.rollupObjectiveSatisfied : !child.rollupProgressCompletion) return false;
  const considerations = child.rollupConsiderations;
  const requirement = {
    satisfied: considerations.requiredForSatisfied,
    notSatisfied: considerations.requiredForNotSatisfied,
    completed: considerations.requiredForCompleted,
    incomplete: considerations.requiredForIncomplete,
  }[action];
  switch (requirement) {
    case 'always':
      return true;
    case 'ifAttempted':
      return state.attempted && state.attemptCount > 0;
    case 'ifNotSkipped':
      return !preconditionHolds(child, state, 'skip');
    case 'ifNotSuspended':
      return state.attempted && !state.active;
  }
}

/** Rollup Rule Check Subprocess (SN RB.1.4): whether a rule's child activity set holds. */
function rollupRuleFires(rule: RollupRule, children: ReadonlyArray<{ activity: Activity; state: ActivityState }>): boolean {
  const bag: Truth[] = children
    .filter(({ activity, state }) => contributes(activity, state, rule.action))
    .map(({ activity, state }) => {
      const values = rule.conditions.map((condition) => {
        const value = evaluateCondition(activity, state, { condition: condition.condition as RuleConditionName, operator: 'noOp' });
        return condition.operator === 'not' ? negate(value) : value;
      });
      return combine(values, rule.conditionCombination);
    });
  if (bag.length === 0) return false;
  const trueCount = bag.filter((value) => value === true).length;
  switch (rule.childActivitySet) {
    case 'all':
      return trueCount === bag.length;
    case 'any':
      return trueCount > 0;
    case 'none':
      return bag.every((value) => value === false);
    case 'atLeastCount':
      return trueCount >= rule.minimumCount;
    case 'atLeastPercent':
      return trueCount / bag.length >= rule.minimumPercent;
  }
}

export interface AttemptShape {
  readonly attemptCount: number;
  readonly active: boolean;
  /** When the current (or latest) attempt began, and ended (null while it has not). */
  readonly startMs: number | null;
  readonly endMs: number | null;
}

/**
 * Attempt counts and activity of every activity from the attempts of its SCOs (see the module comment). A leaf's
 * attempt is active while it has not ended (suspended included: SN UP.1 treats both alike).
 */
export function attemptShapes(tree: ActivityTree, attempts: readonly SequencingAttempt[]): Map<Activity, AttemptShape> {
  const chronological = attempts
    .filter((attempt) => tree.byId.get(attempt.unitId)?.children.length === 0)
    .sort((a, b) => a.createdMs - b.createdMs || a.number - b.number);
  const exits = new Map<SequencingAttempt, 'none' | 'parent' | 'all'>();
  const exitOf = (attempt: SequencingAttempt): 'none' | 'parent' | 'all' => {
    let exit = exits.get(attempt);
    if (exit === undefined) {
      exit = 'none';
      const leaf = tree.byId.get(attempt.unitId)!;
      if (attempt.endedMs !== null && leaf.postConditionRules.length > 0) {
        const local = localTracking(leaf, cmiOf(attempt), true);
        const state: ActivityState = { attempted: true, attemptCount: attempt.number, active: false, attemptDurationMs: null, completionKnown: local.completionKnown, completed: local.completed, objectives: local.objectives };
        for (const rule of leaf.postConditionRules) {
          if ((rule.action === 'exitAll' || rule.action === 'exitParent') && ruleHolds(leaf, state, rule)) {
            exit = rule.action === 'exitAll' ? 'all' : 'parent';
            break;
          }
        }
      }
      exits.set(attempt, exit);
    }
    return exit;
  };
  const endsAttemptOf = (attempt: SequencingAttempt, cluster: Activity): boolean => {
    const exit = exitOf(attempt);
    return exit === 'all' || (exit === 'parent' && tree.byId.get(attempt.unitId)!.parent === cluster);
  };
  const shapes = new Map<Activity, AttemptShape>();
  for (const activity of tree.activities) {
    if (activity.children.length === 0) {
      const own = chronological.filter((attempt) => attempt.unitId === activity.id);
      const latest = own.at(-1);
      shapes.set(activity, { attemptCount: own.length, active: latest !== undefined && latest.endedMs === null, startMs: latest?.createdMs ?? null, endMs: latest?.endedMs ?? null });
      continue;
    }
    let attemptCount = 0;
    let previous: SequencingAttempt | undefined;
    let startMs: number | null = null;
    let lastInside: SequencingAttempt | undefined;
    const inside = (attempt: SequencingAttempt) => isWithin(tree.byId.get(attempt.unitId)!, activity);
    for (const attempt of chronological) {
      if (inside(attempt) && (previous === undefined || !inside(previous) || endsAttemptOf(previous, activity))) {
        attemptCount += 1;
        startMs = attempt.createdMs;
      }
      if (inside(attempt)) lastInside = attempt;
      previous = attempt;
    }
    const active = previous !== undefined && inside(previous) && !endsAttemptOf(previous, activity);
    // A cluster's attempt ends when its last SCO attempt does (or when the learner went elsewhere, which happened later).
    const endMs = active ? null : (lastInside?.endedMs ?? lastInside?.createdMs ?? null);
    shapes.set(activity, { attemptCount, active, startMs, endMs });
  }
  return shapes;
}

/**
 * The tracking model of a registration. Leaves take the latest attempt's CMI state (a new attempt starts with no
 * progress, SN §4.2); global objectives take every value written, oldest attempt first, so a later attempt that has
 * not reported yet does not undo an earlier one. Rollup and global writes of clusters are repeated until the
 * globals settle (a cluster's status can be read by another activity's objective, e.g. a "content completed" gate).
 */
export function buildTrackingModel(tree: ActivityTree, attempts: readonly SequencingAttempt[], options: { nowMs?: number; shapes?: ReadonlyMap<Activity, AttemptShape> } = {}): TrackingModel {
  const byUnit = new Map<string, SequencingAttempt[]>();
  for (const attempt of [...attempts].sort((a, b) => a.createdMs - b.createdMs || a.number - b.number)) {
    const list = byUnit.get(attempt.unitId) ?? [];
    list.push(attempt);
    byUnit.set(attempt.unitId, list);
  }
  const shapes = options.shapes ?? attemptShapes(tree, attempts);
  const durationOf = (shape: AttemptShape): number | null => {
    if (shape.startMs === null) return null;
    const end = shape.endMs ?? options.nowMs;
    return end === undefined ? null : Math.max(0, end - shape.startMs);
  };
  const leafTracking = new Map<Activity, LocalTracking>();
  const baseGlobals = new Map<string, ObjectiveState>();
  for (const attempt of [...attempts].sort((a, b) => a.createdMs - b.createdMs || a.number - b.number)) {
    const leaf = tree.byId.get(attempt.unitId);
    if (leaf === undefined || leaf.children.length > 0 || cmiOf(attempt) === null) continue;
    writeGlobals(leaf, localTracking(leaf, cmiOf(attempt), attempt.endedMs !== null).objectives, baseGlobals);
  }
  for (const activity of tree.activities) {
    if (activity.children.length > 0) continue;
    const latest = byUnit.get(activity.id)?.at(-1);
    leafTracking.set(activity, localTracking(activity, cmiOf(latest), latest !== undefined && latest.endedMs !== null));
  }

  let globals = baseGlobals;
  let states = new Map<Activity, ActivityState>();
  const postorder = [...tree.activities].reverse();
  for (let pass = 0; pass <= tree.activities.length; pass += 1) {
    const next = new Map(baseGlobals);
    states = new Map();
    for (const activity of postorder) {
      const shape = shapes.get(activity)!;
      if (activity.children.length === 0) {
        const local = leafTracking.get(activity)!;
        states.set(activity, {
          attempted: shape.attemptCount > 0,
          attemptCount: shape.attemptCount,
          active: shape.active,
          attemptDurationMs: durationOf(shape),
          completionKnown: local.completionKnown,
          completed: local.completed,
          objectives: readGlobals(activity, local.objectives, globals),
        });
        continue;
      }
      const state = { ...rollUp(activity, shape, states, globals), attemptDurationMs: durationOf(shape) };
      states.set(activity, state);
      writeGlobals(activity, state.objectives, next);
    }
    const settled = next.size === globals.size && [...next].every(([id, value]) => {
      const before = globals.get(id);
      return before !== undefined && before.satisfiedKnown === value.satisfiedKnown && before.satisfied === value.satisfied && before.measureKnown === value.measureKnown && before.measure === value.measure;
    });
    globals = next;
    if (settled) break;
  }
  const byId = new Map([...states].map(([activity, state]) => [activity.id, state]));
  return { states: byId, globals, stateOf: (activity) => states.get(activity)! };
}

/** Overall Rollup of one cluster (SN RB.1.5 for one activity): measure, objective and progress rollup. */
function rollUp(activity: Activity, shape: AttemptShape, states: ReadonlyMap<Activity, ActivityState>, globals: ReadonlyMap<string, ObjectiveState>): ActivityState {
  const children = activity.children.map((child) => ({ activity: child, state: states.get(child)! }));
  // Measure Rollup Process (RB.1.1).
  let totalWeight = 0;
  let counted = 0;
  let measureKnown = false;
  for (const { activity: child, state } of children) {
    if (!child.tracked) continue;
    totalWeight += child.objectiveMeasureWeight;
    const primary = state.objectives.get(PRIMARY_OBJECTIVE) ?? UNKNOWN_OBJECTIVE;
    if (primary.measureKnown) {
      measureKnown = true;
      counted += primary.measure * child.objectiveMeasureWeight;
    }
  }
  const measure = measureKnown && totalWeight > 0 ? counted / totalWeight : 0;
  let primary: ObjectiveState = { satisfiedKnown: false, satisfied: false, measureKnown: measureKnown && totalWeight > 0, measure };
  // Objective Rollup Process (RB.1.2): by measure, else by rules (declared or default); satisfied wins.
  const primaryDefinition = activity.objectives[0];
  if (primaryDefinition.satisfiedByMeasure) primary = byMeasure(primaryDefinition, primary);
  else {
    if (rulesFor(activity, 'notSatisfied').some((rule) => rollupRuleFires(rule, children))) primary = { ...primary, satisfiedKnown: true, satisfied: false };
    if (rulesFor(activity, 'satisfied').some((rule) => rollupRuleFires(rule, children))) primary = { ...primary, satisfiedKnown: true, satisfied: true };
  }
  // Activity Progress Rollup Process (RB.1.3).
  let completionKnown = false;
  let completed = false;
  if (rulesFor(activity, 'incomplete').some((rule) => rollupRuleFires(rule, children))) [completionKnown, completed] = [true, false];
  if (rulesFor(activity, 'completed').some((rule) => rollupRuleFires(rule, children))) [completionKnown, completed] = [true, true];
  const local = new Map<string, ObjectiveState>([[PRIMARY_OBJECTIVE, primary]]);
  return {
    attempted: children.some(({ state }) => state.attempted),
    attemptCount: shape.attemptCount,
    active: shape.active,
    attemptDurationMs: null,
    completionKnown,
    completed,
    objectives: readGlobals(activity, local, globals),
  };
}
