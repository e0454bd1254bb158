/**
 * One course model for every package format. Parsers for SCORM 1.2, SCORM 2004, tincan.xml
 * and cmi5.xml all produce this shape, so the runtime, the catalogue and the pages never
 * look at a manifest again.
 *
 * Conventions:
 * - Titles and descriptions are language maps (xAPI style); a string without a language is
 *   stored under `und` (RFC 5646 "undetermined").
 * - `launchUrl` is relative to the package root unless `external` is true, when it is an
 *   absolute http(s) URL. Its path part is the file's path in the package (`/`-separated,
 *   `xml:base` applied, percent-decoded, NFC; the runtime encodes each segment when it builds
 *   a URL); a query string written in the descriptor (`index.html?pages=1`) is kept as written.
 *   `launchParameters` (SCORM `parameters`, cmi5 `launchParameters`) are kept apart because
 *   the runtime appends or passes them itself.
 */

export type PackageFormat = 'scorm12' | 'scorm2004' | 'xapi' | 'cmi5';
export type Scorm2004Edition = '2nd' | '3rd' | '4th';
export type LanguageMap = Record<string, string>;

export interface CourseModel {
  readonly format: PackageFormat;
  /** SCORM 2004 only. */
  readonly edition?: Scorm2004Edition;
  /**
   * The course's own identifier: the manifest `identifier` for SCORM (not an IRI; the catalogue
   * builds `PUBLIC_URL/courses/<slug>`), the course activity IRI for xAPI and cmi5.
   */
  readonly identifier: string;
  /** True when `identifier` is an IRI usable as the course activity id. */
  readonly identifierIsIri: boolean;
  readonly title: LanguageMap;
  readonly description?: LanguageMap;
  /** Languages declared by the package (metadata, langstrings), canonical casing (`en-US`), without duplicates. */
  readonly languages: string[];
  readonly metadata: CourseMetadata;
  readonly organizations: Organization[];
  /** Identifier of the organization the learner gets (SCORM `organizations@default`, after fallback). */
  readonly defaultOrganization: string;
  /** The launchable units of the default organization, in document order. */
  readonly units: LaunchableUnit[];
  /** cmi5 course-level objectives. */
  readonly objectives?: CourseObjective[];
  /** The descriptor file the model was read from, relative to the package root. */
  readonly descriptor: string;
}

export interface CourseMetadata {
  /** SCORM `metadata/schema`, e.g. `ADL SCORM`. */
  readonly schema?: string;
  /** SCORM `metadata/schemaversion` as written. */
  readonly schemaVersion?: string;
  /** External metadata file (`adlcp:location`), relative to the package root. */
  readonly location?: string;
  readonly keywords?: LanguageMap[];
  /** SCORM 2004: global objectives are shared across the system (`adlseq:objectivesGlobalToSystem`, default true). */
  readonly objectivesGlobalToSystem?: boolean;
  /** SCORM 2004 4th ed.: `adlcp:sharedDataGlobalToSystem` (default true). */
  readonly sharedDataGlobalToSystem?: boolean;
}

export interface Organization {
  readonly identifier: string;
  readonly title: LanguageMap;
  /** Top-level items (SCORM) or blocks and AUs (cmi5). */
  readonly items: CourseNode[];
  /** SCORM 2004 sequencing on the organization (the activity tree's root). */
  readonly sequencing?: Sequencing;
  /** True when the importer built this organization because the manifest had none. */
  readonly synthesized?: boolean;
}

/** An item (SCORM), block or AU (cmi5), or activity (xAPI) in the tree. */
export interface CourseNode {
  readonly identifier: string;
  readonly title: LanguageMap;
  readonly description?: LanguageMap;
  readonly isVisible: boolean;
  readonly children: CourseNode[];
  /** Present when the node can be launched. */
  readonly unit?: LaunchableUnit;
  /** SCORM 2004: the item's sequencing, with any `IDRef` collection merged in. */
  readonly sequencing?: Sequencing;
  /** SCORM 2004: `adlnav:presentation/navigationInterface/hideLMSUI` values. */
  readonly hideLmsUi?: string[];
  /** SCORM 2004 clusters can carry a completion threshold too (progress weight in rollup). */
  readonly completionThreshold?: CompletionThreshold;
  /** cmi5: objective ids referenced by this block or AU. */
  readonly objectives?: string[];
}

export interface CompletionThreshold {
  readonly completedByMeasure?: boolean;
  readonly minProgressMeasure?: number;
  readonly progressWeight?: number;
}

