/**
 * The activity tree of SCORM 2004 sequencing (SN book 4th ed. §2.1): the default organization is the root activity,
 * its items the descendants, in document order. Each activity carries its sequencing definition with the XSD
 * defaults applied (SN §3: control modes choice=true, choiceExit=true, flow=false, forwardOnly=false; rollup
 * controls rollupObjectiveSatisfied=true, rollupProgressCompletion=true, objectiveMeasureWeight=1.0; delivery
 * controls tracked=true, completionSetByContent=false, objectiveSetByContent=false; minNormalizedMeasure=1.0).
 */
// The sequencing types are not part of the packages context's index; its model file is their single source.
import type { CourseModel, CourseNode, LanguageMap, LaunchableUnit, ObjectiveMapInfo, RollupRequirement, RollupRule, Sequencing, SequencingRule } from '../../packages/course-model.js';

/** The key of an activity's primary objective among its objectives (SN §4.6: every activity has one). */
export const PRIMARY_OBJECTIVE = '#primary';

export interface ObjectiveDefinition {
  /** `PRIMARY_OBJECTIVE` or the objective's `objectiveID`. */
  readonly key: string;
  /** The `objectiveID` as written (rule conditions reference objectives by it). */
  readonly objectiveID?: string;
  readonly primary: boolean;
  readonly satisfiedByMeasure: boolean;
  readonly minNormalizedMeasure: number;
  readonly mapInfo: readonly ObjectiveMapInfo[];
}

export interface ControlModes {
  readonly choice: boolean;
  readonly choiceExit: boolean;
  readonly flow: boolean;
  readonly forwardOnly: boolean;
}

export interface Activity {
  readonly id: string;
  readonly title: LanguageMap;
  readonly isVisible: boolean;
  /** Null for the root (the organization). */
  readonly parent: Activity | null;
  /**
   * The available children (SN §4.7: after selection and randomization, src/runtime/sequencing/randomization.ts),
   * in the order flow, choice, rollup and the table of contents use.
   */
  readonly children: readonly Activity[];
  /** Every child, in document order. */
  readonly allChildren: readonly Activity[];
  /** Present on leaves that launch a SCO or asset. */
  readonly unit?: LaunchableUnit;
  /** 0 for the root's children; -1 for the root. */
  readonly depth: number;
  /** Position in a preorder walk of the tree (of the available children), the root being 0. */
  readonly order: number;
  readonly controlMode: ControlModes;
  readonly preConditionRules: readonly SequencingRule[];
  /** Exit action rules (SN §3.4.1: the only action is `exit`), evaluated on the ancestors of an ending activity (TB.2.1). */
  readonly exitConditionRules: readonly SequencingRule[];
  readonly postConditionRules: readonly SequencingRule[];
  readonly attemptLimit?: number;
  /** `attemptAbsoluteDurationLimit` in milliseconds (SN §3.10), when the manifest gives a valid one. */
  readonly attemptAbsoluteDurationLimitMs?: number;
  /** SN §3.12 randomization controls, with the XSD defaults (timings `never`, no reordering). */
  readonly randomization: RandomizationDefinition;
  readonly tracked: boolean;
  readonly completionSetByContent: boolean;
  readonly objectiveSetByContent: boolean;
  readonly rollupObjectiveSatisfied: boolean;
  readonly rollupProgressCompletion: boolean;
  readonly objectiveMeasureWeight: number;
  readonly rollupRules: readonly RollupRule[];
  readonly rollupConsiderations: {
    readonly requiredForSatisfied: RollupRequirement;
    readonly requiredForNotSatisfied: RollupRequirement;
    readonly requiredForCompleted: RollupRequirement;
    readonly requiredForIncomplete: RollupRequirement;
  };
  /** The primary objective first, then the others in document order. */
  readonly objectives: readonly ObjectiveDefinition[];
}

