/**
 * IRIs of the ADL xAPI SCORM Profile (adlnet/xAPI-SCORM-Profile, xapi-scorm-profile.md, commit ea17c40c)
 * and of the xAPI specification that the translation uses.
 */

/** §3.2 "Context Activities": every statement carries this activity in `context.contextActivities.category`. */
export const SCORM_PROFILE_ACTIVITY_ID = 'https://w3id.org/xapi/scorm';

/** Appendix "xAPI SCORM Data Objects": the documents the profile keeps. */
export const ACTIVITY_STATE_ID = 'https://w3id.org/xapi/scorm/activity-state';
export const ATTEMPT_STATE_ID = 'https://w3id.org/xapi/scorm/attempt-state';
export const ACTIVITY_PROFILE_ID = 'https://w3id.org/xapi/scorm/activity-profile';
export const AGENT_PROFILE_ID = 'https://w3id.org/xapi/scorm/agent-profile';
/** §6.0 "Suspend Data": a State document of its own, keyed by the attempt IRI. */
export const SUSPEND_DATA_STATE_ID = 'https://w3id.org/xapi/scorm/types/adl-suspend-data';

/** §3.2 "Activity Types". Interactions use the xAPI specification's own type (xAPI Data 2.4.4.1, interaction activities). */
export const ACTIVITY_TYPES = {
  course: 'http://adlnet.gov/expapi/activities/course',
  lesson: 'http://adlnet.gov/expapi/activities/lesson',
  attempt: 'http://adlnet.gov/expapi/activities/attempt',
  objective: 'http://adlnet.gov/expapi/activities/objective',
  interaction: 'http://adlnet.gov/expapi/activities/cmi.interaction',
  profile: 'http://adlnet.gov/expapi/activities/profile',
} as const;

/** §3.2 "Verb": the ADL verbs with a SCORM meaning, plus `progressed` and `commented` from §6.0. */
export const VERBS = {
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  resumed: 'http://adlnet.gov/expapi/verbs/resumed',
  suspended: 'http://adlnet.gov/expapi/verbs/suspended',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  scored: 'http://adlnet.gov/expapi/verbs/scored',
  progressed: 'http://adlnet.gov/expapi/verbs/progressed',
  responded: 'http://adlnet.gov/expapi/verbs/responded',
  commented: 'http://adlnet.gov/expapi/verbs/commented',
} as const;

export type VerbName = keyof typeof VERBS;
