/**
 * The statements the LMS itself records (cmi5 §9.3.1 launched, §9.3.6 abandoned, §9.3.7
 * waived, §9.3.9 satisfied), all "cmi5 defined": the cmi5 category activity (§9.6.2.1), the
 * registration (§9.6.1), the session id (§9.6.3.1-3) and the publisher id in `grouping`
 * (§9.6.2.3-2). Ids and timestamps come from the injected `newId` and `now`.
 */
import type { CourseModel, LaunchableUnit } from '../../packages/index.js';
import type { Activity, Actor, Context, Statement } from '../../lrs/statements/statement-types.js';
import type { Cmi5ActivityIds, Cmi5LaunchData, Cmi5LaunchDataInput, Cmi5LaunchUrlInput } from './cmi5-launch.js';
import { buildLaunchData, buildLaunchUrl, resolveAuUrl } from './cmi5-launch.js';
import type { SatisfiedNode } from './cmi5-move-on.js';
import { satisfiedRollup } from './cmi5-move-on.js';
import type { Cmi5AuProgress, Cmi5SessionState, Cmi5SessionUpdate } from './cmi5-session.js';
import { applySessionUpdate, NO_PROGRESS, startCmi5Session } from './cmi5-session.js';
import {
  BLOCK_ACTIVITY_TYPE,
  CMI5_CATEGORY,
  CMI5_CONTEXT_EXTENSION,
  CMI5_RESULT_EXTENSION,
  cmi5Verb,
  COURSE_ACTIVITY_TYPE,
  MOVE_ON_CATEGORY,
  type Cmi5WaiveReason,
} from './cmi5-vocabulary.js';

/** Injected so statements are reproducible in tests. */
export interface Cmi5StatementDeps {
  /** A new UUID (statement ids, session ids). */
  readonly newId: () => string;
  /** Epoch milliseconds. */
  readonly now: () => number;
}

type ActivityList = { id: string; objectType?: 'Activity' }[];

