/**
 * Translates what changed between two SCORM commits of one attempt into xAPI statements, following the
 * ADL xAPI SCORM Profile (xapi-scorm-profile.md; section numbers below refer to it). Pure: the clock is
 * the commit's `atMs`, ids come from `newId`, nothing is read or written.
 *
 * Layout of every statement (§3.2 "Context", §5.0):
 * - object: the SCO (type lesson), or for interactions and objectives their own activity, with the SCO in
 *   `contextActivities.parent`; their IRIs follow §6.0 ("Interactions", "Objectives") and the profile's
 *   example statements: `<SCO IRI>/interaction/<id>` and `<SCO IRI>/objective/<id>` (§3.2's guidelines
 *   write the plural; the mapping section and the examples win);
 * - `contextActivities.grouping`: [course, attempt] in that order (the profile's statement schemas check it);
 * - `contextActivities.category`: the profile activity https://w3id.org/xapi/scorm;
 * - `context.registration`, `context.platform`, `timestamp` (§3.2 "Timestamp": every statement has one).
 */
import { canonicalJson } from '../../shared/canonical-json.js';
import { parseTimestampMs } from '../../shared/xapi-formats.js';
import type {
  ScormCmiState,
  ScormComment,
  ScormInteraction,
  ScormObjective,
  ScormScore,
  ScormVersion,
  SuccessStatus,
} from './scorm-cmi-types.js';
import { ACTIVITY_TYPES, SCORM_PROFILE_ACTIVITY_ID, VERBS } from './scorm-profile-vocabulary.js';
import type { VerbName } from './scorm-profile-vocabulary.js';
import type {
  LanguageMap,
  Statement,
  TranslationAgent,
  XapiActivity,
  XapiContext,
  XapiContextActivity,
  XapiResult,
  XapiScore,
} from './xapi-statement-types.js';

export interface TranslationContext {
  readonly actor: TranslationAgent;
  /** context.registration: the learner's enrolment in the course (a UUID). */
  readonly registration: string;
  /** The course IRI: a grouping activity of every statement. */
  readonly courseActivityId: string;
  readonly courseTitle?: LanguageMap;
  /** The SCO IRI: the object of attempt-level statements, the parent of interactions and objectives. */
  readonly scoActivityId: string;
  readonly scoTitle?: LanguageMap;
  /** The attempt IRI (§5.0 "Initializing an attempt"), e.g. `${scoActivityId}?attemptId=<uuid>`: a grouping activity. */
  readonly attemptActivityId: string;
  /** 1 for the first attempt; shown in the attempt activity's name. */
  readonly attemptNumber: number;
  readonly platform?: string;
  readonly scormVersion: ScormVersion;
  /** SCORM 1.2 `adlcp:masteryscore` scaled to 0..1, when the manifest set one. */
  readonly masteryScore?: number;
}

export interface CommitEvent {
  readonly phase: 'initialize' | 'commit' | 'terminate';
  /** When the runtime received the commit (epoch ms): the statements' timestamp. */
  readonly atMs: number;
  /** The runtime resumed a suspended attempt (the statement is `resumed` rather than `initialized`). */
  readonly isResume: boolean;
}

/** Something the SCO reported that xAPI cannot hold and that the translation left out. */
export interface TranslationWarning {
  /** The SCORM element, e.g. `cmi.core.score.raw`. */
  readonly element: string;
  readonly message: string;
}

export interface Translation {
  readonly statements: Statement[];
  readonly warnings: TranslationWarning[];
}

/**
 * The statements for one commit. `before` is the attempt's state after the previous commit (null when
 * this is the first one seen); committing an unchanged state during the attempt yields no statement.
 */
export function translateCommit(
  before: ScormCmiState | null,
  after: ScormCmiState,
  event: CommitEvent,
  context: TranslationContext,
  newId: () => string,
): Statement[] {
  return translateCommitWithWarnings(before, after, event, context, newId).statements;
}

