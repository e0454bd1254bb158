/**
 * Navigation requests between SCOs, decided on the server (SN book 4th ed. §4.4–4.5): a choice of an activity
 * (the table of contents, `{target=…}choice`) and continue/previous (flow). Each answer is the leaf to deliver or
 * a refusal with a code and a message the player shows the learner.
 *
 * Evaluated: hiddenFromChoice on the path to the target and the parent's `choice` (SB.2.9); `choiceExit` of the
 * activities the choice would leave; `forwardOnly` and `stopForwardTraversal` on the way from the current
 * activity to the target (SB.2.4); the Check Activity Process (UP.5: `disabled`, limit conditions) on every activity
 * from the root to the delivered one; flow (SB.2.1–SB.2.3) with `skip` preconditions skipped and a cluster
 * entered at its first child (its last going backward, unless it is forward only). These are the decisions with the
 * current SCO still running; termination.ts applies its exit and post-condition rules once it has ended.
 */
import { commonAncestor, isWithin, pathFromRoot, type Activity, type ActivityTree } from './activity-tree.js';
import { limitConditionsViolated, preconditionHolds, type ActivityState } from './rule-conditions.js';

export type NavigationRequest = { readonly target: string } | { readonly request: 'continue' | 'previous' };

export type RefusalCode =
  | 'sequencing-unknown-activity'
  | 'sequencing-hidden'
  | 'sequencing-choice-not-allowed'
  | 'sequencing-choice-exit'
  | 'sequencing-forward-only'
  | 'sequencing-stop-forward-traversal'
  | 'sequencing-disabled'
  | 'sequencing-attempt-limit'
  | 'sequencing-time-limit'
  | 'sequencing-not-selected'
  | 'sequencing-flow-not-allowed'
  | 'sequencing-no-current-activity'
  | 'sequencing-end'
  | 'sequencing-start'
  | 'sequencing-not-deliverable';

export type NavigationDecision =
  | { readonly ok: true; readonly deliver: Activity }
  | { readonly ok: false; readonly code: RefusalCode; readonly message: string; readonly activity?: string };

export interface SequencingView {
  readonly tree: ActivityTree;
  stateOf(activity: Activity): ActivityState;
}

export const titleOf = (activity: Activity): string => activity.title.en ?? activity.title['en-US'] ?? Object.values(activity.title)[0] ?? activity.id;
export const named = (activity: Activity): string => `"${titleOf(activity)}"`;
export const refuse = (code: RefusalCode, message: string, activity?: Activity): NavigationDecision => ({ ok: false, code, message, ...(activity && { activity: activity.id }) });

/** Check Activity Process (SN UP.5): a refusal when the activity may not be delivered, else undefined. */
export function checkActivity(view: SequencingView, activity: Activity): NavigationDecision | undefined {
  const state = view.stateOf(activity);
  if (preconditionHolds(activity, state, 'disabled')) return refuse('sequencing-disabled', `${named(activity)} is not available yet: its sequencing rules disable it`, activity);
  const limit = limitConditionsViolated(activity, state);
  if (limit === 'attempts') return refuse('sequencing-attempt-limit', `${named(activity)} has no attempts left (limit ${activity.attemptLimit})`, activity);
  if (limit === 'duration') return refuse('sequencing-time-limit', `${named(activity)} has used up its time`, activity);
  return undefined;
}

/** The activities from (and including) `from`'s branch up to the root, deepest first, stopping below `stop`. */
function ancestorsBelow(from: Activity, stop: Activity): Activity[] {
  const out: Activity[] = [];
  for (let at: Activity | null = from; at !== null && at !== stop; at = at.parent) out.push(at);
  return out;
}

/**
 * Flow Activity Traversal (SN SB.2.2) from a candidate: skipped activities are passed over in the same direction,
 * a disabled one stops the traversal, a cluster is entered.
 */
export function flowInto(view: SequencingView, candidate: Activity | undefined, direction: 'forward' | 'backward', atEnd: () => NavigationDecision): NavigationDecision {
  for (let at = candidate; ; ) {
    if (at === undefined) return atEnd();
    const parent = at.parent!;
    if (!parent.controlMode.flow) return refuse('sequencing-flow-not-allowed', `${named(parent)} does not allow continue/previous: choose from the table of contents`, parent);
    if (preconditionHolds(at, view.stateOf(at), 'skip')) {
      at = nextInTree(at, direction);
      continue;
    }
    const refused = checkActivity(view, at);
    if (refused) return refused;
    if (at.children.length === 0) return at.unit ? { ok: true, deliver: at } : refuse('sequencing-not-deliverable', `${named(at)} has no content to launch`, at);
    const entersForward = direction === 'forward' || at.controlMode.forwardOnly;
    const next: Activity = entersForward ? at.children[0] : at.children[at.children.length - 1];
    direction = entersForward ? 'forward' : 'backward';
    at = next;
  }
}

/** Flow Tree Traversal (SN SB.2.1) without descending: the next sibling, else the next sibling of an ancestor. */
function nextInTree(activity: Activity, direction: 'forward' | 'backward'): Activity | undefined {
  for (let at: Activity = activity; at.parent !== null; at = at.parent) {
    const siblings = at.parent.children;
    const index = siblings.indexOf(at);
    const next = siblings[direction === 'forward' ? index + 1 : index - 1];
    if (next !== undefined) return next;
  }
  return undefined;
}

