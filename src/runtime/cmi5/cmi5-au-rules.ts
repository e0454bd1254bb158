/**
 * The rules the LMS's LRS enforces on what an AU sends during a session: statements (cmi5
 * §7.1, §9, §10.2) and the learner preferences document (§11). Each rejection names the
 * requirement it enforces, by the ids of the cmi5 requirements list (`9.3.0.0-4`), so the
 * answer tells the AU's author exactly which rule was broken.
 *
 * The statements must already be valid xAPI (`validateStatement` first); these are the
 * profile's rules on top. Checks run in a fixed order and the first failure wins.
 */
import { forbidden, type AppError } from '../../errors.js';
import type { Actor, Context, Statement } from '../../lrs/statements/statement-types.js';
import { VOIDED_VERB } from '../../lrs/statements/statement-types.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { isLanguageTag } from '../../shared/json-schema.js';
import { parseTimestampMs } from '../../shared/xapi-formats.js';
import type { Cmi5AuProgress, Cmi5SessionState, Cmi5SessionUpdate } from './cmi5-session.js';
import { applySessionUpdate } from './cmi5-session.js';
import { CMI5_CATEGORY, CMI5_CONTEXT_EXTENSION, CMI5_VERB, MOVE_ON_CATEGORY } from './cmi5-vocabulary.js';

/**
 * A statement or document the LMS must refuse. CATAPULT (the ADL reference player) answers
 * these with 403 Forbidden and the requirement id in the message; we suggest the same.
 */
export interface Cmi5Rejection {
  readonly ok: false;
  /** The cmi5 requirement id, e.g. `9.3.0.0-4` (see the cmi5 requirements list). */
  readonly requirement: string;
  readonly message: string;
  /** JSON Pointer of the offending property inside the statement or document ("" for the whole). */
  readonly path: string;
}

/**
 * The error to throw for a rejection: 403 with code `cmi5-requirement-violated`, the
 * requirement id in the message and data, and the JSON Pointer (prefixed by the batch index).
 */
export function rejectionError(rejection: Cmi5Rejection & { readonly index?: number }): AppError {
  const path = rejection.index === undefined ? rejection.path : `/${rejection.index}${rejection.path}`;
  return forbidden('cmi5-requirement-violated', `cmi5 ${rejection.requirement}: ${rejection.message}`, { requirement: rejection.requirement, path });
}

export type Cmi5StatementKind = 'cmi5-defined' | 'cmi5-allowed';

export interface Cmi5Acceptance {
  readonly ok: true;
  /** §7.1.3: "cmi5 defined" carries the cmi5 category activity; "cmi5 allowed" does not. */
  readonly kind: Cmi5StatementKind;
  /** What changed; empty when nothing did. */
  readonly sessionUpdate: Cmi5SessionUpdate;
  /** The session with the update applied. */
  readonly session: Cmi5SessionState;
  /** True when the AU's registration progress changed (persist it, then evaluate moveOn and roll up). */
  readonly progressChanged: boolean;
}

export type Cmi5StatementVerdict = Cmi5Acceptance | Cmi5Rejection;

type JsonObject = Record<string, unknown>;

const reject = (requirement: string, message: string, path = ''): Cmi5Rejection => ({ ok: false, requirement, message, path });

const AU_VERBS = new Set<string>([CMI5_VERB.initialized, CMI5_VERB.completed, CMI5_VERB.passed, CMI5_VERB.failed, CMI5_VERB.terminated]);
const SATISFACTION_VERBS = new Set<string>([CMI5_VERB.completed, CMI5_VERB.passed, CMI5_VERB.failed]);