/** {@link translateCommit}, plus what had to be left out. */
export function translateCommitWithWarnings(
  before: ScormCmiState | null,
  after: ScormCmiState,
  event: CommitEvent,
  context: TranslationContext,
  newId: () => string,
): Translation {
  const out = new StatementWriter(context, newId, new Date(event.atMs).toISOString());
  const names = elementNames(after.version);

  // §5.0 "Initializing an attempt" / "Resuming an attempt"; §6.0 "Entry". At Initialize the SCO has not
  // written anything yet: what the state holds was restored by the LMS, so it becomes the baseline and
  // nothing else is reported. Without an initialize call, the first commit seen opens the attempt.
  if (event.phase === 'initialize' || before === null) {
    out.aboutSco(event.isResume || after.entry === 'resume' ? 'resumed' : 'initialized');
    if (event.phase === 'initialize') return { statements: out.statements, warnings: out.warnings };
  }

  // §6.0 "Interactions": one `responded` per new or changed interaction record the learner answered.
  const interactionsBefore = new Map((before?.interactions ?? []).map((i) => [i.index, i]));
  for (const interaction of after.interactions) {
    const previous = interactionsBefore.get(interaction.index);
    if (previous !== undefined && same(previous, interaction)) continue;
    if (interaction.learnerResponse === undefined && interaction.result === undefined) continue;
    out.responded(interaction);
  }

  // §6.0 "Objectives": statements about the objective activity, the SCO as parent.
  const objectivesBefore = new Map((before?.objectives ?? []).map((o) => [o.index, o]));
  for (const objective of after.objectives) {
    const found = objectivesBefore.get(objective.index);
    out.objectiveChanges(found?.id === objective.id ? found : undefined, objective);
  }

  // §6.0 "Comments From Learner".
  after.comments.forEach((comment, i) => {
    const text = newCommentText(before?.comments[i], comment);
    if (text !== null) out.commented(comment, text);
  });

  // §6.0 "Progress Measure": `progressed` with result.score.scaled.
  if (after.progressMeasure !== undefined && after.progressMeasure !== before?.progressMeasure) {
    const result = progressResult(after.progressMeasure, names.progressMeasure, out);
    if (result !== undefined) out.aboutSco('progressed', result);
  }

  // §6.0 "Score".
  if (!same(before?.score ?? {}, after.score)) {
    const score = out.score(after.score, after.version, names.score);
    if (score !== undefined) out.aboutSco('scored', { score });
  }

  // §6.0 "Completion Status": journaled when it becomes completed; never a regression.
  if (after.completion === 'completed' && before?.completion !== 'completed') {
    out.aboutSco('completed', { completion: true });
  }

  // §6.0 "Success Status".
  const success = effectiveSuccess(after, context);
  if (success !== 'unknown' && success !== (before === null ? 'unknown' : effectiveSuccess(before, context))) {
    const score = out.score(after.score, after.version, names.score);
    out.aboutSco(success, { success: success === 'passed', ...(score !== undefined && { score }) });
  }

  // §5.0 "Terminating an attempt" / "Suspending an attempt"; §6.0 "Exit", "Session Time".
  if (event.phase === 'terminate') {
    const suspended = after.exit === 'suspend' || after.navRequest === 'suspendAll';
    out.aboutSco(suspended ? 'suspended' : 'terminated', attemptResult(after, success, out));
  }

  return { statements: out.statements, warnings: out.warnings };
}

/**
 * Success as the LMS reports it. SCORM 1.2 RTE 3.4.4 (cmi.core.lesson_status): when the SCO reports
 * `completed`, a mastery score exists and the SCO set `score.raw`, the LMS decides passed or failed by
 * comparing them; not in browse/review mode or without credit. An explicit passed/failed is kept.
 */
export function effectiveSuccess(state: ScormCmiState, context: Pick<TranslationContext, 'masteryScore'>): SuccessStatus {
  if (state.version === 'scorm2004' || state.success !== 'unknown') return state.success;
  if (state.lessonStatus !== 'completed' || state.score.raw === undefined) return 'unknown';
  if (state.credit === 'no-credit' || (state.mode !== undefined && state.mode !== 'normal')) return 'unknown';
  const mastery = context.masteryScore !== undefined ? round(context.masteryScore * 100) : state.masteryScore;
  if (mastery === undefined) return 'unknown';
  return state.score.raw >= mastery ? 'passed' : 'failed';
}

function attemptResult(state: ScormCmiState, success: SuccessStatus, out: StatementWriter): XapiResult | undefined {
  const score = out.score(state.score, state.version, elementNames(state.version).score);
  const completion = state.completion === 'completed' ? true : state.completion === 'incomplete' ? false : undefined;
  const result: XapiResult = {
    ...(success !== 'unknown' && { success: success === 'passed' }),
    ...(completion !== undefined && { completion }),
    ...(score !== undefined && { score }),
    ...(state.sessionTime !== undefined && { duration: state.sessionTime }),
  };
  return Object.keys(result).length === 0 ? undefined : result;
}

