/**
 * The `sequencing` setting of scorm-again 3.4.3's Scorm2004API, built from a SCORM 2004
 * course model: the activity tree of the default organization (organization = root
 * activity, items = children) with each activity's sequencing.
 *
 * The types below mirror scorm-again 3.4.3's `SequencingSettings`/`ActivitySettings`
 * (dist/types/types/sequencing_types.d.ts) with string literals where scorm-again declares
 * enums (its enums are `declare enum`s of the same strings). How scorm-again reads them was
 * checked in dist/esm/scorm2004.js (`ActivityTreeBuilder.createActivity`,
 * `SequencingConfigurationBuilder`): controlMode, rollup controls, randomization and
 * constrained-choice flags all go into `sequencingControls`; a rule condition's measure
 * threshold is `parameters.threshold`; a rollup rule's child activity set is `consideration`.
 * Sequencing collections are already merged by the parser, so no `collections` are emitted.
 *
 * Known gap: scorm-again ignores objectives without an `objectiveID`, and the imsss XSD
 * allows a primary objective without one; such an objective's `satisfiedByMeasure` and
 * `minNormalizedMeasure` are therefore not passed on (inventing an id would show up in
 * `cmi.objectives`).
 */
import type { CourseModel, CourseNode, Organization, Sequencing, SequencingObjective, SequencingRule } from './course-model.js';

export interface ScormAgainRuleCondition {
  condition: string;
  operator?: 'not';
  referencedObjective?: string;
  parameters?: { threshold: number };
}

export interface ScormAgainSequencingRule {
  action: string;
  conditionCombination: 'all' | 'any';
  conditions: ScormAgainRuleCondition[];
}

export interface ScormAgainRollupRule {
  action: string;
  consideration: string;
  minimumCount: number;
  minimumPercent: number;
  conditionCombination: 'all' | 'any';
  conditions: { condition: string; operator: 'noOp' | 'not' }[];
}

export interface ScormAgainObjective {
  objectiveID: string;
  isPrimary?: boolean;
  satisfiedByMeasure?: boolean;
  minNormalizedMeasure?: number | null;
  mapInfo?: Record<string, string | boolean>[];
}

export interface ScormAgainActivity {
  id: string;
  title: string;
  children?: ScormAgainActivity[];
  isVisible?: boolean;
  attemptLimit?: number | null;
  attemptAbsoluteDurationLimit?: string | null;
  timeLimitAction?: string | null;
  primaryObjective?: ScormAgainObjective;
  objectives?: ScormAgainObjective[];
  sequencingRules?: {
    preConditionRules?: ScormAgainSequencingRule[];
    exitConditionRules?: ScormAgainSequencingRule[];
    postConditionRules?: ScormAgainSequencingRule[];
  };
  sequencingControls?: Record<string, string | number | boolean>;
  deliveryControls?: { tracked?: boolean; completionSetByContent?: boolean; objectiveSetByContent?: boolean };
  rollupRules?: { rules: ScormAgainRollupRule[] };
  rollupConsiderations?: Record<string, string | boolean>;
  completionThreshold?: { completedByMeasure?: boolean; minProgressMeasure?: number; progressWeight?: number };
  hideLmsUi?: string[];
  sharedDataMaps?: { targetID: string; readSharedData?: boolean; writeSharedData?: boolean }[];
}

export interface ScormAgainSequencingSettings {
  activityTree: ScormAgainActivity;
}

/** scorm-again names SCORM's `activityProgressKnown` rollup condition `progressKnown`. */
const ROLLUP_CONDITION_NAMES: Readonly<Record<string, string>> = { activityProgressKnown: 'progressKnown' };

function titleText(title: Readonly<Record<string, string>>): string {
  return Object.values(title)[0] ?? '';
}

function defined<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}

function objectiveOf(objective: SequencingObjective, isPrimary: boolean): ScormAgainObjective | undefined {
  if (objective.objectiveID === undefined) return undefined;
  return {
    objectiveID: objective.objectiveID,
    ...(isPrimary ? { isPrimary: true } : {}),
    satisfiedByMeasure: objective.satisfiedByMeasure,
    ...(objective.minNormalizedMeasure !== undefined ? { minNormalizedMeasure: objective.minNormalizedMeasure } : {}),
    ...(objective.mapInfo.length > 0 ? { mapInfo: objective.mapInfo.map((m) => ({ ...m })) } : {}),
  };
}

