import t from 'tap';
import type { Statement } from '../../../src/lrs/statements/statement-types.js';
import {
  abandonSession,
  BLOCK_ACTIVITY_TYPE,
  buildSatisfiedStatement,
  checkAuStatement,
  CMI5_CATEGORY,
  CMI5_CONTEXT_EXTENSION,
  CMI5_RESULT_EXTENSION,
  CMI5_VERB,
  cmi5ActivityIds,
  COURSE_ACTIVITY_TYPE,
  formatDuration,
  MOVE_ON_CATEGORY,
  NO_PROGRESS,
  prepareCmi5Launch,
  satisfiedStatements,
  waiveAu,
  type Cmi5AuProgress,
} from '../../../src/runtime/cmi5/index.js';
import { assertValidXapi, auStatement, fakeDeps, LMS_COURSE_ID, learner, loadCourse, prePostTest, REGISTRATION, sessionFor, T0, unitById } from './helpers.js';

const ids = cmi5ActivityIds(LMS_COURSE_ID);
type Ctx = { registration: string; contextActivities: Record<string, { id: string }[]>; extensions: Record<string, unknown> };
const ctx = (s: Statement) => s.context as unknown as Ctx;
const categoryIds = (s: Statement) => ctx(s).contextActivities['category']!.map((a) => a.id);

t.test('9.3.1.0-1, 9.6.3.x: prepareCmi5Launch gives a launched statement, launch data and session that agree', async (t) => {
  const course = await prePostTest();
  const content = unitById(course, 'block2/content');
  const deps = fakeDeps();
  const launch = prepareCmi5Launch(
    content,
    {
      endpoint: 'https://lms.academy.example/xapi/',
      fetchUrl: 'https://lms.academy.example/cmi5/fetch/tok',
      actor: learner,
      registration: REGISTRATION,
      activityId: ids.au(content.identifier),
      contentBaseUrl: 'https://content.academy.example/v/42/',
      launchMode: 'Normal',
      masteryScore: 0.75,
      launchParameters: 'lang=fr',
    },
    deps,
  );
  const launched = launch.launchedStatement;
  assertValidXapi(t, launched, 'launched');
  t.equal(launch.sessionId, deps.ids[0], 'the session id comes from newId');
  t.equal(launched.id, deps.ids[1], 'the statement id comes from newId');
  t.equal(launched.timestamp, new Date(T0).toISOString(), '9.7.0.0-2: a UTC timestamp from the injected clock');
  t.equal(launch.session.launchedAt, T0);
  t.equal(launched.verb.id, CMI5_VERB.launched);
  t.same(launched.actor, learner, '9.2.0.0-1..3');
  t.match(launched.object, { objectType: 'Activity', id: ids.au(content.identifier), definition: { name: content.title } }, '9.4.0.0-2: the object is the LMS activityId');
  t.equal(ctx(launched).registration, REGISTRATION, '9.6.1.0-1');
  t.same(categoryIds(launched), [CMI5_CATEGORY], '9.6.2.1-1; no moveOn category without a result (9.6.2.2-2)');
  t.same(ctx(launched).contextActivities['grouping'], [{ id: content.identifier }], '9.6.2.3-2: publisher id in grouping');
  t.same(ctx(launched).extensions, {
    [CMI5_CONTEXT_EXTENSION.sessionId]: launch.sessionId,
    [CMI5_CONTEXT_EXTENSION.launchMode]: 'Normal',
    [CMI5_CONTEXT_EXTENSION.launchUrl]: 'https://content.academy.example/v/42/index.html?pages=2',
    [CMI5_CONTEXT_EXTENSION.moveOn]: 'CompletedOrPassed',
    [CMI5_CONTEXT_EXTENSION.masteryScore]: 0.75,
    [CMI5_CONTEXT_EXTENSION.launchParameters]: 'lang=fr',
  }, '9.6.3.1-3, 9.6.3.2-1, 9.6.3.3-1, 9.6.3.4-1 (no launch parameters in launchurl), 9.6.3.6-1, 9.6.3.7-1');
  t.same(launch.launchData.contextTemplate.extensions, { [CMI5_CONTEXT_EXTENSION.sessionId]: launch.sessionId }, '9.6.3.1-2: the same session id in LMS.LaunchData');
  t.match(launch.session, { sessionId: launch.sessionId, launchMode: 'Normal', masteryScore: 0.75, moveOn: 'CompletedOrPassed', initialized: false, terminated: false, progress: NO_PROGRESS });
  t.equal(new URL(launch.launchUrl).searchParams.get('activityId'), ids.au(content.identifier));
});

