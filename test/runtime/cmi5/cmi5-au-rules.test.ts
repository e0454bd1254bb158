import t from 'tap';
import type { Statement } from '../../../src/lrs/statements/statement-types.js';
import {
  checkAuStatement,
  checkAuStatements,
  checkLearnerPreferencesDocument,
  CMI5_CATEGORY,
  CMI5_CONTEXT_EXTENSION,
  CMI5_VERB,
  MOVE_ON_CATEGORY,
  NO_PROGRESS,
  rejectionError,
  type Cmi5SessionState,
} from '../../../src/runtime/cmi5/index.js';
import { allowedStatement, assertValidXapi, auStatement, isRequirementId, learner, prePostTest, REGISTRATION, sessionFor, T0, unitById } from './helpers.js';

type Mutable = {
  id?: string;
  timestamp?: string;
  actor: Record<string, unknown>;
  verb: { id: string };
  object: Record<string, unknown>;
  result?: Record<string, unknown>;
  context?: { registration?: string; contextActivities: Record<string, { id: string }[] | { id: string }>; extensions: Record<string, unknown>; [k: string]: unknown };
};
const edit = (statement: Statement, change: (s: Mutable) => void): Statement => {
  const copy = JSON.parse(JSON.stringify(statement)) as Mutable;
  change(copy);
  return copy as unknown as Statement;
};

const course = await prePostTest();
const content = unitById(course, 'block1/content');
const post = unitById(course, 'block1/post');

t.test('a full Normal session is accepted and tracked (7.1.1.0-1 (d1), 7.1.2.0-1 (d1), 9.3.0.0-6 (d1), 9.3.0.0-7 (d1))', async (t) => {
  const start = sessionFor(post, { initialized: false, masteryScore: 0.8 });
  const prefsRead: Cmi5SessionState = { ...start, learnerPreferencesRetrieved: true };
  const withMastery = (s: Statement) => edit(s, (x) => { x.context!.extensions[CMI5_CONTEXT_EXTENSION.masteryScore] = 0.8; });
  const batch = [
    auStatement(prefsRead, 'initialized'),
    allowedStatement(prefsRead),
    auStatement(prefsRead, 'completed'),
    withMastery(auStatement(prefsRead, 'passed', { success: true, score: { scaled: 0.8, raw: 8, min: 0, max: 10 }, duration: 'PT3M' })),
    allowedStatement(prefsRead, 'http://adlnet.gov/expapi/verbs/answered'),
    auStatement(prefsRead, 'terminated'),
  ];
  for (const s of batch) assertValidXapi(t, s, `the AU's ${s.verb.id}`);
  const verdict = checkAuStatements(batch, prefsRead);
  if (!verdict.ok) return t.fail(`${verdict.requirement}: ${verdict.message} (statement ${verdict.index})`);
  t.same(verdict.kinds, ['cmi5-defined', 'cmi5-allowed', 'cmi5-defined', 'cmi5-defined', 'cmi5-allowed', 'cmi5-defined']);
  t.match(verdict.session, { initialized: true, terminated: true, progress: { completed: true, passed: true, failed: false, waived: false } });
  t.same(verdict.session.sessionVerbs, [CMI5_VERB.initialized, CMI5_VERB.completed, CMI5_VERB.passed, CMI5_VERB.terminated]);
  t.equal(verdict.progressChanged, true);
  t.equal(verdict.session.lastStatementAt, Date.parse(batch[5]!.timestamp!), '9.5.4.2-2: the last AU statement is remembered');
  t.match(verdict.sessionUpdate, { initialized: true, terminated: true, progress: { completed: true, passed: true } });
  t.match(checkAuStatement(allowedStatement(verdict.session), verdict.session), { ok: false, requirement: '9.3.0.0-5' }, '9.3.0.0-5 (d2): nothing after terminated');
});

t.test('one statement at a time: the update names only what changed', async (t) => {
  const session = sessionFor(content);
  const allowed = checkAuStatement(allowedStatement(session), session);
  if (!allowed.ok) return t.fail(allowed.message);
  t.equal(allowed.kind, 'cmi5-allowed');
  t.same(Object.keys(allowed.sessionUpdate), ['lastStatementAt']);
  t.equal(allowed.progressChanged, false);
  const completed = checkAuStatement(auStatement(session, 'completed'), session);
  if (!completed.ok) return t.fail(completed.message);
  t.same(completed.sessionUpdate.progress, { ...NO_PROGRESS, completed: true });
  t.equal(completed.progressChanged, true);
});

