/**
 * Reads the body of a SCORM commit sent by scorm-again (3.4) into a {@link ScormCmiState}.
 *
 * Accepted bodies, as scorm-again renders them (`BaseAPI.getCommitObject`):
 * - `dataCommitFormat: "json"` (the default): `{"cmi": {...}, "adl"?: {...}}`, values as strings,
 *   collections as objects keyed "0", "1", ... (arrays are accepted too);
 * - `renderCommonCommitFields: true`: `{successStatus, completionStatus, totalTimeSeconds, score, runtimeData: {"cmi": ...}}`
 *   (only `runtimeData` is read: the other fields are derived from it);
 * - `dataCommitFormat: "flattened"` (`{"cmi.core.lesson_status": "passed", ...}`) and `"params"` (`["cmi.core.lesson_status=passed", ...]`).
 *
 * Empty strings are SCORM's "not set". Anything that SCORM's data model could not hold (a word where a number
 * belongs, an unknown status, a malformed time) is refused with a {@link ScormCommitError} naming the element:
 * scorm-again validates every SetValue, so such a body did not come from a conforming runtime.
 */
import { AppError } from '../../errors.js';
import type {
  CompletionStatus,
  InteractionResult,
  InteractionType,
  ScormCmiState,
  ScormComment,
  ScormInteraction,
  ScormObjective,
  ScormPreferences,
  ScormScore,
  ScormVersion,
  SuccessStatus,
} from './scorm-cmi-types.js';
import { durationToIso, localizedStringToLanguageMap, responseToXapi, SCORM12_TIME_OF_DAY } from './scorm-values.js';

/** A commit body that is not a SCORM data model. `element` names the offending element, e.g. `cmi.score.raw`. */
export class ScormCommitError extends AppError {
  constructor(
    readonly element: string,
    problem: string,
  ) {
    super('validation', 'scorm-commit-invalid', `${element} ${problem}`, { element });
  }
}

type Json = Record<string, unknown>;

const INTERACTION_TYPES_2004: readonly InteractionType[] = [
  'true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other',
];
/** SCORM 1.2 RTE 3.4.4: cmi.interactions.n.type vocabulary (no long-fill-in, no other). */
const INTERACTION_TYPES_12: readonly InteractionType[] = [
  'true-false', 'choice', 'fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric',
];
const LESSON_STATUSES = ['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted'] as const;
type LessonStatus = (typeof LESSON_STATUSES)[number];

export function readCmi(version: ScormVersion, commitBody: unknown): ScormCmiState {
  const { cmi, adl } = unwrapBody(commitBody);
  return version === 'scorm12' ? readScorm12(cmi) : readScorm2004(cmi, adl);
}

// ---------------------------------------------------------------------------
// Body shapes
// ---------------------------------------------------------------------------

function unwrapBody(body: unknown): { cmi: Json; adl: Json } {
  if (Array.isArray(body)) return unwrapFlat(Object.fromEntries(body.map(paramEntry)));
  if (!isObject(body)) throw new ScormCommitError('cmi', 'is missing: the commit body must be a JSON object');
  const runtime = isObject(body['runtimeData']) ? body['runtimeData'] : body;
  if (runtime['cmi'] !== undefined) {
    return { cmi: object(runtime['cmi'], 'cmi'), adl: object(runtime['adl'], 'adl') };
  }
  if (Object.keys(runtime).some((k) => k.startsWith('cmi.'))) return unwrapFlat(runtime);
  throw new ScormCommitError('cmi', 'is missing from the commit body');
}

function paramEntry(item: unknown, i: number): [string, string] {
  if (typeof item !== 'string' || !item.includes('=')) {
    throw new ScormCommitError(`[${i}]`, 'must be a "element=value" string');
  }
  const eq = item.indexOf('=');
  return [item.slice(0, eq), item.slice(eq + 1)];
}

