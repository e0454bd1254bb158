import t from 'tap';
import type { Test as TapTest } from 'tap';
import {
  ACTIVITY_PROFILE_ID,
  ACTIVITY_STATE_ID,
  AGENT_PROFILE_ID,
  ATTEMPT_STATE_ID,
  SUSPEND_DATA_STATE_ID,
  buildActivityProfile,
  buildActivityState,
  buildAgentProfile,
  buildAttemptState,
  readCmi,
} from '../../../src/runtime/scorm-to-xapi/index.js';
import type { ScormVersion, TranslationContext } from '../../../src/runtime/scorm-to-xapi/index.js';
import { profileSchema } from './profile-fixtures.js';
import { scorm12Session, scorm2004Session } from './scorm-again-session.js';

const SCO = 'https://academy.example/courses/evidence-handling/module-1';
const ATTEMPT = `${SCO}?attemptId=7d0b2a2e-0c4b-4f6e-9a8e-2a1b3c4d5e6f`;

function contextFor(scormVersion: ScormVersion, overrides: Partial<TranslationContext> = {}): TranslationContext {
  return {
    actor: { objectType: 'Agent', name: 'Jane Doe', account: { homePage: 'https://academy.example', name: 'user-17' } },
    registration: 'd2c5a3c4-8f1e-4b8a-9c51-6a1d2f3e4b5c',
    courseActivityId: 'https://academy.example/courses/evidence-handling',
    scoActivityId: SCO,
    attemptActivityId: ATTEMPT,
    attemptNumber: 2,
    scormVersion,
    ...overrides,
  };
}

function checkSchema(t: TapTest, name: string, document: unknown): void {
  const validate = profileSchema(name);
  t.ok(validate(document), `the document matches scorm.profile.${name}.schema.json`, { errors: validate.errors });
}

t.test('activity state: the attempts, first to latest, the current one appended once', async (t) => {
  const first = buildActivityState(contextFor('scorm2004'));
  t.same(first, { kind: 'state', activityId: SCO, agent: contextFor('scorm2004').actor, stateId: ACTIVITY_STATE_ID, contentType: 'application/json', document: { attempts: [ATTEMPT] } });
  const earlier = `${SCO}?attemptId=0b5e7c1a-1111-4222-8333-444455556666`;
  t.same(buildActivityState(contextFor('scorm2004'), [earlier]).document, { attempts: [earlier, ATTEMPT] });
  t.same(buildActivityState(contextFor('scorm2004'), [earlier, ATTEMPT]).document, { attempts: [earlier, ATTEMPT] }, 'idempotent');
  checkSchema(t, 'activity.state', first.document);
});

t.test('SCORM 2004 attempt state and suspend data', async (t) => {
  const state = readCmi('scorm2004', {
    cmi: {
      credit: 'credit',
      mode: 'normal',
      location: 'p7',
      total_time: 'PT1H5M',
      suspend_data: '{"page":7}',
      learner_preference: { audio_level: '1', language: 'fr-FR', delivery_speed: '1.5', audio_captioning: '-1' },
      comments_from_lms: { 0: { comment: 'Read chapter 2 first', location: 'p1', timestamp: '2026-01-05T08:00:00Z' }, 1: { comment: 'No zone', timestamp: '2026-01-05T08:00:00' } },
    },
  });
  const documents = buildAttemptState(state, contextFor('scorm2004'));
  t.same(documents, [
    {
      kind: 'state',
      activityId: ATTEMPT,
      agent: contextFor('scorm2004').actor,
      stateId: ATTEMPT_STATE_ID,
      contentType: 'application/json',
      document: {
        credit: 'credit',
        mode: 'normal',
        location: 'p7',
        preferences: { audio_level: 1, language: 'fr-FR', delivery_speed: 1.5, audio_captioning: -1 },
        total_time: 'PT1H5M',
        comments_from_lms: [
          { comment: 'Read chapter 2 first', location: 'p1', timestamp: '2026-01-05T08:00:00Z' },
          { comment: 'No zone' },
        ],
      },
    },
    {
      kind: 'state',
      activityId: ATTEMPT,
      agent: contextFor('scorm2004').actor,
      stateId: SUSPEND_DATA_STATE_ID,
      registration: 'd2c5a3c4-8f1e-4b8a-9c51-6a1d2f3e4b5c',
      contentType: 'text/plain',
      document: '{"page":7}',
    },
  ]);
  checkSchema(t, 'attempt.state', documents[0]?.document);
});