function asList(value: Activity | Activity[] | undefined): ActivityList {
  return (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((a) => ({ ...a }));
}

/** The context of an LMS statement: template values first, then the cmi5 category and the given extensions. */
function lmsContext(base: Context, registration: string, categories: string[], extensions: Record<string, unknown>): Context {
  const activities = (base.contextActivities ?? {}) as Record<string, Activity | Activity[]>;
  const lists: Record<string, ActivityList> = {};
  for (const [key, value] of Object.entries(activities)) lists[key] = asList(value);
  const category = (lists['category'] ?? []).filter((a) => !categories.includes(a.id));
  lists['category'] = [...categories.map((id) => ({ id })), ...category];
  return {
    ...base,
    registration,
    contextActivities: lists,
    extensions: { ...((base['extensions'] as Record<string, unknown> | undefined) ?? {}), ...extensions },
  };
}

function auObject(unit: LaunchableUnit, activityId: string): Activity {
  return {
    objectType: 'Activity',
    id: activityId,
    definition: {
      name: unit.title,
      ...(unit.description !== undefined ? { description: unit.description } : {}),
      ...(unit.cmi5?.activityType !== undefined ? { type: unit.cmi5.activityType } : {}),
    },
  };
}

const isoTime = (ms: number): string => new Date(ms).toISOString();

/** An ISO 8601 duration (`PT1H2M3.45S`), to the hundredth of a second xAPI keeps. */
export function formatDuration(ms: number): string {
  const centis = Math.max(0, Math.round(ms / 10));
  const hours = Math.floor(centis / 360_000);
  const minutes = Math.floor((centis % 360_000) / 6_000);
  const seconds = (centis % 6_000) / 100;
  const parts = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}${seconds > 0 || (hours === 0 && minutes === 0) ? `${seconds}S` : ''}`;
  return `PT${parts}`;
}

// ---------------------------------------------------------------------------
// launched (§9.3.1, §9.6.3)
// ---------------------------------------------------------------------------

export interface Cmi5LaunchedInput {
  readonly unit: LaunchableUnit;
  readonly launchData: Cmi5LaunchData;
  readonly actor: Actor;
  readonly registration: string;
  /** The LMS-generated activity id (§8.1.5). */
  readonly activityId: string;
  /** The AU's URL without the §8.1 parameters (`resolveAuUrl`), for the launchurl extension (§9.6.3.4). */
  readonly auUrl: string;
}

/**
 * §9.3.1: recorded before the AU is launched, with the launch mode (§9.6.3.3), launch URL
 * (§9.6.3.4), moveOn (§9.6.3.6), and the masteryScore (§9.6.3.2-1) and launchParameters
 * (§9.6.3.7-1) when the launch data has them.
 */
export function buildLaunchedStatement(input: Cmi5LaunchedInput, deps: Cmi5StatementDeps): Statement {
  const { launchData } = input;
  return {
    id: deps.newId(),
    timestamp: isoTime(deps.now()),
    actor: input.actor,
    verb: cmi5Verb('launched'),
    object: auObject(input.unit, input.activityId),
    context: lmsContext(launchData.contextTemplate, input.registration, [CMI5_CATEGORY], {
      [CMI5_CONTEXT_EXTENSION.launchMode]: launchData.launchMode,
      [CMI5_CONTEXT_EXTENSION.launchUrl]: input.auUrl,
      [CMI5_CONTEXT_EXTENSION.moveOn]: launchData.moveOn,
      ...(launchData.masteryScore !== undefined ? { [CMI5_CONTEXT_EXTENSION.masteryScore]: launchData.masteryScore } : {}),
      ...(launchData.launchParameters !== undefined ? { [CMI5_CONTEXT_EXTENSION.launchParameters]: launchData.launchParameters } : {}),
    }),
  };
}

export interface Cmi5LaunchRequest extends Cmi5LaunchUrlInput, Omit<Cmi5LaunchDataInput, 'sessionId'> {
  /** The AU's progress in the registration so far (NO_PROGRESS on a first launch). */
  readonly progress?: Cmi5AuProgress;
}

export interface Cmi5PreparedLaunch {
  readonly sessionId: string;
  /** Where to send the browser (§8.1). */
  readonly launchUrl: string;
  /** PUT as the `LMS.LaunchData` state of (activityId, actor, registration) before launching (§10.1). */
  readonly launchData: Cmi5LaunchData;
  /** Record before launching (§9.3.1.0-1). */
  readonly launchedStatement: Statement;
  /** The new session, to store (§8.1.2: the auth token's lifetime is this session's). */
  readonly session: Cmi5SessionState;
}

/**
 * Everything one launch needs, consistent by construction: a new session id in the launch
 * data's context template, in "launched" and in the session state. The caller abandons the
 * registration's open session first (§9.3.6: `abandonSession`).
 */
export function prepareCmi5Launch(unit: LaunchableUnit, request: Cmi5LaunchRequest, deps: Cmi5StatementDeps): Cmi5PreparedLaunch {
  const sessionId = deps.newId();
  const launchData = buildLaunchData(unit, { ...request, sessionId });
  const launchUrl = buildLaunchUrl(unit, request);
  const launchedAt = deps.now();
  const launchedStatement = buildLaunchedStatement(
    { unit, launchData, actor: request.actor, registration: request.registration, activityId: request.activityId, auUrl: resolveAuUrl(unit, request.contentBaseUrl) },
    { newId: deps.newId, now: () => launchedAt },
  );
  const session = startCmi5Session({
    registration: request.registration,
    actor: request.actor,
    auId: unit.identifier,
    activityId: request.activityId,
    launchData,
    launchedAt,
    progress: request.progress ?? NO_PROGRESS,
  });
  return { sessionId, launchUrl, launchData, launchedStatement, session };
}

// ---------------------------------------------------------------------------
// abandoned (§9.3.6, §9.5.4.2)
// ---------------------------------------------------------------------------

/**
 * §9.3.6: a session that ends without "terminated" (a new launch in the registration, the
 * token expired) is abandoned, once (§9.3.0.0-10), with the session time from "launched" to
 * the AU's last statement (§9.5.4.2-2). Null when the session is already terminated or abandoned.
 */
export function abandonSession(
  session: Cmi5SessionState,
  deps: Cmi5StatementDeps,
): { readonly statement: Statement; readonly sessionUpdate: Cmi5SessionUpdate; readonly session: Cmi5SessionState } | null {
  if (session.terminated || session.abandoned) return null;
  const statement: Statement = {
    id: deps.newId(),
    timestamp: isoTime(deps.now()),
    actor: session.actor,
    verb: cmi5Verb('abandoned'),
    object: { objectType: 'Activity', id: session.activityId },
    result: { duration: formatDuration((session.lastStatementAt ?? session.launchedAt) - session.launchedAt) },
    context: lmsContext(session.contextTemplate, session.registration, [CMI5_CATEGORY], {}),
  };
  const sessionUpdate: Cmi5SessionUpdate = { abandoned: true };
  return { statement, sessionUpdate, session: applySessionUpdate(session, sessionUpdate) };
}

// ---------------------------------------------------------------------------
// waived (§9.3.7)
// ---------------------------------------------------------------------------

export interface Cmi5WaiveInput {
  readonly unit: LaunchableUnit;
  readonly activityId: string;
  readonly actor: Actor;
  readonly registration: string;
  /** §9.5.5.2: one of the spec's reasons, or another string. */
  readonly reason: Cmi5WaiveReason | (string & {});
  /** The AU's progress in the registration. */
  readonly progress: Cmi5AuProgress;
}

/**
 * §9.3.7: the LMS waives an AU with a new session id of its own (§9.3.7.0-3; "satisfied"
 * statements it triggers use that id too), result.success and result.completion true
 * (§9.5.2.0-1, §9.5.3.0-1), the moveOn category (§9.6.2.2-1 (d4)) and the reason (§9.5.5.2).
 * Null when the AU is already waived in the registration (§9.3.7.0-4).
 */
export function waiveAu(
  input: Cmi5WaiveInput,
  deps: Cmi5StatementDeps,
): { readonly statement: Statement; readonly sessionId: string; readonly progress: Cmi5AuProgress } | null {
  if (input.progress.waived) return null;
  if (input.reason.trim() === '') throw new TypeError('a waived statement needs a reason (cmi5 §9.3.7.0-2)');
  const sessionId = deps.newId();
  const statement: Statement = {
    id: deps.newId(),
    timestamp: isoTime(deps.now()),
    actor: input.actor,
    verb: cmi5Verb('waived'),
    object: auObject(input.unit, input.activityId),
    result: { success: true, completion: true, extensions: { [CMI5_RESULT_EXTENSION.reason]: input.reason } },
    context: lmsContext(
      { contextActivities: { grouping: [{ id: input.unit.identifier }] } },
      input.registration,
      [CMI5_CATEGORY, MOVE_ON_CATEGORY],
      { [CMI5_CONTEXT_EXTENSION.sessionId]: sessionId },
    ),
  };
  return { statement, sessionId, progress: { ...input.progress, waived: true } };
}

// ---------------------------------------------------------------------------
// satisfied (§9.3.9, §9.4)
// ---------------------------------------------------------------------------

export interface Cmi5SatisfiedInput {
  readonly ids: Cmi5ActivityIds;
  readonly actor: Actor;
  readonly registration: string;
  /**
   * §9.3.9.0-9: the session id of the AU launch (or of the waived statement) that triggered
   * it; a new one (`newId()`) when triggered outside a session, e.g. at registration.
   */
  readonly sessionId: string;
}

/** §9.3.9: the object is the LMS's block or course id with the cmi5 block/course type (§9.4). */
export function buildSatisfiedStatement(node: SatisfiedNode, input: Cmi5SatisfiedInput, deps: Cmi5StatementDeps): Statement {
  const id = node.kind === 'course' ? input.ids.course : input.ids.block(node.publisherId);
  if (id === node.publisherId) throw new TypeError(`the LMS ${node.kind} id must differ from the publisher's id ${id} (cmi5 §9.4)`);
  return {
    id: deps.newId(),
    timestamp: isoTime(deps.now()),
    actor: input.actor,
    verb: cmi5Verb('satisfied'),
    object: { objectType: 'Activity', id, definition: { name: node.title, type: node.kind === 'course' ? COURSE_ACTIVITY_TYPE : BLOCK_ACTIVITY_TYPE } },
    context: lmsContext({ contextActivities: { grouping: [{ id: node.publisherId }] } }, input.registration, [CMI5_CATEGORY], {
      [CMI5_CONTEXT_EXTENSION.sessionId]: input.sessionId,
    }),
  };
}

/**
 * The rollup and its "satisfied" statements in one step: blocks innermost first, then the
 * course; nothing in `alreadySatisfied` is reported again (§9.3: SHOULD NOT, once per object
 * per registration). The caller adds `newlySatisfied` ids to the registration's set.
 */
export function satisfiedStatements(
  course: CourseModel,
  progress: ReadonlyMap<string, Cmi5AuProgress>,
  alreadySatisfied: ReadonlySet<string>,
  input: Cmi5SatisfiedInput,
  deps: Cmi5StatementDeps,
): { readonly newlySatisfied: SatisfiedNode[]; readonly statements: Statement[] } {
  const { newlySatisfied } = satisfiedRollup(course, progress, alreadySatisfied);
  return { newlySatisfied, statements: newlySatisfied.map((node) => buildSatisfiedStatement(node, input, deps)) };
}