/** §9.7.0.0-2: "Z" or a zero offset. */
const UTC_SUFFIX = /(?:Z|[+]00(?::?00)?)$/i;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function activityList(context: Context | undefined, key: 'parent' | 'grouping' | 'category' | 'other'): JsonObject[] {
  const value = (context?.contextActivities as JsonObject | undefined)?.[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter(isObject);
}

function hasCategory(context: Context | undefined, id: string): boolean {
  return activityList(context, 'category').some((a) => a['id'] === id);
}

function extensionsOf(context: Context | undefined): JsonObject {
  const extensions = context?.['extensions'];
  return isObject(extensions) ? extensions : {};
}

const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * §8.1.3.0-3: the actor is the launch actor. Compared by identity (Agent and the same
 * account), so an AU that drops or changes the display `name` is not refused.
 */
function isLaunchActor(actor: Actor | undefined, expected: Actor): boolean {
  if (actor === undefined || (actor.objectType !== undefined && actor.objectType !== 'Agent')) return false;
  const ifi = (a: Actor) => canonicalJson({ mbox: a.mbox, mbox_sha1sum: a.mbox_sha1sum, openid: a.openid, account: a.account });
  return ifi(actor) === ifi(expected);
}

/** §10.2.1.0-6 and -7, §9.6.2.0-1, §9.6.3.1-4: every value of the context template, unaltered. */
function checkContextTemplate(context: Context, template: Context, defined: boolean): Cmi5Rejection | null {
  const extensions = extensionsOf(context);
  for (const [key, value] of Object.entries(extensionsOf(template))) {
    const path = `/context/extensions/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in extensions)) {
      return key === CMI5_CONTEXT_EXTENSION.sessionId
        ? reject('9.6.3.1-4', 'The statement has no session id extension in its context.', path)
        : reject('10.2.1.0-6', `The context lacks the extension ${key} of the context template.`, path);
    }
    if (!sameJson(extensions[key], value)) {
      return reject('10.2.1.0-7', `The context changes the value of the extension ${key} given in the context template.`, path);
    }
  }
  for (const [list, activities] of Object.entries((template.contextActivities as JsonObject | undefined) ?? {})) {
    const present = activityList(context, list as 'grouping');
    for (const activity of Array.isArray(activities) ? activities : [activities]) {
      const id = (activity as JsonObject)['id'];
      if (!present.some((a) => a['id'] === id)) {
        return reject(defined ? '9.6.2.0-1' : '10.2.1.0-6', `context.contextActivities.${list} lacks the activity ${String(id)} of the context template.`, `/context/contextActivities/${list}`);
      }
    }
  }
  for (const [key, value] of Object.entries(template)) {
    if (key === 'extensions' || key === 'contextActivities') continue;
    if (context[key] === undefined) return reject('10.2.1.0-6', `The context lacks ${key}, given in the context template.`, `/context/${key}`);
    if (!sameJson(context[key], value)) return reject('10.2.1.0-7', `The context changes ${key}, given in the context template.`, `/context/${key}`);
  }
  return null;
}

interface ScoreShape {
  scaled?: unknown;
  raw?: unknown;
  min?: unknown;
  max?: unknown;
}

/** §9.5: the result of a cmi5 defined statement from the AU. */
function checkResult(statement: Statement, session: Cmi5SessionState): Cmi5Rejection | null {
  const verb = statement.verb.id;
  const result = isObject(statement.result) ? statement.result : {};
  const { completion, success, duration } = result;
  const score = isObject(result['score']) ? (result['score'] as ScoreShape) : undefined;

  if (completion !== undefined && verb !== CMI5_VERB.completed) {
    return reject('9.5.3.0-2', 'Only "completed" (and the LMS\'s "waived") may carry result.completion.', '/result/completion');
  }
  if (verb === CMI5_VERB.completed && completion !== true) {
    return reject('9.5.3.0-1', '"completed" must have result.completion set to true.', '/result/completion');
  }
  if (success !== undefined && verb !== CMI5_VERB.passed && verb !== CMI5_VERB.failed) {
    return reject('9.5.2.0-3', 'Only "passed" and "failed" (and the LMS\'s "waived") may carry result.success.', '/result/success');
  }
  if (verb === CMI5_VERB.passed && success !== true) return reject('9.5.2.0-1', '"passed" must have result.success set to true.', '/result/success');
  if (verb === CMI5_VERB.failed && success !== false) return reject('9.5.2.0-2', '"failed" must have result.success set to false.', '/result/success');
  if ((completion !== undefined || success !== undefined) && !hasCategory(statement.context, MOVE_ON_CATEGORY)) {
    return reject('9.6.2.2-1', `A statement with result.success or result.completion must list ${MOVE_ON_CATEGORY} in context.contextActivities.category.`, '/context/contextActivities/category');
  }
  if (score !== undefined) {
    if (verb !== CMI5_VERB.passed && verb !== CMI5_VERB.failed) return reject('9.5.1.0-2', 'Only "passed" and "failed" may carry result.score.', '/result/score');
    if (score.raw !== undefined && score.min === undefined) return reject('9.5.1.0-3', 'result.score.raw needs result.score.min.', '/result/score/min');
    if (score.raw !== undefined && score.max === undefined) return reject('9.5.1.0-3', 'result.score.raw needs result.score.max.', '/result/score/max');
    if (session.masteryScore !== undefined) {
      const path = `/context/extensions/${CMI5_CONTEXT_EXTENSION.masteryScore.replace(/\//g, '~1')}`;
      const given = extensionsOf(statement.context)[CMI5_CONTEXT_EXTENSION.masteryScore];
      if (given === undefined) return reject('9.6.3.2-2', `A scored "passed" or "failed" must carry the masteryScore extension (${session.masteryScore}).`, path);
      if (given !== session.masteryScore) return reject('9.6.3.2-2', `The masteryScore extension is ${JSON.stringify(given)}; the launch data gave ${session.masteryScore}.`, path);
      if (typeof score.scaled === 'number' && verb === CMI5_VERB.passed && score.scaled < session.masteryScore) {
        return reject('9.3.4.0-2', `"passed" with result.score.scaled ${score.scaled}, below the masteryScore ${session.masteryScore}.`, '/result/score/scaled');
      }
      if (typeof score.scaled === 'number' && verb === CMI5_VERB.failed && score.scaled >= session.masteryScore) {
        return reject('9.3.5.0-2', `"failed" with result.score.scaled ${score.scaled}, not below the masteryScore ${session.masteryScore}.`, '/result/score/scaled');
      }
    }
  }
  if (duration === undefined) {
    const requirement = { [CMI5_VERB.terminated]: '9.5.4.1-1', [CMI5_VERB.completed]: '9.5.4.1-2', [CMI5_VERB.passed]: '9.5.4.1-3', [CMI5_VERB.failed]: '9.5.4.1-4' }[verb];
    if (requirement !== undefined) return reject(requirement, `"${verb.split('/').pop() ?? verb}" must carry result.duration.`, '/result/duration');
  }
  return null;
}

/** §9.3 ordering rules within the session and the registration. */
function checkOrder(verb: string, session: Cmi5SessionState): Cmi5Rejection | null {
  const seen = (v: string) => session.sessionVerbs.includes(v);
  const name = verb.split('/').pop() ?? verb;
  if (seen(verb)) return reject('9.3.0.0-2', `"${name}" was already sent in this session.`, '/verb/id');
  switch (verb) {
    case CMI5_VERB.completed:
      if (session.progress.completed) return reject('9.3.0.0-6', 'The AU already sent "completed" in this registration.', '/verb/id');
      return null;
    case CMI5_VERB.passed:
      if (seen(CMI5_VERB.failed)) return reject('9.3.0.0-3', '"failed" was already sent in this session; only one of "passed" and "failed" is allowed.', '/verb/id');
      if (session.progress.passed) return reject('9.3.0.0-7', 'The AU already sent "passed" in this registration.', '/verb/id');
      return null;
    case CMI5_VERB.failed:
      if (seen(CMI5_VERB.passed)) return reject('9.3.0.0-3', '"passed" was already sent in this session; only one of "passed" and "failed" is allowed.', '/verb/id');
      if (session.progress.passed) return reject('9.3.0.0-8', '"failed" may not follow "passed" in a registration.', '/verb/id');
      return null;
    default:
      return null;
  }
}

/**
 * Checks one statement the AU sends in `session` and returns the session as it is after it.
 * The order of statements is the order they are given in (a batch's array order).
 */
export function checkAuStatement(statement: Statement, session: Cmi5SessionState): Cmi5StatementVerdict {
  if (session.abandoned) return reject('9.3.6.0-2', 'The session was abandoned; it accepts no more statements.');
  if (session.terminated) return reject('9.3.0.0-5', 'The session is terminated; "terminated" must be the last statement.');
  if (statement.id === undefined) return reject('9.1.0.0-1', 'The AU must give every statement an id.', '/id');
  const verb = statement.verb.id;
  if (verb === VOIDED_VERB) return reject('6.3.0.0-1', 'An AU may not void statements.', '/verb/id');
  if (statement.timestamp === undefined) return reject('9.7.0.0-1', 'The AU must give every statement a timestamp.', '/timestamp');
  const time = parseTimestampMs(statement.timestamp);
  if (!UTC_SUFFIX.test(statement.timestamp) || time === null) return reject('9.7.0.0-2', `The timestamp ${statement.timestamp} is not in UTC ("Z" or +00:00).`, '/timestamp');

  const context = statement.context;
  const defined = hasCategory(context, CMI5_CATEGORY);
  if (!isLaunchActor(statement.actor, session.actor)) {
    const requirement = defined && statement.actor.objectType === 'Group' ? '9.2.0.0-2' : '8.1.3.0-3';
    return reject(requirement, 'The actor must be the Agent given in the launch URL.', '/actor');
  }
  if (context === undefined) return reject(defined ? '9.6.0.0-1' : '10.2.1.0-6', 'The statement has no context; it must be based on the context template.', '/context');
  const templateProblem = checkContextTemplate(context, session.contextTemplate, defined);
  if (templateProblem !== null) return templateProblem;
  if (context.registration !== session.registration) {
    return reject(defined ? '9.6.1.0-1' : '8.1.4.0-3', `context.registration must be ${session.registration}, the registration of the launch.`, '/context/registration');
  }
  const result = isObject(statement.result) ? statement.result : {};
  if (hasCategory(context, MOVE_ON_CATEGORY) && !(defined && (result['success'] !== undefined || result['completion'] !== undefined))) {
    return reject('9.6.2.2-2', `Only cmi5 defined statements with result.success or result.completion may list ${MOVE_ON_CATEGORY}.`, '/context/contextActivities/category');
  }
  if (!session.initialized && !(defined && verb === CMI5_VERB.initialized)) {
    return reject('9.3.0.0-4', 'The first statement of a session must be a cmi5 defined "initialized".', '/verb/id');
  }

  const lastStatementAt = Math.max(session.lastStatementAt ?? time, time);
  if (!defined) return accept('cmi5-allowed', session, { lastStatementAt });

  const object = statement.object as JsonObject;
  if ((object['objectType'] !== undefined && object['objectType'] !== 'Activity') || typeof object['id'] !== 'string') {
    return reject('9.4.0.0-1', 'The object of a cmi5 defined statement must be the AU activity.', '/object');
  }
  if (object['id'] !== session.activityId) {
    return reject('8.1.5.0-6', `The object id must be the activityId of the launch URL, ${session.activityId}.`, '/object/id');
  }
  if (!AU_VERBS.has(verb)) {
    return reject('9.3.0.0-1', `${verb} is not a verb an AU may use in a cmi5 defined statement (initialized, completed, passed, failed, terminated).`, '/verb/id');
  }
  if (verb === CMI5_VERB.initialized && !session.learnerPreferencesRetrieved) {
    return reject('11.0.0.0-3', 'The AU must read the cmi5LearnerPreferences agent profile before "initialized".', '/verb/id');
  }
  if (session.launchMode !== 'Normal' && SATISFACTION_VERBS.has(verb)) {
    return reject(session.launchMode === 'Browse' ? '10.2.2.0-2' : '10.2.2.0-3', `In ${session.launchMode} mode the AU may not send "completed", "passed" or "failed".`, '/verb/id');
  }
  const resultProblem = checkResult(statement, session);
  if (resultProblem !== null) return resultProblem;
  const orderProblem = checkOrder(verb, session);
  if (orderProblem !== null) return orderProblem;

  const update: { -readonly [K in keyof Cmi5SessionUpdate]: Cmi5SessionUpdate[K] } = { lastStatementAt, sessionVerbs: [...session.sessionVerbs, verb] };
  if (verb === CMI5_VERB.initialized) update.initialized = true;
  if (verb === CMI5_VERB.terminated) update.terminated = true;
  const progress: Partial<Record<keyof Cmi5AuProgress, boolean>> = {};
  if (verb === CMI5_VERB.completed) progress.completed = true;
  if (verb === CMI5_VERB.passed) progress.passed = true;
  if (verb === CMI5_VERB.failed && !session.progress.failed) progress.failed = true;
  if (Object.keys(progress).length > 0) update.progress = { ...session.progress, ...progress };
  return accept('cmi5-defined', session, update);
}

function accept(kind: Cmi5StatementKind, session: Cmi5SessionState, sessionUpdate: Cmi5SessionUpdate): Cmi5Acceptance {
  return { ok: true, kind, sessionUpdate, session: applySessionUpdate(session, sessionUpdate), progressChanged: sessionUpdate.progress !== undefined };
}

export type Cmi5BatchVerdict =
  | { readonly ok: true; readonly session: Cmi5SessionState; readonly sessionUpdate: Cmi5SessionUpdate; readonly progressChanged: boolean; readonly kinds: Cmi5StatementKind[] }
  | (Cmi5Rejection & { readonly index: number });

/**
 * A POSTed batch is all-or-nothing (xAPI): the statements are checked in array order, each
 * against the session as the previous ones left it, and the first rejection rejects the batch.
 */
export function checkAuStatements(statements: readonly Statement[], session: Cmi5SessionState): Cmi5BatchVerdict {
  let current = session;
  let sessionUpdate: Cmi5SessionUpdate = {};
  let progressChanged = false;
  const kinds: Cmi5StatementKind[] = [];
  for (const [index, statement] of statements.entries()) {
    const verdict = checkAuStatement(statement, current);
    if (!verdict.ok) return { ...verdict, index };
    current = verdict.session;
    sessionUpdate = { ...sessionUpdate, ...verdict.sessionUpdate };
    progressChanged ||= verdict.progressChanged;
    kinds.push(verdict.kind);
  }
  return { ok: true, session: current, sessionUpdate, progressChanged, kinds };
}

// ---------------------------------------------------------------------------
// Learner preferences written by the AU (§11)
// ---------------------------------------------------------------------------

/**
 * §11.0.0.0-5 (d) and §11.1.0.0-1 (d): a `cmi5LearnerPreferences` document an AU PUTs or POSTs
 * must be a JSON object with `languagePreference` (RFC 5646 tags, comma-separated) and
 * `audioPreference` ("on" or "off"). The LMS MAY still refuse a valid change with 403 (§11).
 */
export function checkLearnerPreferencesDocument(body: unknown): { readonly ok: true } | Cmi5Rejection {
  if (!isObject(body)) return reject('11.0.0.0-5', 'The learner preferences document must be a JSON object.');
  const { languagePreference, audioPreference } = body;
  if (languagePreference === undefined) return reject('11.0.0.0-5', 'The learner preferences document lacks languagePreference.', '/languagePreference');
  if (audioPreference === undefined) return reject('11.0.0.0-5', 'The learner preferences document lacks audioPreference.', '/audioPreference');
  if (typeof languagePreference !== 'string' || !languagePreference.split(',').every((tag) => isLanguageTag(tag))) {
    return reject('11.1.0.0-1', 'languagePreference must be a comma-separated list of RFC 5646 language tags.', '/languagePreference');
  }
  if (audioPreference !== 'on' && audioPreference !== 'off') return reject('11.0.0.0-5', 'audioPreference must be "on" or "off".', '/audioPreference');
  return { ok: true };
}