export interface LaunchableUnit {
  /** SCORM item identifier, cmi5 AU id, xAPI activity id. Unique in the course. */
  readonly identifier: string;
  readonly title: LanguageMap;
  readonly description?: LanguageMap;
  /** See the module comment. */
  readonly launchUrl: string;
  readonly external: boolean;
  /** SCORM item `parameters`, cmi5 `launchParameters`. */
  readonly launchParameters?: string;
  /** SCORM: the resource identifier behind the item. */
  readonly resourceIdentifier?: string;
  /** SCORM: `sco` talks to the API, `asset` does not. */
  readonly scormType?: 'sco' | 'asset';
  readonly isVisible: boolean;
  /** SCORM 1.2 `adlcp:masteryscore`, 0–100 as written. (cmi5's scaled score is in `cmi5.masteryScore`.) */
  readonly masteryScore?: number;
  /** SCORM `timelimitaction`: `exit,message`, `exit,no message`, `continue,message`, `continue,no message`. */
  readonly timeLimitAction?: string;
  /** SCORM 1.2 `adlcp:maxtimeallowed` (HHHH:MM:SS.SS) or SCORM 2004 `attemptAbsoluteDurationLimit` (ISO 8601). */
  readonly maxTimeAllowed?: string;
  /** SCORM `datafromlms` / `dataFromLMS`: becomes `cmi.launch_data` (`cmi.core.launch_data` in 1.2). */
  readonly dataFromLms?: string;
  /** SCORM 2004 `adlcp:completionThreshold`. */
  readonly completionThreshold?: CompletionThreshold;
  /** SCORM 1.2 `adlcp:prerequisites`. */
  readonly prerequisites?: { readonly type: string; readonly expression: string };
  /** SCORM 2004 4th ed. `adlcp:data/adlcp:map` shared data buckets. */
  readonly sharedData?: SharedDataMap[];
  readonly cmi5?: Cmi5UnitProperties;
  /** xAPI: the activity type declared in tincan.xml. */
  readonly activityType?: string;
}

export interface SharedDataMap {
  readonly targetID: string;
  readonly readSharedData: boolean;
  readonly writeSharedData: boolean;
}

export type Cmi5MoveOn = 'Passed' | 'Completed' | 'CompletedAndPassed' | 'CompletedOrPassed' | 'NotApplicable';
export type Cmi5LaunchMethod = 'AnyWindow' | 'OwnWindow';

export interface Cmi5UnitProperties {
  readonly moveOn: Cmi5MoveOn;
  /** Scaled, 0–1. */
  readonly masteryScore?: number;
  readonly launchMethod: Cmi5LaunchMethod;
  readonly launchParameters?: string;
  readonly entitlementKey?: string;
  readonly activityType?: string;
}

export interface CourseObjective {
  readonly id: string;
  readonly title: LanguageMap;
  readonly description?: LanguageMap;
}

// ---------------------------------------------------------------------------
// SCORM 2004 sequencing (IMS Simple Sequencing, imsss + ADL extensions), as written: absent
// attributes stay absent (the runtime's defaults are the XSD's), except objective map infos,
// which are explicit (see scorm2004-sequencing.ts), and rule/rollup fields the XSD defaults.
// ---------------------------------------------------------------------------

export interface Sequencing {
  readonly controlMode?: ControlMode;
  readonly sequencingRules?: SequencingRules;
  readonly limitConditions?: LimitConditions;
  readonly rollupRules?: RollupRules;
  readonly objectives?: SequencingObjectives;
  readonly randomizationControls?: RandomizationControls;
  readonly deliveryControls?: DeliveryControls;
  /** `adlseq:constrainedChoiceConsiderations`. */
  readonly constrainedChoiceConsiderations?: { readonly preventActivation?: boolean; readonly constrainChoice?: boolean };
  /** `adlseq:rollupConsiderations`. */
  readonly rollupConsiderations?: RollupConsiderations;
  /** The `IDRef` of a `sequencingCollection` entry that was merged in. */
  readonly collectionRef?: string;
}

export interface ControlMode {
  readonly choice?: boolean;
  readonly choiceExit?: boolean;
  readonly flow?: boolean;
  readonly forwardOnly?: boolean;
  readonly useCurrentAttemptObjectiveInfo?: boolean;
  readonly useCurrentAttemptProgressInfo?: boolean;
}

export type RuleConditionName =
  | 'satisfied' | 'objectiveStatusKnown' | 'objectiveMeasureKnown' | 'objectiveMeasureGreaterThan'
  | 'objectiveMeasureLessThan' | 'completed' | 'activityProgressKnown' | 'attempted'
  | 'attemptLimitExceeded' | 'timeLimitExceeded' | 'outsideAvailableTimeRange' | 'always';

