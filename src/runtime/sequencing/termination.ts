/**
 * What happens when the current SCO's attempt is over and the learner (or the SCO) asks to go somewhere: the
 * Termination Request Process for `exit` (SN book 4th ed. TB.2.3) with its Sequencing Exit Action Rules Subprocess
 * (TB.2.1) and Sequencing Post Condition Rules Subprocess (TB.2.2), then the sequencing request that results
 * (OP.1: a request from a post-condition rule replaces the pending one).
 *
 * - Exit action rules (`exit`) of the SCO's ancestors, root first: the first that holds ends that ancestor's attempt
 *   too, and its post-condition rules are the next to be evaluated.
 * - Post-condition rules of the current activity, first rule that holds: `exitParent` ends the parent's attempt and
 *   evaluates the parent's rules in turn; `exitAll` ends the course; `retryAll` ends it and starts the course over;
 *   `retry`, `continue` and `previous` become the sequencing request, from the activity whose rule fired.
 * - Without a request from the rules, the learner's request is processed from where the exits left the current
 *   activity; once the exits reached the root, the course ends (TB.2.3 step 3.3.5, unless the request is a retry).
 *
 * Post-conditions apply only to an attempt that ended: a suspended SCO (cmi.exit "suspend") is not finished, so
 * TB.2.2 step 1 leaves its rules alone, and so does a SCO that has not terminated yet.
 */
import { pathFromRoot, type Activity } from './activity-tree.js';
import { checkActivity, choice, decideNavigation, flow, flowInto, named, refuse, type NavigationDecision, type NavigationRequest, type SequencingView } from './navigation-requests.js';
import { ruleHolds, type ActivityState } from './rule-conditions.js';
import type { RuleAction } from '../../packages/course-model.js';

/** The learner's or the SCO's request; `exit` is what a SCO that terminates without a navigation request leaves. */
export type SequencingRequest = NavigationRequest | { readonly request: 'exit' };

export type SequencingOutcome = (
  | NavigationDecision
  /** `course`: the course ends (exitAll); `wait`: nothing is delivered, the learner chooses (SB.2.11 Exit). */
  | { readonly ok: true; readonly deliver?: undefined; readonly end: 'course' | 'wait' }
) & {
  /** The post-condition (or exit action) rule that decided, for the record. */
  readonly rule?: { readonly activity: string; readonly action: RuleAction };
};

interface Termination {
  /** The current activity once the exits are done. */
  readonly at: Activity;
  readonly action?: RuleAction;
  /** The activity whose rule gave `action`. */
  readonly by?: Activity;
  /** The tracking view with every ended attempt marked not active. */
  readonly view: SequencingView;
}

/** A view where the given activities' attempts are over (End Attempt Process, UP.4: Activity is Active false). */
function withEnded(view: SequencingView, ended: ReadonlySet<Activity>): SequencingView {
  return { tree: view.tree, stateOf: (activity): ActivityState => (ended.has(activity) ? { ...view.stateOf(activity), active: false } : view.stateOf(activity)) };
}

/** TB.2.1 then TB.2.2, repeated while `exitParent` moves the current activity up. */
function terminate(view: SequencingView, leaf: Activity): Termination {
  const ended = new Set<Activity>([leaf]);
  const endedView = withEnded(view, ended);
  let at = leaf;
  let action: RuleAction | undefined;
  let by: Activity | undefined;
  // TB.2.1: the path from the root to the SCO's parent, root first; the first exit rule that holds is the exit target.
  for (const ancestor of pathFromRoot(leaf).slice(0, -1)) {
    if (ancestor.exitConditionRules.some((rule) => rule.action === 'exit' && ruleHolds(ancestor, endedView.stateOf(ancestor), rule))) {
      for (let below: Activity = leaf; below !== ancestor; below = below.parent!) ended.add(below.parent!);
      at = ancestor;
      action = 'exit';
      by = ancestor;
      break;
    }
  }
  for (let guard = 0; guard <= view.tree.activities.length; guard += 1) {
    const current = at;
    // SN UP.2: the first rule whose conditions hold gives the action.
    const rule = current.postConditionRules.find((candidate) => ruleHolds(current, endedView.stateOf(current), candidate));
    if (rule === undefined) break;
    action = rule.action;
    by = current;
    if (rule.action !== 'exitParent') return { at, action, by, view: endedView };
    // TB.2.3: exitParent of the root has nowhere to go; the course ends.
    if (current.parent === null) return { at, action: 'exitAll', by, view: endedView };
    at = current.parent;
    ended.add(at);
  }
  return { at, ...(action !== undefined && { action }), ...(by !== undefined && { by }), view: endedView };
}

/** Retry Sequencing Request Process (SB.2.10): the activity again, as a new attempt; a cluster is entered by flow. */
function retry(view: SequencingView, activity: Activity): NavigationDecision {
  for (const on of pathFromRoot(activity)) {
    const refused = checkActivity(view, on);
    if (refused) return refused;
  }
  if (activity.children.length === 0) return activity.unit ? { ok: true, deliver: activity } : refuse('sequencing-not-deliverable', `${named(activity)} has no content to launch`, activity);
  if (!activity.controlMode.flow) return refuse('sequencing-flow-not-allowed', `${named(activity)} cannot be entered again: choose one of its activities`, activity);
  return flowInto(view, activity.children[0], 'forward', () => refuse('sequencing-not-deliverable', `${named(activity)} has nothing to deliver now`, activity));
}

/**
 * The outcome of a navigation request from the launched SCO (`currentId`), with the exit and post-condition rules
 * applied when the SCO's attempt has ended. Without an ended attempt it is `decideNavigation`'s answer.
 */
export function processNavigation(view: SequencingView, currentId: string | undefined, request: SequencingRequest): SequencingOutcome {
  const current = currentId === undefined ? undefined : view.tree.byId.get(currentId);
  const state = current === undefined ? undefined : view.stateOf(current);
  const ended = current !== undefined && current.children.length === 0 && state!.attempted && !state!.active;
  if (!ended) {
    if ('request' in request && request.request === 'exit') return { ok: true, end: 'wait' };
    return decideNavigation(view, currentId, request as NavigationRequest);
  }
  const termination = terminate(view, current);
  const { at, action, by } = termination;
  const endedView = termination.view;
  const rule = action !== undefined && by !== undefined ? { rule: { activity: by.id, action } } : {};
  switch (action) {
    case 'exitAll':
      return { ok: true, end: 'course', ...rule };
    case 'retryAll':
      return { ...retry(endedView, view.tree.root), ...rule };
    case 'retry':
      return { ...retry(endedView, at), ...rule };
    case 'continue':
    case 'previous':
      return at.parent === null ? { ok: true, end: 'course', ...rule } : { ...flow(endedView, at, action), ...rule };
  }
  // TB.2.3 step 3.3.5: the exits reached the root, and nothing asked to start it again.
  if (at.parent === null) return { ok: true, end: 'course', ...rule };
  if ('target' in request) return { ...choice(endedView, at, request.target), ...rule };
  if (request.request === 'exit') return { ok: true, end: 'wait', ...rule };
  return { ...flow(endedView, at, request.request), ...rule };
}