export interface RandomizationDefinition {
  readonly randomizationTiming: 'never' | 'once' | 'onEachNewAttempt';
  readonly reorderChildren: boolean;
  readonly selectionTiming: 'never' | 'once' | 'onEachNewAttempt';
  /** Absent: every child is selected. */
  readonly selectCount?: number;
}

export interface ActivityTree {
  readonly root: Activity;
  /** Every activity, root included, in preorder. */
  readonly activities: readonly Activity[];
  readonly byId: ReadonlyMap<string, Activity>;
}

function objectivesOf(sequencing: Sequencing | undefined): ObjectiveDefinition[] {
  const declared = sequencing?.objectives;
  const primary = declared?.primary;
  const out: ObjectiveDefinition[] = [
    {
      key: PRIMARY_OBJECTIVE,
      ...(primary?.objectiveID !== undefined && { objectiveID: primary.objectiveID }),
      primary: true,
      satisfiedByMeasure: primary?.satisfiedByMeasure ?? false,
      minNormalizedMeasure: primary?.minNormalizedMeasure ?? 1,
      mapInfo: primary?.mapInfo ?? [],
    },
  ];
  for (const objective of declared?.others ?? []) {
    if (objective.objectiveID === undefined || objective.objectiveID === primary?.objectiveID) continue;
    out.push({
      key: objective.objectiveID,
      objectiveID: objective.objectiveID,
      primary: false,
      satisfiedByMeasure: objective.satisfiedByMeasure,
      minNormalizedMeasure: objective.minNormalizedMeasure ?? 1,
      mapInfo: objective.mapInfo,
    });
  }
  return out;
}

interface Draft {
  id: string;
  title: LanguageMap;
  isVisible: boolean;
  sequencing: Sequencing | undefined;
  unit?: LaunchableUnit;
  children: Draft[];
}

function draftOf(node: CourseNode): Draft {
  return {
    id: node.identifier,
    title: node.title,
    isVisible: node.isVisible,
    sequencing: node.sequencing,
    ...(node.unit !== undefined && { unit: node.unit }),
    children: node.children.map(draftOf),
  };
}

/**
 * The activity tree of a course's default organization. Formats without SCORM 2004 sequencing get the same tree
 * with every default (choice everywhere, no flow, no rules), which is what SN §3 prescribes for a 2004 package that
 * declares no sequencing, except that their content's statuses are taken as reported (no End Attempt defaults). A
 * course whose default organization is missing gets a flat tree of its units.
 */
