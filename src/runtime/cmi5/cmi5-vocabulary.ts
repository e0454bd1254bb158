/**
 * The IRIs and names cmi5 defines (cmi5 spec, Quartz: §9.3 verbs, §9.4 object types, §9.5.5
 * result extensions, §9.6 context, §10 state, §11 agent profile). One place, so a typo cannot
 * make two halves of the runtime disagree.
 */
import type { Verb } from '../../lrs/statements/statement-types.js';

/** §9.3: the verbs of cmi5 defined statements. */
export const CMI5_VERB = {
  launched: 'http://adlnet.gov/expapi/verbs/launched',
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  abandoned: 'https://w3id.org/xapi/adl/verbs/abandoned',
  waived: 'https://w3id.org/xapi/adl/verbs/waived',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  satisfied: 'https://w3id.org/xapi/adl/verbs/satisfied',
} as const;

export type Cmi5VerbName = keyof typeof CMI5_VERB;

/** The verb object the LMS writes, with an English display. */
export function cmi5Verb(name: Cmi5VerbName): Verb {
  return { id: CMI5_VERB[name], display: { 'en-US': name } };
}

/** §9.6.2.1 and §9.6.2.2: category activities. */
export const CMI5_CATEGORY = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
export const MOVE_ON_CATEGORY = 'https://w3id.org/xapi/cmi5/context/categories/moveon';

/** §9.6.3: context extensions. */
export const CMI5_CONTEXT_EXTENSION = {
  sessionId: 'https://w3id.org/xapi/cmi5/context/extensions/sessionid',
  masteryScore: 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore',
  launchMode: 'https://w3id.org/xapi/cmi5/context/extensions/launchmode',
  launchUrl: 'https://w3id.org/xapi/cmi5/context/extensions/launchurl',
  moveOn: 'https://w3id.org/xapi/cmi5/context/extensions/moveon',
  launchParameters: 'https://w3id.org/xapi/cmi5/context/extensions/launchparameters',
} as const;

/** §9.5.5: result extensions. */
export const CMI5_RESULT_EXTENSION = {
  progress: 'https://w3id.org/xapi/cmi5/result/extensions/progress',
  reason: 'https://w3id.org/xapi/cmi5/result/extensions/reason',
} as const;

/** §9.4: the definition types of the LMS's block and course objects (in "satisfied"). */
export const BLOCK_ACTIVITY_TYPE = 'https://w3id.org/xapi/cmi5/activitytype/block';
export const COURSE_ACTIVITY_TYPE = 'https://w3id.org/xapi/cmi5/activitytype/course';

/** §10.1: the state document the LMS writes before a launch. */
export const LAUNCH_DATA_STATE_ID = 'LMS.LaunchData';
/** §11: the agent profile document of learner preferences. */
export const LEARNER_PREFERENCES_PROFILE_ID = 'cmi5LearnerPreferences';

/** §8.1: the query parameters the LMS appends to an AU's URL; an AU URL must not use them itself. */
export const LAUNCH_PARAMETER_NAMES = ['endpoint', 'fetch', 'actor', 'registration', 'activityId'] as const;

/** §10.2.2. */
export type Cmi5LaunchMode = 'Normal' | 'Browse' | 'Review';

/** §9.5.5.2: the reasons the spec lists (an LMS SHOULD use one of them). */
export type Cmi5WaiveReason = 'Tested Out' | 'Equivalent AU' | 'Equivalent Outside Activity' | 'Administrative';