export type RuleAction =
  | 'skip' | 'disabled' | 'hiddenFromChoice' | 'stopForwardTraversal'
  | 'exitParent' | 'exitAll' | 'retry' | 'retryAll' | 'continue' | 'previous' | 'exit';

export interface RuleCondition {
  readonly condition: RuleConditionName;
  readonly operator: 'noOp' | 'not';
  readonly referencedObjective?: string;
  readonly measureThreshold?: number;
}

export interface SequencingRule {
  readonly conditionCombination: 'all' | 'any';
  readonly conditions: RuleCondition[];
  readonly action: RuleAction;
}

export interface SequencingRules {
  readonly preConditionRules: SequencingRule[];
  readonly exitConditionRules: SequencingRule[];
  readonly postConditionRules: SequencingRule[];
}

export interface LimitConditions {
  readonly attemptLimit?: number;
  readonly attemptAbsoluteDurationLimit?: string;
}

export type RollupConditionName =
  | 'satisfied' | 'objectiveStatusKnown' | 'objectiveMeasureKnown' | 'completed'
  | 'activityProgressKnown' | 'attempted' | 'attemptLimitExceeded' | 'timeLimitExceeded'
  | 'outsideAvailableTimeRange';

export interface RollupRule {
  readonly childActivitySet: 'all' | 'any' | 'none' | 'atLeastCount' | 'atLeastPercent';
  readonly minimumCount: number;
  readonly minimumPercent: number;
  readonly conditionCombination: 'all' | 'any';
  readonly conditions: { readonly condition: RollupConditionName; readonly operator: 'noOp' | 'not' }[];
  readonly action: 'satisfied' | 'notSatisfied' | 'completed' | 'incomplete';
}

export interface RollupRules {
  readonly rollupObjectiveSatisfied?: boolean;
  readonly rollupProgressCompletion?: boolean;
  readonly objectiveMeasureWeight?: number;
  readonly rules: RollupRule[];
}

export interface ObjectiveMapInfo {
  readonly targetObjectiveID: string;
  readonly readSatisfiedStatus?: boolean;
  readonly readNormalizedMeasure?: boolean;
  readonly writeSatisfiedStatus?: boolean;
  readonly writeNormalizedMeasure?: boolean;
  /** 4th edition `adlseq:mapInfo` extensions. */
  readonly readCompletionStatus?: boolean;
  readonly writeCompletionStatus?: boolean;
  readonly readProgressMeasure?: boolean;
  readonly writeProgressMeasure?: boolean;
  readonly readRawScore?: boolean;
  readonly writeRawScore?: boolean;
  readonly readMinScore?: boolean;
  readonly writeMinScore?: boolean;
  readonly readMaxScore?: boolean;
  readonly writeMaxScore?: boolean;
}

export interface SequencingObjective {
  /** Optional on the primary objective (imsss XSD), required on the others. */
  readonly objectiveID?: string;
  readonly satisfiedByMeasure: boolean;
  readonly minNormalizedMeasure?: number;
  readonly mapInfo: ObjectiveMapInfo[];
}

export interface SequencingObjectives {
  readonly primary?: SequencingObjective;
  readonly others: SequencingObjective[];
}

export interface RandomizationControls {
  readonly randomizationTiming?: 'never' | 'once' | 'onEachNewAttempt';
  readonly selectCount?: number;
  readonly reorderChildren?: boolean;
  readonly selectionTiming?: 'never' | 'once' | 'onEachNewAttempt';
}

export interface DeliveryControls {
  readonly tracked?: boolean;
  readonly completionSetByContent?: boolean;
  readonly objectiveSetByContent?: boolean;
}

export type RollupRequirement = 'always' | 'ifAttempted' | 'ifNotSkipped' | 'ifNotSuspended';

export interface RollupConsiderations {
  readonly requiredForSatisfied?: RollupRequirement;
  readonly requiredForNotSatisfied?: RollupRequirement;
  readonly requiredForCompleted?: RollupRequirement;
  readonly requiredForIncomplete?: RollupRequirement;
  readonly measureSatisfactionIfActive?: boolean;
}

/** Every launchable unit of a node list, depth first, in document order. */
export function collectUnits(nodes: readonly CourseNode[]): LaunchableUnit[] {
  const out: LaunchableUnit[] = [];
  const visit = (node: CourseNode): void => {
    if (node.unit !== undefined) out.push(node.unit);
    node.children.forEach(visit);
  };
  nodes.forEach(visit);
  return out;
}
