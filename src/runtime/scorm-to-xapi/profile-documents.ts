/**
 * The State and Profile documents the xAPI SCORM Profile keeps beside the statements (appendix
 * "xAPI SCORM Data Objects"; schemas in the profile's document-schemas/). Pure builders: the runtime
 * writes them through the LRS documents service.
 *
 * Keys follow the profile's request examples: the activity state and the attempt state are keyed by
 * (activityId, agent, stateId) without a registration, so that a reader following the profile finds them;
 * the suspend data (§6.0 "Suspend Data") also carries the registration, which the profile allows.
 */
import type { ScormCmiState, ScormComment } from './scorm-cmi-types.js';
import {
  ACTIVITY_PROFILE_ID,
  ACTIVITY_STATE_ID,
  AGENT_PROFILE_ID,
  ATTEMPT_STATE_ID,
  SUSPEND_DATA_STATE_ID,
} from './scorm-profile-vocabulary.js';
import { isoDurationSeconds } from './scorm-values.js';
import type { TranslationAgent } from './xapi-statement-types.js';
import type { TranslationContext } from './statement-translator.js';

export interface StateDocument {
  readonly kind: 'state';
  readonly activityId: string;
  readonly agent: TranslationAgent;
  readonly stateId: string;
  readonly registration?: string;
  readonly contentType: 'application/json' | 'text/plain';
  readonly document: unknown;
}

export interface ActivityProfileDocument {
  readonly kind: 'activity-profile';
  readonly activityId: string;
  readonly profileId: string;
  readonly contentType: 'application/json';
  readonly document: Record<string, unknown>;
}

export interface AgentProfileDocument {
  readonly kind: 'agent-profile';
  readonly agent: TranslationAgent;
  readonly profileId: string;
  readonly contentType: 'application/json';
  readonly document: Record<string, unknown>;
}

/** SCORM Activity Attempt State: the schema's language pattern (scorm.profile.attempt.state.schema.json). */
const PREFERENCE_LANGUAGE = /^[a-z]{2,3}(?:-[A-Z]{2,3}(?:-[a-zA-Z]{4})?)?$/;

/**
 * SCORM Activity State (stateId https://w3id.org/xapi/scorm/activity-state) on the SCO: the attempt IRIs,
 * first to latest (§5.0 "Initializing an attempt"). `knownAttempts` is what the document held before; the
 * current attempt is appended once.
 */
export function buildActivityState(context: TranslationContext, knownAttempts: readonly string[] = []): StateDocument {
  const attempts = knownAttempts.includes(context.attemptActivityId) ? [...knownAttempts] : [...knownAttempts, context.attemptActivityId];
  return {
    kind: 'state',
    activityId: context.scoActivityId,
    agent: context.actor,
    stateId: ACTIVITY_STATE_ID,
    contentType: 'application/json',
    document: { attempts },
  };
}

/**
 * The attempt's documents: the SCORM Activity Attempt State (stateId https://w3id.org/xapi/scorm/attempt-state:
 * credit, mode, location, preferences, total time, comments from the LMS) and, when the SCO set one, its suspend
 * data as a text document (stateId https://w3id.org/xapi/scorm/types/adl-suspend-data). Only values the SCO or
 * LMS set appear: write the attempt state with POST so that the LRS merges it into what it holds.
 */
export function buildAttemptState(after: ScormCmiState, context: TranslationContext): StateDocument[] {
  const preferences = attemptPreferences(after);
  const comments = after.commentsFromLms.map(lmsComment);
  const document = {
    ...(after.credit !== undefined && { credit: after.credit }),
    ...(after.mode !== undefined && { mode: after.mode }),
    ...(after.location !== undefined && { location: after.location }),
    ...(Object.keys(preferences).length > 0 && { preferences }),
    ...(after.totalTime !== undefined && { total_time: after.totalTime }),
    ...(comments.length > 0 && { comments_from_lms: comments }),
  };
  const documents: StateDocument[] = [
    { kind: 'state', activityId: context.attemptActivityId, agent: context.actor, stateId: ATTEMPT_STATE_ID, contentType: 'application/json', document },
  ];
  if (after.suspendData !== undefined) {
    documents.push({
      kind: 'state',
      activityId: context.attemptActivityId,
      agent: context.actor,
      stateId: SUSPEND_DATA_STATE_ID,
      registration: context.registration,
      contentType: 'text/plain',
      document: after.suspendData,
    });
  }
  return documents;
}