interface Case {
  readonly requirement: string;
  readonly title: string;
  readonly statement: (s: Cmi5SessionState) => Statement;
  readonly session?: (s: Cmi5SessionState) => Cmi5SessionState;
}

const withoutInit = (s: Cmi5SessionState): Cmi5SessionState => ({ ...s, initialized: false, learnerPreferencesRetrieved: true, sessionVerbs: [] });
const masteryHalf = (s: Cmi5SessionState): Cmi5SessionState => ({ ...s, masteryScore: 0.5 });
/** A scored passed/failed with the masteryScore extension (`null`: without it). */
const scored = (s: Cmi5SessionState, verb: 'passed' | 'failed', scaled: number, extension: number | null = 0.5) =>
  edit(auStatement(s, verb, { success: verb === 'passed', score: { scaled }, duration: 'PT1M' }), (x) => {
    if (extension !== null) x.context!.extensions[CMI5_CONTEXT_EXTENSION.masteryScore] = extension;
  });

const cases: Case[] = [
  // Session boundaries (§7.1, §9.3)
  { requirement: '9.3.0.0-4', title: 'a cmi5 allowed statement before initialized', statement: (s) => allowedStatement(s), session: withoutInit },
  { requirement: '9.3.0.0-4', title: 'completed before initialized', statement: (s) => auStatement(s, 'completed'), session: withoutInit },
  { requirement: '9.3.0.0-4', title: 'an "initialized" without the cmi5 category does not initialize', statement: (s) => edit(auStatement(s, 'initialized'), (x) => { delete x.context!.contextActivities['category']; }), session: withoutInit },
  { requirement: '11.0.0.0-3', title: 'initialized before the learner preferences were read', statement: (s) => auStatement(s, 'initialized'), session: (s) => ({ ...withoutInit(s), learnerPreferencesRetrieved: false }) },
  { requirement: '9.3.0.0-2', title: 'initialized twice in a session', statement: (s) => auStatement(s, 'initialized') },
  { requirement: '9.3.0.0-5', title: 'a statement after terminated', statement: (s) => allowedStatement(s), session: (s) => ({ ...s, terminated: true }) },
  { requirement: '9.3.6.0-2', title: 'a statement after abandoned', statement: (s) => auStatement(s, 'terminated'), session: (s) => ({ ...s, abandoned: true }) },
  // Statement basics (§6.3, §9.1, §9.2, §9.7)
  { requirement: '9.1.0.0-1', title: 'a statement without id', statement: (s) => edit(auStatement(s, 'completed'), (x) => { delete x.id; }) },
  { requirement: '6.3.0.0-1', title: 'a voiding statement', statement: (s) => edit(allowedStatement(s), (x) => { x.verb = { id: 'http://adlnet.gov/expapi/verbs/voided' }; x.object = { objectType: 'StatementRef', id: '11111111-0000-4000-8000-000000000001' }; }) },
  { requirement: '9.7.0.0-1', title: 'a statement without timestamp', statement: (s) => edit(allowedStatement(s), (x) => { delete x.timestamp; }) },
  { requirement: '9.7.0.0-2', title: 'a timestamp not in UTC', statement: (s) => edit(allowedStatement(s), (x) => { x.timestamp = '2026-03-02T10:00:00+01:00'; }) },
  { requirement: '8.1.3.0-3', title: 'another actor', statement: (s) => edit(allowedStatement(s), (x) => { x.actor = { objectType: 'Agent', account: { homePage: 'https://lms.academy.example', name: 'u-other' } }; }) },
  { requirement: '8.1.3.0-3', title: 'the learner by mbox instead of the launch account', statement: (s) => edit(allowedStatement(s), (x) => { x.actor = { mbox: 'mailto:ada@academy.example' }; }) },
  { requirement: '9.2.0.0-2', title: 'a Group as actor of a cmi5 defined statement', statement: (s) => edit(auStatement(s, 'completed'), (x) => { x.actor = { objectType: 'Group', account: { ...learner.account } }; }) },
  // Context template (§9.6, §10.2.1)
  { requirement: '10.2.1.0-6', title: 'no context at all', statement: (s) => edit(allowedStatement(s), (x) => { delete x.context; }) },
  { requirement: '9.6.3.1-4', title: 'no session id extension', statement: (s) => edit(allowedStatement(s), (x) => { delete x.context!.extensions[CMI5_CONTEXT_EXTENSION.sessionId]; }) },
  { requirement: '10.2.1.0-7', title: 'another session id', statement: (s) => edit(auStatement(s, 'completed'), (x) => { x.context!.extensions[CMI5_CONTEXT_EXTENSION.sessionId] = 'forged'; }) },
  { requirement: '9.6.2.0-1', title: 'a cmi5 defined statement without the publisher id in grouping', statement: (s) => edit(auStatement(s, 'completed'), (x) => { delete x.context!.contextActivities['grouping']; }) },
  { requirement: '10.2.1.0-6', title: 'a cmi5 allowed statement without the publisher id in grouping', statement: (s) => edit(allowedStatement(s), (x) => { x.context!.contextActivities['grouping'] = [{ id: 'https://elsewhere.example/a' }]; }) },
  { requirement: '10.2.1.0-7', title: 'a template value (language) changed', statement: (s) => edit(allowedStatement(s), (x) => { x.context!['language'] = 'de-DE'; }), session: (s) => ({ ...s, contextTemplate: { ...s.contextTemplate, language: 'fr-FR' } }) },
  { requirement: '10.2.1.0-6', title: 'a template value (language) dropped', statement: (s) => allowedStatement(s), session: (s) => ({ ...s, contextTemplate: { ...s.contextTemplate, language: 'fr-FR' } }) },
  { requirement: '9.6.1.0-1', title: 'a cmi5 defined statement without registration', statement: (s) => edit(auStatement(s, 'completed'), (x) => { delete x.context!.registration; }) },
  { requirement: '9.6.1.0-1', title: 'a cmi5 defined statement with another registration', statement: (s) => edit(auStatement(s, 'completed'), (x) => { x.context!.registration = 'b0e6c3b4-0000-4000-8000-000000000000'; }) },
  { requirement: '8.1.4.0-3', title: 'a cmi5 allowed statement with another registration', statement: (s) => edit(allowedStatement(s), (x) => { x.context!.registration = 'b0e6c3b4-0000-4000-8000-000000000000'; }) },
  { requirement: '9.6.2.2-2', title: 'the moveOn category on a cmi5 allowed statement', statement: (s) => edit(allowedStatement(s), (x) => { x.context!.contextActivities['category'] = [{ id: MOVE_ON_CATEGORY }]; }) },
  { requirement: '9.6.2.2-2', title: 'the moveOn category on terminated (no success or completion)', statement: (s) => edit(auStatement(s, 'terminated'), (x) => { x.context!.contextActivities['category'] = [{ id: CMI5_CATEGORY }, { id: MOVE_ON_CATEGORY }]; }) },
  { requirement: '9.6.2.2-1', title: 'completed without the moveOn category (9.6.2.2-1 (d1))', statement: (s) => edit(auStatement(s, 'completed'), (x) => { x.context!.contextActivities['category'] = [{ id: CMI5_CATEGORY }]; }) },
  { requirement: '9.6.2.2-1', title: 'passed without the moveOn category (9.6.2.2-1 (d2))', statement: (s) => edit(auStatement(s, 'passed'), (x) => { x.context!.contextActivities['category'] = { id: CMI5_CATEGORY }; }) },
  { requirement: '9.6.2.2-1', title: 'failed without the moveOn category (9.6.2.2-1 (d3))', statement: (s) => edit(auStatement(s, 'failed'), (x) => { x.context!.contextActivities['category'] = [{ id: CMI5_CATEGORY }]; }) },
  // Object and verbs (§8.1.5, §9.3, §9.4)
  { requirement: '8.1.5.0-6', title: 'the publisher id as object', statement: (s) => edit(auStatement(s, 'completed'), (x) => { x.object = { objectType: 'Activity', id: content.identifier }; }) },
  { requirement: '9.4.0.0-1', title: 'an Agent as object of a cmi5 defined statement', statement: (s) => edit(auStatement(s, 'completed'), (x) => { x.object = { objectType: 'Agent', mbox: 'mailto:x@example.org' }; }) },
  { requirement: '9.3.0.0-1', title: 'an AU sending "satisfied" as cmi5 defined', statement: (s) => edit(auStatement(s, 'terminated', null), (x) => { x.verb = { id: CMI5_VERB.satisfied }; }) },
  { requirement: '9.3.0.0-1', title: 'an AU sending an unknown verb with the cmi5 category', statement: (s) => edit(auStatement(s, 'terminated', null), (x) => { x.verb = { id: 'http://adlnet.gov/expapi/verbs/experienced' }; }) },
  // Launch modes (§10.2.2)
  { requirement: '10.2.2.0-2', title: 'completed in Browse mode', statement: (s) => auStatement(s, 'completed'), session: (s) => ({ ...s, launchMode: 'Browse' }) },
  { requirement: '10.2.2.0-2', title: 'passed in Browse mode', statement: (s) => auStatement(s, 'passed'), session: (s) => ({ ...s, launchMode: 'Browse' }) },
  { requirement: '10.2.2.0-3', title: 'failed in Review mode', statement: (s) => auStatement(s, 'failed'), session: (s) => ({ ...s, launchMode: 'Review' }) },
  // Result (§9.5)
  { requirement: '9.5.3.0-1', title: 'completed without result (9.5.3.0-1 (d1))', statement: (s) => auStatement(s, 'completed', null) },
  { requirement: '9.5.3.0-1', title: 'completed with completion false', statement: (s) => auStatement(s, 'completed', { completion: false, duration: 'PT1M' }) },
  { requirement: '9.5.3.0-2', title: 'completion on passed', statement: (s) => auStatement(s, 'passed', { success: true, completion: true, duration: 'PT1M' }) },
  { requirement: '9.5.2.0-1', title: 'passed without success true (9.5.2.0-1 (d1))', statement: (s) => auStatement(s, 'passed', { success: false, duration: 'PT1M' }) },
  { requirement: '9.5.2.0-2', title: 'failed without success false', statement: (s) => auStatement(s, 'failed', { duration: 'PT1M' }) },
  { requirement: '9.5.2.0-3', title: 'success on terminated', statement: (s) => auStatement(s, 'terminated', { success: true, duration: 'PT1M' }) },
  { requirement: '9.5.1.0-2', title: 'a score on completed', statement: (s) => auStatement(s, 'completed', { completion: true, score: { scaled: 1 }, duration: 'PT1M' }) },
  { requirement: '9.5.1.0-3', title: 'score.raw without score.min (9.5.1.0-3 (d1))', statement: (s) => auStatement(s, 'passed', { success: true, score: { raw: 5, max: 10 }, duration: 'PT1M' }) },
  { requirement: '9.5.1.0-3', title: 'score.raw without score.max (9.5.1.0-3 (d2))', statement: (s) => auStatement(s, 'passed', { success: true, score: { raw: 5, min: 0 }, duration: 'PT1M' }) },
  { requirement: '9.5.4.1-1', title: 'terminated without duration', statement: (s) => auStatement(s, 'terminated', null) },
  { requirement: '9.5.4.1-2', title: 'completed without duration', statement: (s) => auStatement(s, 'completed', { completion: true }) },
  { requirement: '9.5.4.1-3', title: 'passed without duration', statement: (s) => auStatement(s, 'passed', { success: true }) },
  { requirement: '9.5.4.1-4', title: 'failed without duration', statement: (s) => auStatement(s, 'failed', { success: false }) },
  // masteryScore (§9.3.4, §9.3.5, §9.6.3.2)
  { requirement: '9.3.4.0-2', title: 'passed with a scaled score below masteryScore (9.3.4.0-2 (d2))', statement: (s) => scored(s, 'passed', 0.49), session: masteryHalf },
  { requirement: '9.3.5.0-2', title: 'failed with a scaled score at masteryScore', statement: (s) => scored(s, 'failed', 0.5), session: masteryHalf },
  { requirement: '9.3.5.0-2', title: 'failed with a scaled score above masteryScore', statement: (s) => scored(s, 'failed', 0.9), session: masteryHalf },
  { requirement: '9.6.3.2-2', title: 'a scored passed without the masteryScore extension', statement: (s) => scored(s, 'passed', 0.7, null), session: masteryHalf },
  { requirement: '9.6.3.2-2', title: 'a scored failed with another masteryScore extension', statement: (s) => scored(s, 'failed', 0.1, 0.3), session: masteryHalf },
  // Ordering in the session and the registration (§9.3)
  { requirement: '9.3.0.0-2', title: 'completed twice in a session', statement: (s) => auStatement(s, 'completed'), session: (s) => ({ ...s, sessionVerbs: [...s.sessionVerbs, CMI5_VERB.completed], progress: { ...s.progress, completed: true } }) },
  { requirement: '9.3.0.0-6', title: 'completed again in the registration (9.3.0.0-6 (d2))', statement: (s) => auStatement(s, 'completed'), session: (s) => ({ ...s, progress: { ...s.progress, completed: true } }) },
  { requirement: '9.3.0.0-3', title: 'passed after failed in the session', statement: (s) => auStatement(s, 'passed'), session: (s) => ({ ...s, sessionVerbs: [...s.sessionVerbs, CMI5_VERB.failed], progress: { ...s.progress, failed: true } }) },
  { requirement: '9.3.0.0-3', title: 'failed after passed in the session', statement: (s) => auStatement(s, 'failed'), session: (s) => ({ ...s, sessionVerbs: [...s.sessionVerbs, CMI5_VERB.passed], progress: { ...s.progress, passed: true } }) },
  { requirement: '9.3.0.0-2', title: 'failed twice in a session', statement: (s) => auStatement(s, 'failed'), session: (s) => ({ ...s, sessionVerbs: [...s.sessionVerbs, CMI5_VERB.failed], progress: { ...s.progress, failed: true } }) },
  { requirement: '9.3.0.0-7', title: 'passed again in the registration (9.3.0.0-7 (d2))', statement: (s) => auStatement(s, 'passed'), session: (s) => ({ ...s, progress: { ...s.progress, passed: true } }) },
  { requirement: '9.3.0.0-8', title: 'failed after passed in the registration', statement: (s) => auStatement(s, 'failed'), session: (s) => ({ ...s, progress: { ...s.progress, passed: true } }) },
];

