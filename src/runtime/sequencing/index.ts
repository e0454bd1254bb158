/**
 * Server-side SCORM 2004 sequencing (SN book 4th ed.), pure: from a course model and a registration's attempts,
 * the tracking status of every activity (with global objectives and rollup), the navigation decisions between
 * SCOs — with the exit action and post-condition rules of a SCO whose attempt ended (termination.ts) —, selection
 * and randomization of children (randomization.ts, seeded by the registration), limit conditions (attempt limit and
 * attempt absolute duration), the table of contents, the objectives a SCO starts with, and the course's status
 * (which the runtime states in course-level statements, course-status-statements.ts).
 *
 * Not evaluated: completion by measure of clusters, the 4th edition mapInfo extensions (completion, progress,
 * raw/min/max score are neither written to nor read from global objectives), constrained choice (`constrainChoice`,
 * `preventActivation`), `measureSatisfactionIfActive`, suspendAll/resumeAll of the whole tree (a suspended SCO is
 * resumed, its clusters are not tracked as suspended), `useCurrentAttempt*Info` (the latest attempt of each SCO is
 * its current one), the begin/end time limits (`outsideAvailableTimeRange` is never true) and the attempt
 * experienced duration limits; a 4th edition `jump` is decided as a choice (the player sends both as a target).
 * Cluster attempts are inferred from the SCOs' attempts (tracking-model.ts): an attempt ended by a cluster's own
 * `exitParent` (not its SCO's) or by an exit action rule is not seen there, so the activity above keeps counting
 * it as running once the navigation has been decided; a new attempt of a cluster does not reset its children's
 * status (objective and progress information of earlier attempts stay until the children are attempted again).
 */
import type { CourseModel } from '../../packages/course-model.js';
import { buildActivityTree, PRIMARY_OBJECTIVE, type Activity, type ActivityTree } from './activity-tree.js';
import { decideNavigation, start, type NavigationDecision, type NavigationRequest } from './navigation-requests.js';
import { arrangeTree } from './randomization.js';
import { preconditionHolds, UNKNOWN_OBJECTIVE, type ActivityState } from './rule-conditions.js';
import { processNavigation, type SequencingOutcome, type SequencingRequest } from './termination.js';
import { attemptShapes, buildTrackingModel, type SequencingAttempt, type TrackingModel } from './tracking-model.js';

export { PRIMARY_OBJECTIVE, buildActivityTree, type Activity, type ActivityTree } from './activity-tree.js';
export type { ActivityState, ObjectiveState } from './rule-conditions.js';
export type { NavigationDecision, NavigationRequest, RefusalCode } from './navigation-requests.js';
export type { SequencingAttempt, TrackingModel } from './tracking-model.js';
export type { SequencingOutcome, SequencingRequest } from './termination.js';

export interface SequencingOptions {
  /** The seed of selection and randomization: the registration id, so each learner's order is their own and stable. */
  readonly seed?: string;
  /** Now, for the duration of attempts that are not over (time limits); without it they have no duration yet. */
  readonly nowMs?: number;
}

export interface SequencingState {
  readonly tree: ActivityTree;
  readonly tracking: TrackingModel;
  stateOf(activity: Activity): ActivityState;
  /** Whether a navigation request from the launched unit is allowed as things stand (the SCO still running). */
  navigate(currentUnitId: string | undefined, request: NavigationRequest): NavigationDecision;
  /** What a request delivers once the launched unit has ended, its exit and post-condition rules applied (termination.ts). */
  process(currentUnitId: string | undefined, request: SequencingRequest): SequencingOutcome;
  /** What the first launch of a registration delivers (SB.2.5 Start). */
  start(): NavigationDecision;
}

/** The sequencing state of a registration: build it once per request, from all of the registration's attempts. */
export function evaluateSequencing(model: CourseModel, attempts: readonly SequencingAttempt[], options: SequencingOptions = {}): SequencingState {
  const tree = buildActivityTree(model);
  const shapes = attemptShapes(tree, attempts);
  // Selection and randomization (SN §4.7) only where SCORM 2004 sequencing is the package's own.
  if (model.format === 'scorm2004') arrangeTree(tree, (activity) => shapes.get(activity)!, options.seed ?? '');
  const tracking = buildTrackingModel(tree, attempts, { shapes, ...(options.nowMs !== undefined && { nowMs: options.nowMs }) });
  const view = { tree, stateOf: tracking.stateOf };
  return {
    tree,
    tracking,
    stateOf: tracking.stateOf,
    navigate: (current, request) => decideNavigation(view, current, request),
    process: (current, request) => processNavigation(view, current, request),
    start: () => start(view),
  };
}

export interface ActivityStatus {
  readonly completion: 'completed' | 'incomplete' | 'unknown';
  readonly success: 'passed' | 'failed' | 'unknown';
  /** The primary objective's normalized measure (-1..1), when known. */
  readonly scaled?: number;
  readonly attempted: boolean;
}

/** An activity's tracking status in CMI vocabulary. */
export function statusOf(state: ActivityState): ActivityStatus {
  const primary = state.objectives.get(PRIMARY_OBJECTIVE) ?? UNKNOWN_OBJECTIVE;
  return {
    completion: state.completionKnown ? (state.completed ? 'completed' : 'incomplete') : 'unknown',
    success: primary.satisfiedKnown ? (primary.satisfied ? 'passed' : 'failed') : 'unknown',
    ...(primary.measureKnown && { scaled: primary.measure }),
    attempted: state.attempted,
  };
}

