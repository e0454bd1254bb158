/**
 * SCORM -> xAPI, following the ADL xAPI SCORM Profile: read a scorm-again commit into a normalised state
 * (`readCmi`), translate what changed between two states into statements (`translateCommit`), and build
 * the State/Profile documents the profile keeps. Pure: no I/O, no clock, no id generator of its own.
 */
export { readCmi, ScormCommitError } from './cmi-reader.js';
export type {
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
export { effectiveSuccess, translateCommit, translateCommitWithWarnings } from './statement-translator.js';
export type { CommitEvent, Translation, TranslationContext, TranslationWarning } from './statement-translator.js';
export type { Statement, TranslationAgent } from './xapi-statement-types.js';
export { buildActivityProfile, buildActivityState, buildAgentProfile, buildAttemptState } from './profile-documents.js';
export type { ActivityProfileDocument, AgentProfileDocument, StateDocument } from './profile-documents.js';
export {
  ACTIVITY_PROFILE_ID,
  ACTIVITY_STATE_ID,
  AGENT_PROFILE_ID,
  ATTEMPT_STATE_ID,
  SCORM_PROFILE_ACTIVITY_ID,
  SUSPEND_DATA_STATE_ID,
  VERBS,
} from './scorm-profile-vocabulary.js';