t.test('rejections name the cmi5 requirement they enforce', async (t) => {
  for (const c of cases) {
    t.test(`${c.requirement}: ${c.title}`, async (t) => {
      const base = sessionFor(content);
      const session = c.session?.(base) ?? base;
      const verdict = checkAuStatement(c.statement(session), session);
      t.match(verdict, { ok: false, requirement: c.requirement });
      if (!verdict.ok) {
        t.ok(isRequirementId(verdict.requirement), `${verdict.requirement} is in the cmi5 requirements list`);
        t.type(verdict.message, 'string');
        t.type(verdict.path, 'string');
      }
    });
  }
});

t.test('accepted: what the rules allow', async (t) => {
  const base = sessionFor(content);
  const ok = (title: string, statement: Statement, session: Cmi5SessionState = base) => {
    const verdict = checkAuStatement(statement, session);
    t.ok(verdict.ok, verdict.ok ? title : `${title}: ${verdict.requirement} ${verdict.message}`);
  };
  ok('9.3.0.0-8: passed after failed in an earlier session of the registration', auStatement(base, 'passed'), { ...base, progress: { ...NO_PROGRESS, failed: true } });
  ok('9.3.0.0-6: completed in a new registration (progress is per registration)', auStatement(base, 'completed'));
  ok('9.3.4.0-2: passed with scaled exactly at masteryScore', scored(base, 'passed', 0.5), masteryHalf(base));
  ok('9.3.5.0-2: failed below masteryScore', scored(base, 'failed', 0.49), masteryHalf(base));
  ok('9.3.4.0-2: without masteryScore any scaled score passes', edit(auStatement(base, 'passed', { success: true, score: { scaled: 0.1 }, duration: 'PT1M' }), () => {}));
  ok('9.5.1.0-3: score.raw with min and max', auStatement(base, 'passed', { success: true, score: { raw: 5, min: 0, max: 10 }, duration: 'PT1M' }));
  ok('10.2.2.0-8: initialized and terminated in Browse mode', auStatement(base, 'terminated'), { ...base, launchMode: 'Browse' });
  ok('10.2.2.0-5: cmi5 allowed statements in Review mode', allowedStatement(base), { ...base, launchMode: 'Review' });
  ok('8.1.3.0-3: the actor without its display name or objectType', edit(allowedStatement(base), (x) => { x.actor = { account: { ...learner.account } }; }));
  ok('9.7.0.0-2: +00:00 is UTC', edit(allowedStatement(base), (x) => { x.timestamp = '2026-03-02T10:00:00.000+00:00'; }));
  ok('10.2.1.0-7: extra context values and activities are allowed', edit(auStatement(base, 'completed'), (x) => {
    x.context!.extensions['https://publisher.example/ext/page'] = 3;
    x.context!.contextActivities['grouping'] = [{ id: 'https://publisher.example/extra' }, { id: content.identifier }];
    x.context!.contextActivities['parent'] = [{ id: 'https://publisher.example/parent' }];
  }));
  ok('9.5.4.1-1: terminated with a duration and no moveOn category', auStatement(base, 'terminated'));
  const failedFirst = checkAuStatement(auStatement(base, 'failed'), base);
  t.match(failedFirst, { ok: true, progressChanged: true, sessionUpdate: { progress: { failed: true } } }, 'failed is recorded');
  const failedAgainLater = checkAuStatement(auStatement(base, 'failed'), { ...base, progress: { ...NO_PROGRESS, failed: true } });
  t.match(failedAgainLater, { ok: true, progressChanged: false }, 'a second failure in a later session changes no progress');
});