export function buildActivityTree(model: CourseModel): ActivityTree {
  // Without SCORM 2004 sequencing the content's own statuses stand: no End Attempt defaults (SN UP.4) apply.
  const setByContent = model.format !== 'scorm2004';
  const organization = model.organizations.find((o) => o.identifier === model.defaultOrganization);
  const rootDraft: Draft = organization
    ? { id: organization.identifier, title: organization.title, isVisible: true, sequencing: organization.sequencing, children: organization.items.map(draftOf) }
    : {
        id: model.defaultOrganization || model.identifier,
        title: model.title,
        isVisible: true,
        sequencing: undefined,
        children: model.units.map((unit) => ({ id: unit.identifier, title: unit.title, isVisible: unit.isVisible, sequencing: undefined, unit, children: [] })),
      };
  const activities: Activity[] = [];
  const byId = new Map<string, Activity>();
  const build = (draft: Draft, parent: Activity | null, depth: number): Activity => {
    const s = draft.sequencing;
    const rollup = s?.rollupRules;
    const considerations = s?.rollupConsiderations;
    const durationLimit = isoDurationMs(s?.limitConditions?.attemptAbsoluteDurationLimit);
    const children: Activity[] = [];
    const activity: Activity = {
      id: draft.id,
      title: draft.title,
      isVisible: draft.isVisible,
      parent,
      children,
      allChildren: children,
      ...(draft.unit !== undefined && { unit: draft.unit }),
      depth,
      order: activities.length,
      controlMode: {
        choice: s?.controlMode?.choice ?? true,
        choiceExit: s?.controlMode?.choiceExit ?? true,
        flow: s?.controlMode?.flow ?? false,
        forwardOnly: s?.controlMode?.forwardOnly ?? false,
      },
      preConditionRules: s?.sequencingRules?.preConditionRules ?? [],
      exitConditionRules: s?.sequencingRules?.exitConditionRules ?? [],
      postConditionRules: s?.sequencingRules?.postConditionRules ?? [],
      // SN §3.10: an attempt limit of 0 means no limit.
      ...(s?.limitConditions?.attemptLimit !== undefined && s.limitConditions.attemptLimit > 0 && { attemptLimit: s.limitConditions.attemptLimit }),
      ...(durationLimit !== null && durationLimit > 0 && { attemptAbsoluteDurationLimitMs: durationLimit }),
      randomization: {
        randomizationTiming: s?.randomizationControls?.randomizationTiming ?? 'never',
        reorderChildren: s?.randomizationControls?.reorderChildren ?? false,
        selectionTiming: s?.randomizationControls?.selectionTiming ?? 'never',
        ...(s?.randomizationControls?.selectCount !== undefined && { selectCount: s.randomizationControls.selectCount }),
      },
      tracked: s?.deliveryControls?.tracked ?? true,
      completionSetByContent: s?.deliveryControls?.completionSetByContent ?? setByContent,
      objectiveSetByContent: s?.deliveryControls?.objectiveSetByContent ?? setByContent,
      rollupObjectiveSatisfied: rollup?.rollupObjectiveSatisfied ?? true,
      rollupProgressCompletion: rollup?.rollupProgressCompletion ?? true,
      objectiveMeasureWeight: rollup?.objectiveMeasureWeight ?? 1,
      rollupRules: rollup?.rules ?? [],
      rollupConsiderations: {
        requiredForSatisfied: considerations?.requiredForSatisfied ?? 'always',
        requiredForNotSatisfied: considerations?.requiredForNotSatisfied ?? 'always',
        requiredForCompleted: considerations?.requiredForCompleted ?? 'always',
        requiredForIncomplete: considerations?.requiredForIncomplete ?? 'always',
      },
      objectives: objectivesOf(s),
    };
    activities.push(activity);
    byId.set(activity.id, activity);
    for (const child of draft.children) children.push(build(child, activity, depth + 1));
    return activity;
  };
  const root = build(rootDraft, null, -1);
  return { root, activities, byId };
}

/**
 * An ISO 8601 duration (the XSD `duration` of `attemptAbsoluteDurationLimit`) in milliseconds; years as 365 days and
 * months as 30, as SCORM's timeinterval has no calendar. Null when it is not one.
 */
export function isoDurationMs(value: string | undefined): number | null {
  if (value === undefined) return null;
  const match = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!match || value.trim() === 'P' || value.trim().endsWith('T')) return null;
  const [y, mo, d, h, mi, sec] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number, number];
  return Math.round(((((y * 365 + mo * 30 + d) * 24 + h) * 60 + mi) * 60 + sec) * 1000);
}

/** The activity and its ancestors, root first. */
export function pathFromRoot(activity: Activity): Activity[] {
  const path: Activity[] = [];
  for (let at: Activity | null = activity; at !== null; at = at.parent) path.unshift(at);
  return path;
}

/** Whether `activity` is `ancestor` or one of its descendants. */
export function isWithin(activity: Activity, ancestor: Activity): boolean {
  for (let at: Activity | null = activity; at !== null; at = at.parent) if (at === ancestor) return true;
  return false;
}

/** The deepest activity both are within. */
export function commonAncestor(a: Activity, b: Activity): Activity {
  const pathB = new Set(pathFromRoot(b));
  for (let at: Activity | null = a; at !== null; at = at.parent) if (pathB.has(at)) return at;
  throw new Error('activities of different trees');
}

/** Every leaf below (or equal to) an activity, in document order. */
export function leavesOf(activity: Activity): Activity[] {
  if (activity.children.length === 0) return [activity];
  return activity.children.flatMap(leavesOf);
}
