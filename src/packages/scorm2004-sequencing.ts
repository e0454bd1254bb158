/**
 * Reading `imsss:sequencing` (IMS Simple Sequencing 1.0 as profiled by SCORM 2004) and the
 * ADL sequencing extensions (`adlseq:`) into the course model.
 *
 * Attributes are kept as written (absent ones stay absent, so the runtime's defaults, which
 * are the XSD's, apply), with one exception: objective map infos are made explicit, because
 * an `imsss:mapInfo` and a 4th-edition `adlseq:mapInfo` for the same global objective are
 * merged into one entry, and each element's defaults apply only to its own attributes
 * (imsss_v1p0objective.xsd, adlseq_v1p3.xsd `mapInfoType`).
 *
 * A `sequencing` with `IDRef` is merged with the `sequencingCollection` entry it names:
 * every child element written on the item replaces the collection's element of the same
 * name (SCORM 2004 CAM 5.1.1, "sequencingCollection").
 */
import type {
  ControlMode,
  DeliveryControls,
  LimitConditions,
  ObjectiveMapInfo,
  RandomizationControls,
  RollupConditionName,
  RollupConsiderations,
  RollupRequirement,
  RollupRule,
  RollupRules,
  RuleAction,
  RuleCondition,
  RuleConditionName,
  Sequencing,
  SequencingObjective,
  SequencingObjectives,
  SequencingRule,
  SequencingRules,
} from './course-model.js';
import type { ProblemList } from './problem.js';
import { attribute, childNamed, childrenNamed, parseXmlBoolean, trimmedText, type NamespaceSet, type XmlElement } from './xml.js';

export interface SequencingReadContext {
  readonly file: string;
  readonly problems: ProblemList;
  readonly imsss: NamespaceSet;
  readonly adlseq: NamespaceSet;
}

const RULE_CONDITIONS: ReadonlySet<string> = new Set<RuleConditionName>([
  'satisfied', 'objectiveStatusKnown', 'objectiveMeasureKnown', 'objectiveMeasureGreaterThan', 'objectiveMeasureLessThan',
  'completed', 'activityProgressKnown', 'attempted', 'attemptLimitExceeded', 'timeLimitExceeded', 'outsideAvailableTimeRange', 'always',
]);
const PRE_ACTIONS: ReadonlySet<string> = new Set(['skip', 'disabled', 'hiddenFromChoice', 'stopForwardTraversal']);
const EXIT_ACTIONS: ReadonlySet<string> = new Set(['exit']);
const POST_ACTIONS: ReadonlySet<string> = new Set(['exitParent', 'exitAll', 'retry', 'retryAll', 'continue', 'previous']);
const ROLLUP_CONDITIONS: ReadonlySet<string> = new Set<RollupConditionName>([
  'satisfied', 'objectiveStatusKnown', 'objectiveMeasureKnown', 'completed', 'activityProgressKnown', 'attempted',
  'attemptLimitExceeded', 'timeLimitExceeded', 'outsideAvailableTimeRange',
]);
const ROLLUP_ACTIONS: ReadonlySet<string> = new Set(['satisfied', 'notSatisfied', 'completed', 'incomplete']);
const CHILD_SETS: ReadonlySet<string> = new Set(['all', 'any', 'none', 'atLeastCount', 'atLeastPercent']);
const TIMINGS: ReadonlySet<string> = new Set(['never', 'once', 'onEachNewAttempt']);
const REQUIREMENTS: ReadonlySet<string> = new Set(['always', 'ifAttempted', 'ifNotSkipped', 'ifNotSuspended']);

class Reader {
  constructor(private readonly ctx: SequencingReadContext) {}

  private bad(element: XmlElement, message: string): void {
    this.ctx.problems.error('sequencing-invalid', message, { file: this.ctx.file, element: element.path });
  }

  bool(element: XmlElement, name: string, ns?: NamespaceSet): boolean | undefined {
    const raw = attribute(element, name, ns);
    const value = parseXmlBoolean(raw);
    if (value === 'invalid') {
      this.bad(element, `${name}="${raw}" must be true or false.`);
      return undefined;
    }
    return value;
  }