t.test('a batch is all-or-nothing and reports the index of the statement refused', async (t) => {
  const session = sessionFor(content);
  const verdict = checkAuStatements([auStatement(session, 'completed'), auStatement(session, 'completed')], session);
  t.match(verdict, { ok: false, index: 1, requirement: '9.3.0.0-2' }, 'the second completed in the same batch');
  if (!verdict.ok) {
    const error = rejectionError(verdict);
    t.equal(error.statusCode, 403);
    t.equal(error.code, 'cmi5-requirement-violated');
    t.match(error.message, /^cmi5 9\.3\.0\.0-2: /);
    t.same(error.data, { requirement: '9.3.0.0-2', path: '/1/verb/id' }, 'the JSON Pointer names the statement in the batch');
  }
  const empty = checkAuStatements([], session);
  t.match(empty, { ok: true, session, sessionUpdate: {}, progressChanged: false, kinds: [] });
});

t.test('11.0.0.0-5 (d), 11.1.0.0-1 (d): learner preferences written by the AU', async (t) => {
  t.same(checkLearnerPreferencesDocument({ languagePreference: 'en-US,fr-FR,fr-BE', audioPreference: 'off' }), { ok: true });
  const rejections: [unknown, string, string][] = [
    ['{"a":1}', '11.0.0.0-5', ''],
    [[1, 2], '11.0.0.0-5', ''],
    [{ audioPreference: 'on' }, '11.0.0.0-5', '/languagePreference'],
    [{ languagePreference: 'en' }, '11.0.0.0-5', '/audioPreference'],
    [{ languagePreference: 'en-US, fr', audioPreference: 'on' }, '11.1.0.0-1', '/languagePreference'],
    [{ languagePreference: '', audioPreference: 'on' }, '11.1.0.0-1', '/languagePreference'],
    [{ languagePreference: 'en_US', audioPreference: 'on' }, '11.1.0.0-1', '/languagePreference'],
    [{ languagePreference: ['en'], audioPreference: 'on' }, '11.1.0.0-1', '/languagePreference'],
    [{ languagePreference: 'en', audioPreference: 'loud' }, '11.0.0.0-5', '/audioPreference'],
  ];
  for (const [body, requirement, path] of rejections) {
    t.match(checkLearnerPreferencesDocument(body), { ok: false, requirement, path }, `${requirement}: ${JSON.stringify(body)}`);
  }
});

t.test('the helpers build what cmi5.js sends: valid xAPI', async (t) => {
  const session = sessionFor(content);
  for (const verb of ['initialized', 'completed', 'passed', 'failed', 'terminated'] as const) assertValidXapi(t, auStatement(session, verb), verb);
  assertValidXapi(t, allowedStatement(session), 'allowed');
  t.equal(sessionFor(content).registration, REGISTRATION);
  t.equal(sessionFor(content).launchedAt, T0);
});