t.test('SCORM 1.2 attempt state from a real scorm-again commit', async (t) => {
  const body = scorm12Session({ core: { credit: 'credit' } })
    .set('cmi.core.lesson_location', 'slide-4')
    .set('cmi.core.session_time', '00:12:00')
    .set('cmi.student_preference.language', 'en')
    .set('cmi.student_preference.text', '1')
    .set('cmi.student_preference.audio', '50')
    .commit(true);
  const [attempt, ...rest] = buildAttemptState(readCmi('scorm12', body), contextFor('scorm12'));
  t.same(attempt?.document, {
    credit: 'credit',
    mode: 'normal',
    location: 'slide-4',
    preferences: { language: 'en', audio_captioning: 1 },
    total_time: 'PT12M',
  }, '1.2 audio uses another scale and is not carried over');
  t.same(rest, [], 'no suspend data, no suspend-data document');
  checkSchema(t, 'attempt.state', attempt?.document);
  const bare = buildAttemptState(readCmi('scorm12', { cmi: {} }), contextFor('scorm12'));
  t.same(bare.map((d) => d.document), [{}], 'an empty data model gives an empty (mergeable) document');
  checkSchema(t, 'attempt.state', bare[0]?.document);
});

t.test('activity profile', async (t) => {
  const s2004 = readCmi('scorm2004', scorm2004Session({ completion_threshold: '0.8', scaled_passing_score: '0.7', launch_data: 'mode=exam', max_time_allowed: 'PT1H30M', time_limit_action: 'exit,message' }).commit());
  const profile = buildActivityProfile(s2004, contextFor('scorm2004'));
  t.same(profile, {
    kind: 'activity-profile',
    activityId: SCO,
    profileId: ACTIVITY_PROFILE_ID,
    contentType: 'application/json',
    document: { completion_threshold: 0.8, launch_data: 'mode=exam', max_time_allowed: 5400, scaled_passing_score: 0.7, time_limit_action: 'exit,message' },
  });
  checkSchema(t, 'activity.profile', profile.document);
  const s12 = readCmi('scorm12', scorm12Session({ student_data: { mastery_score: '75', max_time_allowed: '00:30:00', time_limit_action: 'continue,no message' } }).commit());
  t.same(buildActivityProfile(s12, contextFor('scorm12')).document, { max_time_allowed: 1800, scaled_passing_score: 0.75, time_limit_action: 'continue,no message' });
  t.same(buildActivityProfile(s12, contextFor('scorm12', { masteryScore: 0.8 })).document['scaled_passing_score'], 0.8, "the manifest's mastery score wins");
  checkSchema(t, 'activity.profile', buildActivityProfile(s12, contextFor('scorm12')).document);
});

t.test('agent profile', async (t) => {
  const state = readCmi('scorm2004', scorm2004Session({ learner_id: 'user-17', learner_name: 'Jane Doe' }).set('cmi.learner_preference.language', 'zh-Hant').commit());
  const profile = buildAgentProfile(state, contextFor('scorm2004'));
  t.same(profile, {
    kind: 'agent-profile',
    agent: contextFor('scorm2004').actor,
    profileId: AGENT_PROFILE_ID,
    contentType: 'application/json',
    document: { learner_id: 'user-17', learner_name: 'Jane Doe', preferences: { audio_level: 1, delivery_speed: 1, audio_captioning: 0 } },
  }, 'a language the schema does not accept is left out');
  checkSchema(t, 'agent.profile', profile.document);
});