/**
 * SCORM Activity Profile (profileId https://w3id.org/xapi/scorm/activity-profile) on the SCO: what is the same
 * for every learner. `max_time_allowed` is in seconds (the schema's "Number (0 to *)").
 */
export function buildActivityProfile(after: ScormCmiState, context: TranslationContext): ActivityProfileDocument {
  const maxSeconds = after.maxTimeAllowed === undefined ? null : isoDurationSeconds(after.maxTimeAllowed);
  const passing = after.version === 'scorm12'
    ? (context.masteryScore ?? (after.masteryScore === undefined ? undefined : after.masteryScore / 100))
    : after.scaledPassingScore;
  const document = {
    ...(after.completionThreshold !== undefined && after.completionThreshold >= 0 && after.completionThreshold <= 1 && { completion_threshold: after.completionThreshold }),
    ...(after.launchData !== undefined && { launch_data: after.launchData }),
    ...(maxSeconds !== null && { max_time_allowed: maxSeconds }),
    ...(passing !== undefined && passing >= -1 && passing <= 1 && { scaled_passing_score: passing }),
    ...(after.timeLimitAction !== undefined && TIME_LIMIT_ACTIONS.includes(after.timeLimitAction) && { time_limit_action: after.timeLimitAction }),
  };
  return { kind: 'activity-profile', activityId: context.scoActivityId, profileId: ACTIVITY_PROFILE_ID, contentType: 'application/json', document };
}

const TIME_LIMIT_ACTIONS: readonly string[] = ['exit,message', 'continue,message', 'exit,no message', 'continue,no message'];

/** SCORM Agent Profile (profileId https://w3id.org/xapi/scorm/agent-profile): learner id, name and default preferences. */
export function buildAgentProfile(after: ScormCmiState, context: TranslationContext): AgentProfileDocument {
  const preferences = attemptPreferences(after);
  const document = {
    ...(after.learnerId !== undefined && { learner_id: after.learnerId }),
    ...(after.learnerName !== undefined && { learner_name: after.learnerName }),
    ...(Object.keys(preferences).length > 0 && { preferences }),
  };
  return { kind: 'agent-profile', agent: context.actor, profileId: AGENT_PROFILE_ID, contentType: 'application/json', document };
}

/**
 * Preferences Object. SCORM 1.2 audio and speed use other scales (-1..100, -100..100) than the object
 * (a multiplier from 0), so only language and captioning are carried over from 1.2.
 */
function attemptPreferences(state: ScormCmiState): Record<string, unknown> {
  const p = state.preferences;
  return {
    ...(state.version === 'scorm2004' && p.audioLevel !== undefined && p.audioLevel >= 0 && { audio_level: p.audioLevel }),
    ...(p.language !== undefined && PREFERENCE_LANGUAGE.test(p.language) && { language: p.language }),
    ...(state.version === 'scorm2004' && p.deliverySpeed !== undefined && p.deliverySpeed >= 0 && { delivery_speed: p.deliverySpeed }),
    ...(p.audioCaptioning !== undefined && { audio_captioning: p.audioCaptioning }),
  };
}

/** SCORM Activity Comment Object; the schema's timestamp is an RFC 3339 date-time, so one without a zone is left out. */
function lmsComment(comment: ScormComment): Record<string, string> {
  const zoned = comment.timestamp !== undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(comment.timestamp);
  return {
    comment: comment.comment,
    ...(comment.location !== undefined && { location: comment.location }),
    ...(zoned && { timestamp: comment.timestamp as string }),
  };
}