/** {"cmi.core.score.raw": "80"} -> {cmi: {core: {score: {raw: "80"}}}}. */
function unwrapFlat(flat: Json): { cmi: Json; adl: Json } {
  const root: Json = {};
  for (const [key, value] of Object.entries(flat)) {
    if (!key.startsWith('cmi.') && !key.startsWith('adl.')) continue;
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (!isObject(next)) throw new ScormCommitError(key, 'conflicts with another element of the commit');
      node = node[part] as Json;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return { cmi: object(root['cmi'], 'cmi'), adl: object(root['adl'], 'adl') };
}

// ---------------------------------------------------------------------------
// SCORM 1.2
// ---------------------------------------------------------------------------

function readScorm12(cmi: Json): ScormCmiState {
  const core = object(cmi['core'], 'cmi.core');
  const lessonStatus = oneOf(core['lesson_status'], 'cmi.core.lesson_status', LESSON_STATUSES);
  const studentData = object(cmi['student_data'], 'cmi.student_data');
  const preference = object(cmi['student_preference'], 'cmi.student_preference');
  const comments = text(cmi['comments'], 'cmi.comments');
  const commentsFromLms = text(cmi['comments_from_lms'], 'cmi.comments_from_lms');
  const captioning = number(preference['text'], 'cmi.student_preference.text');
  if (captioning !== undefined && captioning !== -1 && captioning !== 0 && captioning !== 1) {
    throw new ScormCommitError('cmi.student_preference.text', 'must be -1, 0 or 1');
  }
  const language = text(preference['language'], 'cmi.student_preference.language');
  const preferences: ScormPreferences = {
    ...(language !== undefined && { language }),
    ...(captioning !== undefined && { audioCaptioning: captioning as -1 | 0 | 1 }),
  };
  return compact({
    version: 'scorm12',
    entry: oneOf(core['entry'], 'cmi.core.entry', ['ab-initio', 'resume'] as const),
    exit: oneOf(core['exit'], 'cmi.core.exit', ['time-out', 'suspend', 'logout'] as const),
    credit: oneOf(core['credit'], 'cmi.core.credit', ['credit', 'no-credit'] as const),
    mode: oneOf(core['lesson_mode'], 'cmi.core.lesson_mode', ['browse', 'normal', 'review'] as const),
    location: text(core['lesson_location'], 'cmi.core.lesson_location'),
    suspendData: text(cmi['suspend_data'], 'cmi.suspend_data'),
    launchData: text(cmi['launch_data'], 'cmi.launch_data'),
    completion: completionOf12(lessonStatus),
    success: successOf12(lessonStatus),
    lessonStatus,
    score: score(core['score'], 'cmi.core.score', false),
    masteryScore: number(studentData['mastery_score'], 'cmi.student_data.mastery_score'),
    maxTimeAllowed: duration('scorm12', studentData['max_time_allowed'], 'cmi.student_data.max_time_allowed'),
    timeLimitAction: text(studentData['time_limit_action'], 'cmi.student_data.time_limit_action'),
    sessionTime: duration('scorm12', core['session_time'], 'cmi.core.session_time'),
    totalTime: duration('scorm12', core['total_time'], 'cmi.core.total_time'),
    learnerId: text(core['student_id'], 'cmi.core.student_id'),
    learnerName: text(core['student_name'], 'cmi.core.student_name'),
    preferences,
    interactions: collection(cmi['interactions'], 'cmi.interactions').flatMap(([i, item]) => interaction12(i, item)),
    objectives: collection(cmi['objectives'], 'cmi.objectives').flatMap(([i, item]) => objective12(i, item)),
    comments: comments === undefined ? [] : [{ comment: comments }],
    commentsFromLms: commentsFromLms === undefined ? [] : [{ comment: commentsFromLms }],
  });
}

/** SCORM 1.2 lesson_status -> completion: passed implies completed; failed says nothing about completion. */
function completionOf12(status: LessonStatus | undefined): CompletionStatus {
  switch (status) {
    case 'passed':
    case 'completed':
      return 'completed';
    case 'incomplete':
      return 'incomplete';
    case 'not attempted':
      return 'not attempted';
    default:
      return 'unknown';
  }
}

function successOf12(status: LessonStatus | undefined): SuccessStatus {
  return status === 'passed' || status === 'failed' ? status : 'unknown';
}

function interaction12(index: number, item: Json): ScormInteraction[] {
  const at = `cmi.interactions.${index}`;
  const id = text(item['id'], `${at}.id`);
  if (id === undefined) return [];
  const type = oneOf(item['type'], `${at}.type`, INTERACTION_TYPES_12);
  const response = text(item['student_response'], `${at}.student_response`);
  const time = text(item['time'], `${at}.time`);
  if (time !== undefined && !SCORM12_TIME_OF_DAY.test(time)) throw new ScormCommitError(`${at}.time`, 'must be a time of day HH:MM:SS');
  return [
    compact({
      index,
      id,
      type,
      correctResponses: patterns('scorm12', type, item['correct_responses'], `${at}.correct_responses`),
      learnerResponse: response === undefined ? undefined : responseToXapi('scorm12', type, response),
      result: interactionResult(item['result'], `${at}.result`, 'wrong'),
      latency: duration('scorm12', item['latency'], `${at}.latency`),
      timeOfDay: time,
      weighting: number(item['weighting'], `${at}.weighting`),
      objectiveIds: objectiveIds(item['objectives'], `${at}.objectives`),
    }),
  ];
}

function objective12(index: number, item: Json): ScormObjective[] {
  const at = `cmi.objectives.${index}`;
  const id = text(item['id'], `${at}.id`);
  if (id === undefined) return [];
  const status = oneOf(item['status'], `${at}.status`, LESSON_STATUSES);
  return [compact({ index, id, completion: completionOf12(status), success: successOf12(status), score: score(item['score'], `${at}.score`, false) })];
}

// ---------------------------------------------------------------------------
// SCORM 2004
// ---------------------------------------------------------------------------

function readScorm2004(cmi: Json, adl: Json): ScormCmiState {
  const scoreValue = score(cmi['score'], 'cmi.score', true);
  const progressMeasure = number(cmi['progress_measure'], 'cmi.progress_measure');
  const completionThreshold = number(cmi['completion_threshold'], 'cmi.completion_threshold');
  const scaledPassingScore = number(cmi['scaled_passing_score'], 'cmi.scaled_passing_score');
  const storedCompletion = oneOf(cmi['completion_status'], 'cmi.completion_status', ['completed', 'incomplete', 'not attempted', 'unknown'] as const);
  const storedSuccess = oneOf(cmi['success_status'], 'cmi.success_status', ['passed', 'failed', 'unknown'] as const);
  const nav = object(adl['nav'], 'adl.nav');
  const request = text(nav['request'], 'adl.nav.request');
  return compact({
    version: 'scorm2004',
    entry: oneOf(cmi['entry'], 'cmi.entry', ['ab-initio', 'resume'] as const),
    exit: oneOf(cmi['exit'], 'cmi.exit', ['time-out', 'suspend', 'logout', 'normal'] as const),
    navRequest: request === '_none_' ? undefined : request,
    credit: oneOf(cmi['credit'], 'cmi.credit', ['credit', 'no-credit'] as const),
    mode: oneOf(cmi['mode'], 'cmi.mode', ['browse', 'normal', 'review'] as const),
    location: text(cmi['location'], 'cmi.location'),
    suspendData: text(cmi['suspend_data'], 'cmi.suspend_data'),
    launchData: text(cmi['launch_data'], 'cmi.launch_data'),
    completion: evaluateCompletion(storedCompletion, completionThreshold, progressMeasure),
    success: evaluateSuccess(storedSuccess, scaledPassingScore, scoreValue.scaled),
    score: scoreValue,
    progressMeasure,
    completionThreshold,
    scaledPassingScore,
    maxTimeAllowed: duration('scorm2004', cmi['max_time_allowed'], 'cmi.max_time_allowed'),
    timeLimitAction: text(cmi['time_limit_action'], 'cmi.time_limit_action'),
    sessionTime: duration('scorm2004', cmi['session_time'], 'cmi.session_time'),
    totalTime: duration('scorm2004', cmi['total_time'], 'cmi.total_time'),
    learnerId: text(cmi['learner_id'], 'cmi.learner_id'),
    learnerName: text(cmi['learner_name'], 'cmi.learner_name'),
    preferences: preferences2004(object(cmi['learner_preference'], 'cmi.learner_preference')),
    interactions: collection(cmi['interactions'], 'cmi.interactions').flatMap(([i, item]) => interaction2004(i, item)),
    objectives: collection(cmi['objectives'], 'cmi.objectives').flatMap(([i, item]) => objective2004(i, item)),
    comments: comments2004(cmi['comments_from_learner'], 'cmi.comments_from_learner'),
    commentsFromLms: comments2004(cmi['comments_from_lms'], 'cmi.comments_from_lms'),
  });
}

/** SCORM 2004 RTE table 4.2.4.1a: a completion threshold makes the progress measure decide. */
function evaluateCompletion(stored: CompletionStatus | undefined, threshold: number | undefined, progress: number | undefined): CompletionStatus {
  if (threshold !== undefined) {
    if (progress === undefined) return 'unknown';
    return progress >= threshold ? 'completed' : 'incomplete';
  }
  return stored ?? 'unknown';
}

/** SCORM 2004 RTE table 4.2.21.1a: a scaled passing score makes the scaled score decide. */
function evaluateSuccess(stored: SuccessStatus | undefined, passing: number | undefined, scaled: number | undefined): SuccessStatus {
  if (passing !== undefined) {
    if (scaled === undefined) return 'unknown';
    return scaled >= passing ? 'passed' : 'failed';
  }
  return stored ?? 'unknown';
}

function preferences2004(pref: Json): ScormPreferences {
  const at = 'cmi.learner_preference';
  const audioLevel = number(pref['audio_level'], `${at}.audio_level`);
  const language = text(pref['language'], `${at}.language`);
  const deliverySpeed = number(pref['delivery_speed'], `${at}.delivery_speed`);
  const captioning = number(pref['audio_captioning'], `${at}.audio_captioning`);
  if (captioning !== undefined && captioning !== -1 && captioning !== 0 && captioning !== 1) {
    throw new ScormCommitError(`${at}.audio_captioning`, 'must be -1, 0 or 1');
  }
  return compact({ audioLevel, language, deliverySpeed, audioCaptioning: captioning as -1 | 0 | 1 | undefined });
}

function interaction2004(index: number, item: Json): ScormInteraction[] {
  const at = `cmi.interactions.${index}`;
  const id = text(item['id'], `${at}.id`);
  if (id === undefined) return [];
  const type = oneOf(item['type'], `${at}.type`, INTERACTION_TYPES_2004);
  const description = text(item['description'], `${at}.description`);
  return [
    compact({
      index,
      id,
      type,
      description: description === undefined ? undefined : localizedStringToLanguageMap(description),
      correctResponses: patterns('scorm2004', type, item['correct_responses'], `${at}.correct_responses`),
      learnerResponse: text(item['learner_response'], `${at}.learner_response`),
      result: interactionResult(item['result'], `${at}.result`, 'incorrect'),
      latency: duration('scorm2004', item['latency'], `${at}.latency`),
      timestamp: text(item['timestamp'], `${at}.timestamp`),
      weighting: number(item['weighting'], `${at}.weighting`),
      objectiveIds: objectiveIds(item['objectives'], `${at}.objectives`),
    }),
  ];
}

function objective2004(index: number, item: Json): ScormObjective[] {
  const at = `cmi.objectives.${index}`;
  const id = text(item['id'], `${at}.id`);
  if (id === undefined) return [];
  const description = text(item['description'], `${at}.description`);
  return [
    compact({
      index,
      id,
      completion: oneOf(item['completion_status'], `${at}.completion_status`, ['completed', 'incomplete', 'not attempted', 'unknown'] as const) ?? 'unknown',
      success: oneOf(item['success_status'], `${at}.success_status`, ['passed', 'failed', 'unknown'] as const) ?? 'unknown',
      score: score(item['score'], `${at}.score`, true),
      progressMeasure: number(item['progress_measure'], `${at}.progress_measure`),
      description: description === undefined ? undefined : localizedStringToLanguageMap(description),
    }),
  ];
}

function comments2004(value: unknown, at: string): ScormComment[] {
  return collection(value, at).flatMap(([i, item]) => {
    const comment = text(item['comment'], `${at}.${i}.comment`);
    if (comment === undefined) return [];
    return [compact({ comment, location: text(item['location'], `${at}.${i}.location`), timestamp: text(item['timestamp'], `${at}.${i}.timestamp`) })];
  });
}

// ---------------------------------------------------------------------------
// Shared element readers
// ---------------------------------------------------------------------------

function score(value: unknown, at: string, withScaled: boolean): ScormScore {
  const s = object(value, at);
  return compact({
    scaled: withScaled ? number(s['scaled'], `${at}.scaled`) : undefined,
    raw: number(s['raw'], `${at}.raw`),
    min: number(s['min'], `${at}.min`),
    max: number(s['max'], `${at}.max`),
  });
}

function patterns(version: ScormVersion, type: InteractionType | undefined, value: unknown, at: string): string[] {
  return collection(value, at).flatMap(([i, item]) => {
    const pattern = text(item['pattern'], `${at}.${i}.pattern`);
    return pattern === undefined ? [] : [responseToXapi(version, type, pattern)];
  });
}

function objectiveIds(value: unknown, at: string): string[] {
  return collection(value, at).flatMap(([i, item]) => {
    const id = text(item['id'], `${at}.${i}.id`);
    return id === undefined ? [] : [id];
  });
}

function interactionResult(value: unknown, at: string, incorrectWord: 'wrong' | 'incorrect'): InteractionResult | undefined {
  const v = text(value, at);
  if (v === undefined) return undefined;
  if (v === incorrectWord) return 'incorrect';
  if (v === 'correct' || v === 'unanticipated' || v === 'neutral') return v;
  if (DECIMAL.test(v)) return Number(v);
  throw new ScormCommitError(at, `must be correct, ${incorrectWord}, unanticipated, neutral or a number; got ${JSON.stringify(v)}`);
}

function duration(version: ScormVersion, value: unknown, at: string): string | undefined {
  const v = text(value, at);
  if (v === undefined) return undefined;
  const iso = durationToIso(version, v);
  if (iso === null) {
    const expected = version === 'scorm12' ? 'a SCORM 1.2 timespan HHHH:MM:SS.SS' : 'an ISO 8601 duration';
    throw new ScormCommitError(at, `must be ${expected}; got ${JSON.stringify(v)}`);
  }
  return iso;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function number(value: unknown, at: string): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ScormCommitError(at, 'must be a finite number');
    return value;
  }
  const v = text(value, at);
  if (v === undefined) return undefined;
  if (!DECIMAL.test(v.trim())) throw new ScormCommitError(at, `must be a number; got ${JSON.stringify(v)}`);
  return Number(v);
}