t.test('9.6.3.2-1, 9.6.3.7-1: launched omits masteryScore and launchParameters when the launch data has none', async (t) => {
  const course = await prePostTest();
  const session = sessionFor(unitById(course, 'block1/pre'), { initialized: false });
  const launch = prepareCmi5Launch(unitById(course, 'block1/pre'), {
    endpoint: 'https://lms.academy.example/xapi/', fetchUrl: 'https://lms.academy.example/f', actor: learner, registration: REGISTRATION,
    activityId: session.activityId, contentBaseUrl: 'https://content.academy.example/v/42/', launchMode: 'Browse',
  }, fakeDeps());
  t.same(Object.keys(ctx(launch.launchedStatement).extensions).sort(), [
    CMI5_CONTEXT_EXTENSION.launchMode, CMI5_CONTEXT_EXTENSION.launchUrl, CMI5_CONTEXT_EXTENSION.moveOn, CMI5_CONTEXT_EXTENSION.sessionId,
  ].sort());
  t.equal(ctx(launch.launchedStatement).extensions[CMI5_CONTEXT_EXTENSION.launchMode], 'Browse');
});

t.test('9.3.6.0-1, 9.5.4.2-1, 9.5.4.2-2: abandoned carries the time from launched to the last AU statement', async (t) => {
  const course = await prePostTest();
  const unit = unitById(course, 'block1/content');
  const session = { ...sessionFor(unit), lastStatementAt: T0 + 3_723_450 };
  const deps = fakeDeps(T0 + 10_000_000);
  const abandoned = abandonSession(session, deps);
  if (abandoned === null) return t.fail('nothing abandoned');
  assertValidXapi(t, abandoned.statement, 'abandoned');
  t.equal(abandoned.statement.verb.id, CMI5_VERB.abandoned);
  t.same(abandoned.statement.result, { duration: 'PT1H2M3.45S' });
  t.equal(abandoned.statement.object.objectType === 'Activity' && abandoned.statement.object.id, session.activityId);
  t.equal(ctx(abandoned.statement).extensions[CMI5_CONTEXT_EXTENSION.sessionId], session.sessionId, 'the session abandoned');
  t.same(categoryIds(abandoned.statement), [CMI5_CATEGORY]);
  t.same(ctx(abandoned.statement).contextActivities['grouping'], [{ id: unit.identifier }]);
  t.equal(abandoned.statement.timestamp, new Date(T0 + 10_000_000).toISOString());
  t.same(abandoned.sessionUpdate, { abandoned: true });
  t.equal(abandonSession(abandoned.session, deps), null, '9.3.0.0-10: never twice for a session');
  t.equal(abandonSession({ ...session, terminated: true }, deps), null, 'a terminated session is not abandoned');
  const never = abandonSession(sessionFor(unit, { initialized: false }), fakeDeps(T0 + 5000));
  t.same(never?.statement.result, { duration: 'PT0S' }, 'no AU statement at all: zero');
  const rejected = checkAuStatement(auStatement(abandoned.session, 'terminated'), abandoned.session);
  t.match(rejected, { ok: false, requirement: '9.3.6.0-2' }, '9.3.6.0-2: nothing after abandoned');
});

t.test('formatDuration: ISO 8601 to the hundredth of a second', async (t) => {
  t.equal(formatDuration(0), 'PT0S');
  t.equal(formatDuration(1234), 'PT1.23S');
  t.equal(formatDuration(60_000), 'PT1M');
  t.equal(formatDuration(3_600_000), 'PT1H');
  t.equal(formatDuration(90_061_005), 'PT25H1M1.01S');
  t.equal(formatDuration(-5), 'PT0S');
});

t.test('9.3.7.0-1..4, 9.5.2.0-1 (d2), 9.5.3.0-1 (d2), 9.6.2.2-1 (d4), 9.5.5.2-1: waived', async (t) => {
  const course = await prePostTest();
  const pre = unitById(course, 'block2/pre');
  const deps = fakeDeps();
  const waived = waiveAu({ unit: pre, activityId: ids.au(pre.identifier), actor: learner, registration: REGISTRATION, reason: 'Tested Out', progress: NO_PROGRESS }, deps);
  if (waived === null) return t.fail('not waived');
  assertValidXapi(t, waived.statement, 'waived');
  t.equal(waived.statement.verb.id, CMI5_VERB.waived);
  t.same(waived.statement.result, { success: true, completion: true, extensions: { [CMI5_RESULT_EXTENSION.reason]: 'Tested Out' } });
  t.same(categoryIds(waived.statement), [CMI5_CATEGORY, MOVE_ON_CATEGORY]);
  t.equal(ctx(waived.statement).extensions[CMI5_CONTEXT_EXTENSION.sessionId], waived.sessionId, '9.3.7.0-3: a session id of its own');
  t.equal(waived.sessionId, deps.ids[0]);
  t.same(ctx(waived.statement).contextActivities['grouping'], [{ id: pre.identifier }]);
  t.equal(ctx(waived.statement).registration, REGISTRATION);
  t.same(waived.progress, { ...NO_PROGRESS, waived: true });
  t.equal(waiveAu({ unit: pre, activityId: ids.au(pre.identifier), actor: learner, registration: REGISTRATION, reason: 'Administrative', progress: waived.progress }, deps), null, '9.3.7.0-4: once per AU per registration');
  t.throws(() => waiveAu({ unit: pre, activityId: ids.au(pre.identifier), actor: learner, registration: REGISTRATION, reason: ' ', progress: NO_PROGRESS }, deps), /9\.3\.7\.0-2/);
});