export function flow(view: SequencingView, current: Activity | undefined, request: 'continue' | 'previous'): NavigationDecision {
  if (current === undefined || current.parent === null) return refuse('sequencing-no-current-activity', `there is no current activity to ${request} from`);
  const direction = request === 'continue' ? 'forward' : 'backward';
  if (!current.parent.controlMode.flow) return refuse('sequencing-flow-not-allowed', `${named(current.parent)} does not allow continue/previous: choose from the table of contents`, current.parent);
  if (direction === 'backward') {
    // SB.2.1 step 4: going back out of a forward-only cluster (or within it) is not allowed.
    for (let at: Activity = current; at.parent !== null; at = at.parent) {
      if (at.parent.controlMode.forwardOnly) return refuse('sequencing-forward-only', `${named(at.parent)} only goes forward`, at.parent);
      if (at.parent.children.indexOf(at) > 0) break;
    }
  }
  return flowInto(view, nextInTree(current, direction), direction, () =>
    direction === 'forward' ? refuse('sequencing-end', 'this is the last activity of the course') : refuse('sequencing-start', 'this is the first activity of the course'),
  );
}

export function choice(view: SequencingView, current: Activity | undefined, targetId: string): NavigationDecision {
  const target = view.tree.byId.get(targetId);
  if (target === undefined) return refuse('sequencing-unknown-activity', `this course has no activity ${targetId}`);
  if (target.parent === null) return refuse('sequencing-choice-not-allowed', 'the course itself cannot be chosen: choose one of its activities', target);
  const path = pathFromRoot(target);
  // SN §4.7 (SR.1): a child that selection left out is not available in this attempt of its parent.
  for (const activity of path.slice(1)) {
    if (!activity.parent!.children.includes(activity)) return refuse('sequencing-not-selected', `${named(activity)} is not part of this attempt of ${named(activity.parent!)}`, activity);
  }
  // SB.2.9 step 4–5: no activity on the way is hidden from choice, and the target's parent allows choice.
  for (const activity of path) {
    if (preconditionHolds(activity, view.stateOf(activity), 'hiddenFromChoice')) return refuse('sequencing-hidden', `${named(activity)} cannot be chosen: its sequencing rules hide it from choice`, activity);
  }
  if (!target.parent.controlMode.choice) return refuse('sequencing-choice-not-allowed', `${named(target.parent)} does not allow choosing its activities: use continue or previous`, target.parent);
  if (current !== undefined && current !== target && !isWithin(current, target)) {
    const common = commonAncestor(current, target);
    // SB.2.9 step 8: leaving an activity whose choiceExit is false is not allowed while it is active.
    for (const leaving of ancestorsBelow(current, common)) {
      if (!leaving.controlMode.choiceExit && view.stateOf(leaving).active) return refuse('sequencing-choice-exit', `${named(leaving)} must be finished before choosing another activity`, leaving);
    }
    const currentBranch = ancestorsBelow(current, common).at(-1)!;
    const targetBranch = ancestorsBelow(target, common).at(-1)!;
    if (target.order < current.order) {
      // Choice Activity Traversal backward (SB.2.4): not under a forward-only parent.
      if (common.controlMode.forwardOnly) return refuse('sequencing-forward-only', `${named(common)} only goes forward`, common);
      for (const activity of ancestorsBelow(target, common)) {
        if (activity.parent !== common && activity.parent!.controlMode.forwardOnly && activity.parent!.children.indexOf(activity) > 0) return refuse('sequencing-forward-only', `${named(activity.parent!)} only goes forward`, activity.parent!);
      }
    } else {
      // Choice Activity Traversal forward (SB.2.4): no stopForwardTraversal between the current branch and the target.
      const siblings = common.children.slice(common.children.indexOf(currentBranch), common.children.indexOf(targetBranch));
      const between = [...siblings, ...ancestorsBelow(target.parent, common).reverse()];
      for (const activity of between) {
        if (preconditionHolds(activity, view.stateOf(activity), 'stopForwardTraversal')) return refuse('sequencing-stop-forward-traversal', `${named(activity)} must be completed before going further`, activity);
      }
    }
  }
  // UP.5 on the way down to the target (DB.1.1 checks the whole path before delivery).
  for (const activity of path) {
    const refused = checkActivity(view, activity);
    if (refused) return refused;
  }
  if (target.children.length === 0) return target.unit ? { ok: true, deliver: target } : refuse('sequencing-not-deliverable', `${named(target)} has no content to launch`, target);
  // SB.2.9 step 12: a chosen cluster is entered by flow from its first child.
  if (!target.controlMode.flow) return refuse('sequencing-flow-not-allowed', `${named(target)} cannot be entered: choose one of its activities`, target);
  return flowInto(view, target.children[0], 'forward', () => refuse('sequencing-not-deliverable', `${named(target)} has nothing to deliver now`, target));
}

/**
 * Start Sequencing Request Process (SN SB.2.5): the first activity flow delivers from the root, in the order of its
 * available children (randomized, skipped ones passed over). Without flow at the root, nothing: the learner chooses.
 */
export function start(view: SequencingView): NavigationDecision {
  const root = view.tree.root;
  if (root.children.length === 0) return refuse('sequencing-not-deliverable', 'this course has nothing to deliver');
  return flowInto(view, root.children[0], 'forward', () => refuse('sequencing-end', 'this course has nothing to deliver now'));
}

/** The activity a navigation request delivers from `currentId` (the launched SCO), or why it is refused. */
export function decideNavigation(view: SequencingView, currentId: string | undefined, request: NavigationRequest): NavigationDecision {
  const current = currentId === undefined ? undefined : view.tree.byId.get(currentId);
  return 'target' in request ? choice(view, current, request.target) : flow(view, current, request.request);
}