/** A string element; "" (SCORM's "not set"), null and undefined read as absent. Numbers and booleans are stringified. */
function text(value: unknown, at: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ScormCommitError(at, 'must be a string');
}

function oneOf<T extends string>(value: unknown, at: string, allowed: readonly T[]): T | undefined {
  const v = text(value, at);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ScormCommitError(at, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function object(value: unknown, at: string): Json {
  if (value === undefined || value === null || value === '') return {};
  if (!isObject(value)) throw new ScormCommitError(at, 'must be an object');
  return value;
}

/** A SCORM collection: an array, or an object keyed "0", "1", ... (scorm-again's JSON); "_count"-like keys are ignored. */
function collection(value: unknown, at: string): Array<[number, Json]> {
  if (value === undefined || value === null || value === '') return [];
  const entries: Array<[number, unknown]> = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => entries.push([i, item]));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('_')) continue;
      if (!/^\d+$/.test(key)) throw new ScormCommitError(`${at}.${key}`, 'is not an index of the collection');
      entries.push([Number(key), item]);
    }
    entries.sort((a, b) => a[0] - b[0]);
  } else {
    throw new ScormCommitError(at, 'must be an array or an object keyed by index');
  }
  return entries.flatMap(([i, item]) => (item === null || item === undefined ? [] : [[i, object(item, `${at}.${i}`)] as [number, Json]]));
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Drops undefined properties so that states are plain, comparable JSON. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