/**
 * The course's status by rollup to the root activity (SN RB.1.5): completion, success and measure as the
 * organization's tracking has them. Null for formats other than SCORM 2004, which have no sequencing rollup.
 */
export function courseStatus(model: CourseModel, attempts: readonly SequencingAttempt[], options: SequencingOptions = {}): ActivityStatus | null {
  if (model.format !== 'scorm2004') return null;
  const state = evaluateSequencing(model, attempts, options);
  return statusOf(state.stateOf(state.tree.root));
}

export interface TableOfContentsEntry {
  readonly identifier: string;
  readonly title: Readonly<Record<string, string>>;
  /** 0 for the organization's top-level items. */
  readonly depth: number;
  /** A unit to launch, or a cluster that choosing enters by flow. */
  readonly launchable: boolean;
  /** The launched unit (only the unit: the player marks it `aria-current`). */
  readonly current: boolean;
  /** `passed`/`failed` when known, else the completion (`completed`, `incomplete`, `not attempted`). */
  readonly status?: string;
  /** Its precondition rules disable it, or its attempts are used up: choosing it will be refused. */
  readonly disabled: boolean;
}

/**
 * The table of contents of a registration: the organization tree, without invisible items (their children move up
 * a level, SCORM CAM `isvisible`) and without what is hidden from choice (with its descendants, SN SB.2.9).
 * Formats without sequencing get every entry enabled.
 */
export function tableOfContents(model: CourseModel, attempts: readonly SequencingAttempt[], currentUnitId: string | undefined, options: SequencingOptions = {}): TableOfContentsEntry[] {
  const sequenced = model.format === 'scorm2004';
  const state = evaluateSequencing(model, attempts, options);
  const current = currentUnitId === undefined ? undefined : state.tree.byId.get(currentUnitId);
  const entries: TableOfContentsEntry[] = [];
  const visit = (activity: Activity, depth: number): void => {
    const activityState = state.stateOf(activity);
    if (sequenced && preconditionHolds(activity, activityState, 'hiddenFromChoice')) return;
    if (!activity.isVisible) {
      for (const child of activity.children) visit(child, depth);
      return;
    }
    const leaf = activity.children.length === 0;
    const status = statusOf(activityState);
    const decision = sequenced ? state.navigate(currentUnitId, { target: activity.id }) : undefined;
    entries.push({
      identifier: activity.id,
      title: activity.title,
      depth,
      launchable: leaf ? activity.unit !== undefined && (activity.unit.scormType !== undefined || activity.unit.launchUrl !== '') : sequenced && activity.controlMode.flow,
      current: current === activity,
      ...(activityState.attempted && { status: status.success !== 'unknown' ? status.success : status.completion === 'unknown' ? 'not attempted' : status.completion }),
      disabled: decision !== undefined && !decision.ok && (decision.code === 'sequencing-disabled' || decision.code === 'sequencing-attempt-limit' || decision.code === 'sequencing-time-limit'),
    });
    for (const child of activity.children) visit(child, depth + 1);
  };
  for (const child of state.tree.root.children) visit(child, 0);
  return entries;
}

export interface DeliveredObjective {
  /** The `objectiveID` as the SCO knows it (cmi.objectives.n.id). */
  readonly id: string;
  readonly success?: 'passed' | 'failed';
  readonly scaled?: number;
}

/**
 * The objectives a SCO starts with (SCORM 2004 RTE §4.2.17 and SN §4.2.1.2): every objective of its activity that
 * has an `objectiveID`, with the values the tracking model has for it — the attempt's own, replaced by its global
 * objective's through `readSatisfiedStatus`/`readNormalizedMeasure` maps. So a SCO reads in `cmi.objectives` what
 * an earlier SCO wrote to a shared global objective. Unknown values are left out (the SCO sees `unknown`).
 */
export function deliveredObjectives(state: SequencingState, unitId: string): DeliveredObjective[] {
  const activity = state.tree.byId.get(unitId);
  if (activity === undefined) return [];
  const activityState = state.stateOf(activity);
  return activity.objectives.flatMap((definition) => {
    if (definition.objectiveID === undefined) return [];
    const objective = activityState.objectives.get(definition.key) ?? UNKNOWN_OBJECTIVE;
    return [{
      id: definition.objectiveID,
      ...(objective.satisfiedKnown && { success: objective.satisfied ? ('passed' as const) : ('failed' as const) }),
      ...(objective.measureKnown && { scaled: objective.measure }),
    }];
  });
}

/**
 * Whether exit or post-condition rules could decide a request from this unit once it ends (termination.ts): then
 * whether a request is allowed cannot be told while the SCO still runs, since the rules read its final state.
 */
export function terminationRulesApply(state: SequencingState, unitId: string): boolean {
  for (let at = state.tree.byId.get(unitId) ?? null; at !== null; at = at.parent) {
    if (at.postConditionRules.length > 0 || at.exitConditionRules.length > 0) return true;
  }
  return false;
}