t.test('9.3.9.0-1..9: satisfied for blocks and the course, with LMS ids and the publisher id in grouping', async (t) => {
  const course = await prePostTest();
  const [block1, block2] = course.organizations[0]!.items;
  const progress = new Map<string, Cmi5AuProgress>(course.units.map((u) => [u.identifier, { ...NO_PROGRESS, completed: true, passed: true }]));
  const deps = fakeDeps();
  const { newlySatisfied, statements } = satisfiedStatements(course, progress, new Set(), { ids, actor: learner, registration: REGISTRATION, sessionId: 'launch-session-9' }, deps);
  t.same(newlySatisfied.map((n) => [n.kind, n.publisherId]), [['block', block1!.identifier], ['block', block2!.identifier], ['course', course.identifier]]);
  t.equal(statements.length, 3);
  for (const s of statements) {
    assertValidXapi(t, s, `satisfied ${(s.object as { id: string }).id}`);
    t.equal(s.verb.id, CMI5_VERB.satisfied);
    t.same(categoryIds(s), [CMI5_CATEGORY]);
    t.equal(ctx(s).extensions[CMI5_CONTEXT_EXTENSION.sessionId], 'launch-session-9', '9.3.9.0-9: the session id of the launch');
    t.equal(ctx(s).registration, REGISTRATION);
    t.equal(s.result, undefined);
  }
  t.match(statements[0]!.object, { objectType: 'Activity', id: ids.block(block1!.identifier), definition: { type: BLOCK_ACTIVITY_TYPE, name: block1!.title } }, '9.3.9.0-2');
  t.same(ctx(statements[0]!).contextActivities['grouping'], [{ id: block1!.identifier }]);
  t.match(statements[2]!.object, { id: LMS_COURSE_ID, definition: { type: COURSE_ACTIVITY_TYPE } }, '9.3.9.0-6');
  t.not((statements[2]!.object as { id: string }).id, course.identifier, '9.3.9.0-8');
  t.same(ctx(statements[2]!).contextActivities['grouping'], [{ id: course.identifier }]);
  t.same(new Set(statements.map((s) => s.id)).size, 3);

  const again = satisfiedStatements(course, progress, new Set(newlySatisfied.map((n) => n.publisherId)), { ids, actor: learner, registration: REGISTRATION, sessionId: 's' }, deps);
  t.same(again.statements, [], 'once per block and course in a registration');

  const sameAsPublisher = cmi5ActivityIds(course.identifier);
  t.throws(() => buildSatisfiedStatement(newlySatisfied[2]!, { ids: sameAsPublisher, actor: learner, registration: REGISTRATION, sessionId: 's' }, deps), /9\.4/);
});

t.test('4.2.0.0-1: every LMS statement for CATAPULT and spec courses is valid xAPI 1.0.3', async (t) => {
  const fixtures = [
    'catapult-course-examples/pre_post_test_framed.zip',
    'catapult-course-examples/masteryscore_responsive.zip',
    'catapult-course-examples/multi_au_framed.cmi5.xml',
    'catapult-course-examples/legacy-multiple_au.cmi5.xml',
    'aicc-spec-examples/complex-cmi5.xml',
  ];
  for (const fixture of fixtures) {
    const course = await loadCourse(fixture);
    const deps = fakeDeps();
    const statements: Statement[] = [];
    for (const unit of course.units) {
      const launch = prepareCmi5Launch(unit, {
        endpoint: 'https://lms.academy.example/xapi/', fetchUrl: 'https://lms.academy.example/f', actor: learner, registration: REGISTRATION,
        activityId: ids.au(unit.identifier), contentBaseUrl: 'https://content.academy.example/v/1/', launchMode: 'Normal',
      }, deps);
      statements.push(launch.launchedStatement);
      statements.push(abandonSession(launch.session, deps)!.statement);
      statements.push(waiveAu({ unit, activityId: ids.au(unit.identifier), actor: learner, registration: REGISTRATION, reason: 'Equivalent AU', progress: NO_PROGRESS }, deps)!.statement);
    }
    const all = new Map(course.units.map((u) => [u.identifier, { ...NO_PROGRESS, waived: true }]));
    statements.push(...satisfiedStatements(course, all, new Set(), { ids, actor: learner, registration: REGISTRATION, sessionId: 's' }, deps).statements);
    t.ok(statements.length >= course.units.length * 3 + 1, `${fixture}: ${statements.length} statements`);
    for (const s of statements) assertValidXapi(t, s, `${fixture} ${s.verb.display?.['en-US']} ${(s.object as { id: string }).id}`);
  }
});