function progressResult(progress: number, element: string, out: StatementWriter): XapiResult | undefined {
  if (progress < 0 || progress > 1) {
    out.warn(element, `${progress} is outside 0..1; no progressed statement`);
    return undefined;
  }
  return { score: { scaled: progress } };
}

/** The text a changed comment adds: SCORM 1.2 `cmi.comments` grows by appending, so only the new part is reported. */
function newCommentText(previous: ScormComment | undefined, current: ScormComment): string | null {
  if (previous === undefined) return current.comment;
  if (previous.comment === current.comment) return null;
  if (current.comment.startsWith(previous.comment)) {
    const added = current.comment.slice(previous.comment.length).trim();
    return added === '' ? null : added;
  }
  return current.comment;
}

function elementNames(version: ScormVersion) {
  return version === 'scorm12'
    ? { score: 'cmi.core.score', progressMeasure: 'cmi.progress_measure' }
    : { score: 'cmi.score', progressMeasure: 'cmi.progress_measure' };
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Removes binary floating-point noise (0.1 * 3) without losing SCORM's real(10,7) precision. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}

/** A timestamp written by the SCO, as an xAPI UTC timestamp; null unless it is a full date-time with a time zone. */
function scoTimestamp(value: string | undefined): string | null {
  if (value === undefined || !/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value) || !/T\d{2}:\d{2}:\d{2}/.test(value)) return null;
  const ms = parseTimestampMs(value);
  return ms === null ? null : new Date(ms).toISOString();
}

/** Path segment of an activity IRI built from a SCORM identifier. */
function segment(identifier: string): string {
  return encodeURIComponent(identifier);
}

// ---------------------------------------------------------------------------
// Statement construction
// ---------------------------------------------------------------------------

class StatementWriter {
  readonly statements: Statement[] = [];
  readonly warnings: TranslationWarning[] = [];
  private readonly warned = new Set<string>();
  private readonly sco: XapiActivity;
  private readonly attemptContext: XapiContext;
  private readonly withinScoContext: XapiContext;

  constructor(
    private readonly context: TranslationContext,
    private readonly newId: () => string,
    private readonly timestamp: string,
  ) {
    this.sco = activity(context.scoActivityId, ACTIVITY_TYPES.lesson, context.scoTitle);
    const course: XapiContextActivity = { id: context.courseActivityId, definition: definition(ACTIVITY_TYPES.course, context.courseTitle) };
    const attempt: XapiContextActivity = {
      id: context.attemptActivityId,
      definition: definition(ACTIVITY_TYPES.attempt, attemptName(context.scoTitle, context.attemptNumber)),
    };
    const category: XapiContextActivity = { id: SCORM_PROFILE_ACTIVITY_ID, definition: { type: ACTIVITY_TYPES.profile } };
    const base = {
      registration: context.registration,
      ...(context.platform !== undefined && { platform: context.platform }),
    };
    this.attemptContext = { ...base, contextActivities: { grouping: [course, attempt], category: [category] } };
    this.withinScoContext = {
      ...base,
      contextActivities: { parent: [{ id: this.sco.id, definition: this.sco.definition }], grouping: [course, attempt], category: [category] },
    };
  }