  number(element: XmlElement, name: string, min: number, max: number, integer = false): number | undefined {
    const raw = attribute(element, name);
    if (raw === undefined) return undefined;
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      this.bad(element, `${name}="${raw}" must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(element: XmlElement, name: string, allowed: ReadonlySet<string>, fallback?: T): T | undefined {
    const raw = attribute(element, name)?.trim();
    if (raw === undefined) return fallback;
    if (!allowed.has(raw)) {
      this.bad(element, `${name}="${raw}" is not one of: ${[...allowed].join(', ')}.`);
      return undefined;
    }
    return raw as T;
  }

  private flags<K extends string>(element: XmlElement, names: readonly K[], ns?: NamespaceSet): Partial<Record<K, boolean>> {
    const out: Partial<Record<K, boolean>> = {};
    for (const name of names) {
      const value = this.bool(element, name, ns);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  controlMode(element: XmlElement): ControlMode {
    return this.flags(element, ['choice', 'choiceExit', 'flow', 'forwardOnly', 'useCurrentAttemptObjectiveInfo', 'useCurrentAttemptProgressInfo'] as const);
  }

  private rule(element: XmlElement, actions: ReadonlySet<string>): SequencingRule | undefined {
    const conditionsElement = childNamed(element, 'ruleConditions', this.ctx.imsss);
    const actionElement = childNamed(element, 'ruleAction', this.ctx.imsss);
    if (conditionsElement === undefined || actionElement === undefined) {
      this.bad(element, `A sequencing rule needs <ruleConditions> and <ruleAction>.`);
      return undefined;
    }
    const action = this.oneOf<RuleAction>(actionElement, 'action', actions);
    if (action === undefined) {
      if (attribute(actionElement, 'action') === undefined) this.bad(actionElement, 'The rule action has no action attribute.');
      return undefined;
    }
    const conditions: RuleCondition[] = [];
    for (const c of childrenNamed(conditionsElement, 'ruleCondition', this.ctx.imsss)) {
      const condition = this.oneOf<RuleConditionName>(c, 'condition', RULE_CONDITIONS);
      if (condition === undefined) {
        if (attribute(c, 'condition') === undefined) this.bad(c, 'A rule condition has no condition attribute.');
        continue;
      }
      const operator = this.oneOf<'noOp' | 'not'>(c, 'operator', new Set(['noOp', 'not']), 'noOp') ?? 'noOp';
      const referencedObjective = attribute(c, 'referencedObjective')?.trim();
      const measureThreshold = this.number(c, 'measureThreshold', -1, 1);
      conditions.push({
        condition,
        operator,
        ...(referencedObjective ? { referencedObjective } : {}),
        ...(measureThreshold !== undefined ? { measureThreshold } : {}),
      });
    }
    const conditionCombination = this.oneOf<'all' | 'any'>(conditionsElement, 'conditionCombination', new Set(['all', 'any']), 'all') ?? 'all';
    return { conditionCombination, conditions, action };
  }

  sequencingRules(element: XmlElement): SequencingRules {
    const read = (name: string, actions: ReadonlySet<string>) =>
      childrenNamed(element, name, this.ctx.imsss)
        .map((r) => this.rule(r, actions))
        .filter((r): r is SequencingRule => r !== undefined);
    return {
      preConditionRules: read('preConditionRule', PRE_ACTIONS),
      exitConditionRules: read('exitConditionRule', EXIT_ACTIONS),
      postConditionRules: read('postConditionRule', POST_ACTIONS),
    };
  }

  limitConditions(element: XmlElement): LimitConditions {
    const attemptLimit = this.number(element, 'attemptLimit', 0, Number.MAX_SAFE_INTEGER, true);
    const duration = attribute(element, 'attemptAbsoluteDurationLimit')?.trim();
    return { ...(attemptLimit !== undefined ? { attemptLimit } : {}), ...(duration ? { attemptAbsoluteDurationLimit: duration } : {}) };
  }

  rollupRules(element: XmlElement): RollupRules {
    const rules: RollupRule[] = [];
    for (const r of childrenNamed(element, 'rollupRule', this.ctx.imsss)) {
      const conditionsElement = childNamed(r, 'rollupConditions', this.ctx.imsss);
      const actionElement = childNamed(r, 'rollupAction', this.ctx.imsss);
      if (conditionsElement === undefined || actionElement === undefined) {
        this.bad(r, 'A rollup rule needs <rollupConditions> and <rollupAction>.');
        continue;
      }
      const action = this.oneOf<RollupRule['action']>(actionElement, 'action', ROLLUP_ACTIONS);
      if (action === undefined) continue;
      const conditions = childrenNamed(conditionsElement, 'rollupCondition', this.ctx.imsss).flatMap((c) => {
        const condition = this.oneOf<RollupConditionName>(c, 'condition', ROLLUP_CONDITIONS);
        if (condition === undefined) return [];
        const operator = this.oneOf<'noOp' | 'not'>(c, 'operator', new Set(['noOp', 'not']), 'noOp') ?? 'noOp';
        return [{ condition, operator }];
      });
      rules.push({
        childActivitySet: this.oneOf<RollupRule['childActivitySet']>(r, 'childActivitySet', CHILD_SETS, 'all') ?? 'all',
        minimumCount: this.number(r, 'minimumCount', 0, Number.MAX_SAFE_INTEGER, true) ?? 0,
        minimumPercent: this.number(r, 'minimumPercent', 0, 1) ?? 0,
        conditionCombination: this.oneOf<'all' | 'any'>(conditionsElement, 'conditionCombination', new Set(['all', 'any']), 'any') ?? 'any',
        conditions,
        action,
      });
    }
    const rollupObjectiveSatisfied = this.bool(element, 'rollupObjectiveSatisfied');
    const rollupProgressCompletion = this.bool(element, 'rollupProgressCompletion');
    const objectiveMeasureWeight = this.number(element, 'objectiveMeasureWeight', 0, 1);
    return {
      ...(rollupObjectiveSatisfied !== undefined ? { rollupObjectiveSatisfied } : {}),
      ...(rollupProgressCompletion !== undefined ? { rollupProgressCompletion } : {}),
      ...(objectiveMeasureWeight !== undefined ? { objectiveMeasureWeight } : {}),
      rules,
    };
  }

  private mapInfo(element: XmlElement): ObjectiveMapInfo | undefined {
    const target = attribute(element, 'targetObjectiveID')?.trim();
    if (!target) {
      this.bad(element, 'A <mapInfo> has no targetObjectiveID.');
      return undefined;
    }
    return {
      targetObjectiveID: target,
      readSatisfiedStatus: this.bool(element, 'readSatisfiedStatus') ?? true,
      readNormalizedMeasure: this.bool(element, 'readNormalizedMeasure') ?? true,
      writeSatisfiedStatus: this.bool(element, 'writeSatisfiedStatus') ?? false,
      writeNormalizedMeasure: this.bool(element, 'writeNormalizedMeasure') ?? false,
      ...NO_ADLSEQ_MAP,
    };
  }

  private objective(element: XmlElement, primary: boolean): SequencingObjective | undefined {
    const objectiveID = attribute(element, 'objectiveID')?.trim();
    if (!primary && !objectiveID) {
      this.bad(element, 'An <objective> has no objectiveID.');
      return undefined;
    }
    const minElement = childNamed(element, 'minNormalizedMeasure', this.ctx.imsss);
    let minNormalizedMeasure: number | undefined;
    if (minElement !== undefined) {
      const value = Number(trimmedText(minElement));
      if (trimmedText(minElement) === '' || !Number.isFinite(value) || value < -1 || value > 1) this.bad(minElement, `minNormalizedMeasure "${trimmedText(minElement)}" must be a number from -1 to 1.`);
      else minNormalizedMeasure = value;
    }
    return {
      ...(objectiveID ? { objectiveID } : {}),
      satisfiedByMeasure: this.bool(element, 'satisfiedByMeasure') ?? false,
      ...(minNormalizedMeasure !== undefined ? { minNormalizedMeasure } : {}),
      mapInfo: childrenNamed(element, 'mapInfo', this.ctx.imsss)
        .map((m) => this.mapInfo(m))
        .filter((m): m is ObjectiveMapInfo => m !== undefined),
    };
  }

  objectives(element: XmlElement): SequencingObjectives {
    const primaryElement = childNamed(element, 'primaryObjective', this.ctx.imsss);
    const primary = primaryElement === undefined ? undefined : this.objective(primaryElement, true);
    return {
      ...(primary !== undefined ? { primary } : {}),
      others: childrenNamed(element, 'objective', this.ctx.imsss)
        .map((o) => this.objective(o, false))
        .filter((o): o is SequencingObjective => o !== undefined),
    };
  }

  /** 4th edition `adlseq:objectives`: extended map infos merged into the objectives of the same id. */
  mergeAdlseqObjectives(element: XmlElement, objectives: SequencingObjectives | undefined): SequencingObjectives {
    const base: SequencingObjectives = objectives ?? { others: [] };
    const byId = new Map<string, SequencingObjective>();
    if (base.primary?.objectiveID !== undefined) byId.set(base.primary.objectiveID, base.primary);
    for (const o of base.others) if (o.objectiveID !== undefined) byId.set(o.objectiveID, o);
    const extra = new Map<string, ObjectiveMapInfo[]>();
    for (const objective of childrenNamed(element, 'objective', this.ctx.adlseq)) {
      const id = attribute(objective, 'objectiveID')?.trim();
      if (!id || !byId.has(id)) {
        this.bad(objective, `adlseq:objective "${id ?? ''}" does not match an imsss objective of this activity.`);
        continue;
      }
      for (const m of childrenNamed(objective, 'mapInfo', this.ctx.adlseq)) {
        const target = attribute(m, 'targetObjectiveID')?.trim();
        if (!target) {
          this.bad(m, 'An adlseq:mapInfo has no targetObjectiveID.');
          continue;
        }
        const read = (name: string) => this.bool(m, name) ?? true;
        const write = (name: string) => this.bool(m, name) ?? false;
        const list = extra.get(id) ?? [];
        list.push({
          targetObjectiveID: target,
          readSatisfiedStatus: false,
          readNormalizedMeasure: false,
          writeSatisfiedStatus: false,
          writeNormalizedMeasure: false,
          readRawScore: read('readRawScore'),
          readMinScore: read('readMinScore'),
          readMaxScore: read('readMaxScore'),
          readCompletionStatus: read('readCompletionStatus'),
          readProgressMeasure: read('readProgressMeasure'),
          writeRawScore: write('writeRawScore'),
          writeMinScore: write('writeMinScore'),
          writeMaxScore: write('writeMaxScore'),
          writeCompletionStatus: write('writeCompletionStatus'),
          writeProgressMeasure: write('writeProgressMeasure'),
        });
        extra.set(id, list);
      }
    }
    const merge = (o: SequencingObjective): SequencingObjective => {
      const adds = o.objectiveID === undefined ? undefined : extra.get(o.objectiveID);
      if (adds === undefined) return o;
      const mapInfo = [...o.mapInfo];
      for (const add of adds) {
        const index = mapInfo.findIndex((m) => m.targetObjectiveID === add.targetObjectiveID);
        if (index < 0) mapInfo.push(add);
        else {
          const existing = mapInfo[index] as ObjectiveMapInfo;
          mapInfo[index] = { ...add, readSatisfiedStatus: existing.readSatisfiedStatus, readNormalizedMeasure: existing.readNormalizedMeasure, writeSatisfiedStatus: existing.writeSatisfiedStatus, writeNormalizedMeasure: existing.writeNormalizedMeasure } as ObjectiveMapInfo;
        }
      }
      return { ...o, mapInfo };
    };
    return { ...(base.primary !== undefined ? { primary: merge(base.primary) } : {}), others: base.others.map(merge) };
  }

  randomizationControls(element: XmlElement): RandomizationControls {
    const randomizationTiming = this.oneOf<NonNullable<RandomizationControls['randomizationTiming']>>(element, 'randomizationTiming', TIMINGS);
    const selectionTiming = this.oneOf<NonNullable<RandomizationControls['selectionTiming']>>(element, 'selectionTiming', TIMINGS);
    const selectCount = this.number(element, 'selectCount', 0, Number.MAX_SAFE_INTEGER, true);
    const reorderChildren = this.bool(element, 'reorderChildren');
    return {
      ...(randomizationTiming !== undefined ? { randomizationTiming } : {}),
      ...(selectCount !== undefined ? { selectCount } : {}),
      ...(reorderChildren !== undefined ? { reorderChildren } : {}),
      ...(selectionTiming !== undefined ? { selectionTiming } : {}),
    };
  }

  deliveryControls(element: XmlElement): DeliveryControls {
    return this.flags(element, ['tracked', 'completionSetByContent', 'objectiveSetByContent'] as const);
  }

  rollupConsiderations(element: XmlElement): RollupConsiderations {
    const out: Record<string, unknown> = {};
    for (const name of ['requiredForSatisfied', 'requiredForNotSatisfied', 'requiredForCompleted', 'requiredForIncomplete']) {
      const value = this.oneOf<RollupRequirement>(element, name, REQUIREMENTS);
      if (value !== undefined) out[name] = value;
    }
    const measure = this.bool(element, 'measureSatisfactionIfActive');
    if (measure !== undefined) out['measureSatisfactionIfActive'] = measure;
    return out as RollupConsiderations;
  }
}

const NO_ADLSEQ_MAP = {
  readCompletionStatus: false,
  writeCompletionStatus: false,
  readProgressMeasure: false,
  writeProgressMeasure: false,
  readRawScore: false,
  writeRawScore: false,
  readMinScore: false,
  writeMinScore: false,
  readMaxScore: false,
  writeMaxScore: false,
} as const;

type MutableSequencing = { -readonly [K in keyof Sequencing]?: Sequencing[K] };

/** Reads one `imsss:sequencing` element as written (without resolving `IDRef`). */
export function readSequencingElement(element: XmlElement, ctx: SequencingReadContext): Sequencing {
  const reader = new Reader(ctx);
  const { imsss, adlseq } = ctx;
  const out: MutableSequencing = {};
  const control = childNamed(element, 'controlMode', imsss);
  if (control) out.controlMode = reader.controlMode(control);
  const rules = childNamed(element, 'sequencingRules', imsss);
  if (rules) out.sequencingRules = reader.sequencingRules(rules);
  const limits = childNamed(element, 'limitConditions', imsss);
  if (limits) out.limitConditions = reader.limitConditions(limits);
  const rollup = childNamed(element, 'rollupRules', imsss);
  if (rollup) out.rollupRules = reader.rollupRules(rollup);
  const objectives = childNamed(element, 'objectives', imsss);
  if (objectives) out.objectives = reader.objectives(objectives);
  const adlseqObjectives = childNamed(element, 'objectives', adlseq);
  if (adlseqObjectives) out.objectives = reader.mergeAdlseqObjectives(adlseqObjectives, out.objectives);
  const random = childNamed(element, 'randomizationControls', imsss);
  if (random) out.randomizationControls = reader.randomizationControls(random);
  const delivery = childNamed(element, 'deliveryControls', imsss);
  if (delivery) out.deliveryControls = reader.deliveryControls(delivery);
  const constrained = childNamed(element, 'constrainedChoiceConsiderations', adlseq);
  if (constrained) {
    const preventActivation = reader.bool(constrained, 'preventActivation');
    const constrainChoice = reader.bool(constrained, 'constrainChoice');
    out.constrainedChoiceConsiderations = {
      ...(preventActivation !== undefined ? { preventActivation } : {}),
      ...(constrainChoice !== undefined ? { constrainChoice } : {}),
    };
  }
  const considerations = childNamed(element, 'rollupConsiderations', adlseq);
  if (considerations) out.rollupConsiderations = reader.rollupConsiderations(considerations);
  return out as Sequencing;
}

/** The `imsss:sequencingCollection` entries by `ID`. */
export function readSequencingCollection(manifest: XmlElement, ctx: SequencingReadContext): Map<string, Sequencing> {
  const collection = new Map<string, Sequencing>();
  const element = childNamed(manifest, 'sequencingCollection', ctx.imsss);
  if (element === undefined) return collection;
  for (const sequencing of childrenNamed(element, 'sequencing', ctx.imsss)) {
    const id = attribute(sequencing, 'ID')?.trim();
    if (!id) {
      ctx.problems.error('sequencing-invalid', 'A <sequencing> in the sequencingCollection has no ID.', { file: ctx.file, element: sequencing.path });
      continue;
    }
    collection.set(id, readSequencingElement(sequencing, ctx));
  }
  return collection;
}

/** An item's or organization's sequencing with its `IDRef` collection entry merged in (local elements win). */
export function readSequencing(owner: XmlElement, collection: ReadonlyMap<string, Sequencing>, ctx: SequencingReadContext): Sequencing | undefined {
  const element = childNamed(owner, 'sequencing', ctx.imsss);
  if (element === undefined) return undefined;
  const local = readSequencingElement(element, ctx);
  const ref = attribute(element, 'IDRef')?.trim();
  if (!ref) return local;
  const shared = collection.get(ref);
  if (shared === undefined) {
    ctx.problems.error('sequencing-collection-missing', `The sequencing refers to IDRef="${ref}", but the sequencingCollection has no sequencing with that ID.`, { file: ctx.file, element: element.path });
    return local;
  }
  return { ...shared, ...local, collectionRef: ref };
}
