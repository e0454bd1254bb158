/**
 * The LMS side of cmi5 (AICC cmi5 Quartz), pure: launch URL and launch data, the statements
 * the LMS records, the rules on what an AU sends, moveOn and satisfaction. No HTTP, no store:
 * the runtime's routes call these and write through the LRS write path.
 */
export {
  BLOCK_ACTIVITY_TYPE,
  CMI5_CATEGORY,
  CMI5_CONTEXT_EXTENSION,
  CMI5_RESULT_EXTENSION,
  CMI5_VERB,
  COURSE_ACTIVITY_TYPE,
  LAUNCH_DATA_STATE_ID,
  LAUNCH_PARAMETER_NAMES,
  LEARNER_PREFERENCES_PROFILE_ID,
  MOVE_ON_CATEGORY,
} from './cmi5-vocabulary.js';
export type { Cmi5LaunchMode, Cmi5VerbName, Cmi5WaiveReason } from './cmi5-vocabulary.js';
export {
  buildContextTemplate,
  buildLaunchData,
  buildLaunchUrl,
  buildLearnerPreferences,
  cmi5ActivityIds,
  findLaunchParameterCollisions,
  resolveAuUrl,
} from './cmi5-launch.js';
export type {
  Cmi5ActivityIds,
  Cmi5EntitlementKey,
  Cmi5LaunchData,
  Cmi5LaunchDataInput,
  Cmi5LaunchUrlInput,
  Cmi5LearnerPreferences,
} from './cmi5-launch.js';
export { applySessionUpdate, NO_PROGRESS, startCmi5Session } from './cmi5-session.js';
export type { Cmi5AuProgress, Cmi5SessionStart, Cmi5SessionState, Cmi5SessionUpdate } from './cmi5-session.js';
export { checkAuStatement, checkAuStatements, checkLearnerPreferencesDocument, rejectionError } from './cmi5-au-rules.js';
export type { Cmi5Acceptance, Cmi5BatchVerdict, Cmi5Rejection, Cmi5StatementKind, Cmi5StatementVerdict } from './cmi5-au-rules.js';
export { evaluateMoveOn, satisfiedRollup } from './cmi5-move-on.js';
export type { SatisfiedNode, SatisfiedRollup } from './cmi5-move-on.js';
export {
  abandonSession,
  buildLaunchedStatement,
  buildSatisfiedStatement,
  formatDuration,
  prepareCmi5Launch,
  satisfiedStatements,
  waiveAu,
} from './cmi5-lms-statements.js';
export type {
  Cmi5LaunchedInput,
  Cmi5LaunchRequest,
  Cmi5PreparedLaunch,
  Cmi5SatisfiedInput,
  Cmi5StatementDeps,
  Cmi5WaiveInput,
} from './cmi5-lms-statements.js';