  warn(element: string, message: string): void {
    const key = `${element}\n${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ element, message });
  }

  aboutSco(verb: VerbName, result?: XapiResult): void {
    this.push(verb, this.sco, this.attemptContext, result, this.timestamp);
  }

  responded(interaction: ScormInteraction): void {
    const definition = {
      type: ACTIVITY_TYPES.interaction,
      ...(interaction.description !== undefined && { description: interaction.description }),
      ...(interaction.type !== undefined && { interactionType: interaction.type }),
      ...(interaction.type !== undefined && interaction.correctResponses.length > 0 && { correctResponsesPattern: [...interaction.correctResponses] }),
    };
    const result: XapiResult = {
      ...(interaction.learnerResponse !== undefined && { response: interaction.learnerResponse }),
      ...(interaction.result === 'correct' && { success: true }),
      ...(interaction.result === 'incorrect' && { success: false }),
      ...(interaction.latency !== undefined && { duration: interaction.latency }),
    };
    this.push(
      'responded',
      { objectType: 'Activity', id: `${this.context.scoActivityId}/interaction/${segment(interaction.id)}`, definition },
      this.withinScoContext,
      Object.keys(result).length === 0 ? undefined : result,
      scoTimestamp(interaction.timestamp) ?? this.timestamp,
    );
  }

  objectiveChanges(previous: ScormObjective | undefined, objective: ScormObjective): void {
    const at = `cmi.objectives.${objective.index}`;
    const target: XapiActivity = {
      objectType: 'Activity',
      id: `${this.context.scoActivityId}/objective/${segment(objective.id)}`,
      definition: { type: ACTIVITY_TYPES.objective, ...(objective.description !== undefined && { description: objective.description }) },
    };
    const emit = (verb: VerbName, result?: XapiResult) => this.push(verb, target, this.withinScoContext, result, this.timestamp);
    const version = this.context.scormVersion;
    if (objective.progressMeasure !== undefined && objective.progressMeasure !== previous?.progressMeasure) {
      const result = progressResult(objective.progressMeasure, `${at}.progress_measure`, this);
      if (result !== undefined) emit('progressed', result);
    }
    if (!same(previous?.score ?? {}, objective.score)) {
      const score = this.score(objective.score, version, `${at}.score`);
      if (score !== undefined) emit('scored', { score });
    }
    if (objective.completion === 'completed' && previous?.completion !== 'completed') emit('completed', { completion: true });
    if (objective.success !== 'unknown' && objective.success !== (previous?.success ?? 'unknown')) {
      const score = this.score(objective.score, version, `${at}.score`);
      emit(objective.success, { success: objective.success === 'passed', ...(score !== undefined && { score }) });
    }
  }

  commented(comment: ScormComment, text: string): void {
    this.push('commented', this.sco, this.attemptContext, { response: text }, scoTimestamp(comment.timestamp) ?? this.timestamp);
  }

  /**
   * xAPI Data 2.4.5.1 score: scaled in -1..1, min < max, min <= raw <= max. What would break a rule is left
   * out (with a warning) rather than sent. Only a raw or scaled value makes a score. SCORM 1.2 has no scaled score; the profile (§6.0 "Score") reports
   * raw / 100, which is (raw - min) / (max - min) with the 1.2 default range 0..100 (scorm-again defaults max to 100).
   */
  score(score: ScormScore, version: ScormVersion, element: string): XapiScore | undefined {
    let { raw, min, max, scaled } = score;
    // A range alone is no score (scorm-again also defaults SCORM 1.2 max to "100" before anything is scored).
    if (raw === undefined && scaled === undefined) return undefined;
    if (min !== undefined && max !== undefined && !(min < max)) {
      this.warn(`${element}.max`, `min ${min} is not below max ${max}; the range was left out`);
      min = max = undefined;
    }
    if (raw !== undefined && ((min !== undefined && raw < min) || (max !== undefined && raw > max))) {
      this.warn(`${element}.raw`, `raw ${raw} is outside min..max; the range was left out`);
      min = max = undefined;
    }
    if (version === 'scorm12' && scaled === undefined && raw !== undefined) {
      const low = min ?? 0;
      const high = max ?? 100;
      if (high > low) scaled = round((raw - low) / (high - low));
    }
    if (scaled !== undefined && (scaled < -1 || scaled > 1)) {
      this.warn(`${element}.scaled`, `scaled score ${scaled} is outside -1..1 and was left out`);
      scaled = undefined;
    }
    const out: XapiScore = {
      ...(scaled !== undefined && { scaled }),
      ...(raw !== undefined && { raw }),
      ...(min !== undefined && { min }),
      ...(max !== undefined && { max }),
    };
    return Object.keys(out).length === 0 ? undefined : out;
  }

  private push(verb: VerbName, object: XapiActivity, context: XapiContext, result: XapiResult | undefined, timestamp: string): void {
    this.statements.push({
      id: this.newId(),
      actor: this.context.actor,
      verb: { id: VERBS[verb], display: { 'en-US': verb } },
      object,
      ...(result !== undefined && { result }),
      context,
      timestamp,
    });
  }
}

function activity(id: string, type: string, name: LanguageMap | undefined): XapiActivity {
  return { objectType: 'Activity', id, definition: definition(type, name) };
}

function definition(type: string, name: LanguageMap | undefined) {
  return { type, ...(name !== undefined && Object.keys(name).length > 0 && { name }) };
}

/** "Module 1" -> "Module 1 #2" in every language of the SCO title (language-neutral on purpose). */
function attemptName(scoTitle: LanguageMap | undefined, attemptNumber: number): LanguageMap | undefined {
  if (scoTitle === undefined) return undefined;
  return Object.fromEntries(Object.entries(scoTitle).map(([lang, title]) => [lang, `${title} #${attemptNumber}`]));
}