function sequencingSettings(s: Sequencing | undefined): Partial<ScormAgainActivity> {
  if (s === undefined) return {};
  const out: Partial<ScormAgainActivity> = {};
  const controls: Record<string, string | number | boolean> = {
    ...(s.controlMode ?? {}),
    ...(s.randomizationControls ?? {}),
    ...(s.constrainedChoiceConsiderations ?? {}),
  };
  if (s.rollupRules !== undefined) {
    const { rules, ...rollupControls } = s.rollupRules;
    Object.assign(controls, rollupControls);
    if (rules.length > 0) {
      out.rollupRules = {
        rules: rules.map((r) => ({
          action: r.action,
          consideration: r.childActivitySet,
          minimumCount: r.minimumCount,
          minimumPercent: r.minimumPercent,
          conditionCombination: r.conditionCombination,
          conditions: r.conditions.map((c) => ({ condition: ROLLUP_CONDITION_NAMES[c.condition] ?? c.condition, operator: c.operator })),
        })),
      };
    }
  }
  const sequencingControls = defined(controls);
  if (sequencingControls !== undefined) out.sequencingControls = sequencingControls;
  if (s.deliveryControls !== undefined && defined(s.deliveryControls)) out.deliveryControls = { ...s.deliveryControls };
  if (s.sequencingRules !== undefined) {
    const rules = (list: readonly SequencingRule[]): ScormAgainSequencingRule[] =>
      list.map((r) => ({
        action: r.action,
        conditionCombination: r.conditionCombination,
        conditions: r.conditions.map((c) => ({
          condition: c.condition,
          ...(c.operator === 'not' ? { operator: 'not' as const } : {}),
          ...(c.referencedObjective !== undefined ? { referencedObjective: c.referencedObjective } : {}),
          ...(c.measureThreshold !== undefined ? { parameters: { threshold: c.measureThreshold } } : {}),
        })),
      }));
    const { preConditionRules, exitConditionRules, postConditionRules } = s.sequencingRules;
    const sequencingRules = {
      ...(preConditionRules.length > 0 ? { preConditionRules: rules(preConditionRules) } : {}),
      ...(exitConditionRules.length > 0 ? { exitConditionRules: rules(exitConditionRules) } : {}),
      ...(postConditionRules.length > 0 ? { postConditionRules: rules(postConditionRules) } : {}),
    };
    if (defined(sequencingRules)) out.sequencingRules = sequencingRules;
  }
  if (s.limitConditions?.attemptLimit !== undefined) out.attemptLimit = s.limitConditions.attemptLimit;
  if (s.limitConditions?.attemptAbsoluteDurationLimit !== undefined) out.attemptAbsoluteDurationLimit = s.limitConditions.attemptAbsoluteDurationLimit;
  if (s.rollupConsiderations !== undefined && defined(s.rollupConsiderations)) out.rollupConsiderations = { ...s.rollupConsiderations } as Record<string, string | boolean>;
  if (s.objectives !== undefined) {
    const primary = s.objectives.primary === undefined ? undefined : objectiveOf(s.objectives.primary, true);
    if (primary !== undefined) out.primaryObjective = primary;
    const others = s.objectives.others.map((o) => objectiveOf(o, false)).filter((o): o is ScormAgainObjective => o !== undefined);
    if (others.length > 0) out.objectives = others;
  }
  return out;
}

function activityOf(node: CourseNode): ScormAgainActivity {
  const unit = node.unit;
  const threshold = node.completionThreshold ?? unit?.completionThreshold;
  return {
    id: node.identifier,
    title: titleText(node.title),
    isVisible: node.isVisible,
    ...sequencingSettings(node.sequencing),
    ...(unit?.timeLimitAction !== undefined ? { timeLimitAction: unit.timeLimitAction } : {}),
    ...(threshold !== undefined ? { completionThreshold: { ...threshold } } : {}),
    ...(node.hideLmsUi !== undefined && node.hideLmsUi.length > 0 ? { hideLmsUi: [...node.hideLmsUi] } : {}),
    ...(unit?.sharedData !== undefined && unit.sharedData.length > 0 ? { sharedDataMaps: unit.sharedData.map((m) => ({ ...m })) } : {}),
    ...(node.children.length > 0 ? { children: node.children.map(activityOf) } : {}),
  };
}

/**
 * scorm-again's `sequencing` setting for a SCORM 2004 course (the default organization unless
 * another is named); undefined for other formats, which scorm-again does not sequence.
 */
export function toScormAgainSequencing(model: CourseModel, organizationId: string = model.defaultOrganization): ScormAgainSequencingSettings | undefined {
  if (model.format !== 'scorm2004') return undefined;
  const organization: Organization | undefined = model.organizations.find((o) => o.identifier === organizationId);
  if (organization === undefined) return undefined;
  return {
    activityTree: {
      id: organization.identifier,
      title: titleText(organization.title),
      ...sequencingSettings(organization.sequencing),
      children: organization.items.map(activityOf),
    },
  };
}
