import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { normalizeActor, parseLaunch } from '../../content-packages/xapi-cybercrime-response/src/launch.js';
import * as statements from '../../content-packages/xapi-cybercrime-response/src/statements.js';
import { COURSE, QUESTIONS } from '../../content-packages/xapi-cybercrime-response/src/course-data.js';
import { judgeTest, launchProblems, terminatedStatement } from '../../content-packages/cmi5-interpol-notices/src/au-session.js';
import { QUESTIONS as CMI5_QUESTIONS, isRight } from '../../content-packages/cmi5-interpol-notices/src/course-data.js';
import { bundleContentPackages, findEntries } from '../../content-packages/build.mjs';

/** The pure parts of the xAPI and cmi5 courses (launch parameters, statements, scoring) and their bundling. */

const defaults = { activityId: COURSE.activityId };
const actor = { name: 'Cadet Ada', mbox: 'mailto:ada@academy.example' };
const registration = '0b7d7a33-8f0c-4a0e-9d52-5a5f0c1d2e3f';

function query(params: Record<string, string>): string {
  return '?' + new URLSearchParams(params).toString();
}

t.test('xAPI launch: the Rustici launch parameters', async (t) => {
  const launch = parseLaunch(query({ endpoint: 'https://lrs.example/xapi', auth: 'Basic YTpi', actor: JSON.stringify(actor), registration, activity_id: 'https://cadet.dev/demo/other' }), defaults);
  t.same(launch, {
    tracked: true,
    endpoint: 'https://lrs.example/xapi/',
    auth: 'Basic YTpi',
    actor: { objectType: 'Agent', name: 'Cadet Ada', mbox: 'mailto:ada@academy.example' },
    registration,
    activityId: 'https://cadet.dev/demo/other',
    problems: [],
  }, 'endpoint gets its trailing slash; activity_id wins over the default');

  const minimal = parseLaunch(query({ endpoint: 'https://lrs.example/xapi/', actor: JSON.stringify(actor) }), defaults);
  t.match(minimal, { tracked: true, auth: undefined, registration: undefined, activityId: COURSE.activityId }, 'auth, registration and activity_id are optional');

  t.match(parseLaunch('', defaults), { tracked: false, problems: ['no endpoint', 'no actor'] }, 'opened without parameters: a preview');
  t.match(parseLaunch(query({ endpoint: 'ftp://x', actor: '{' }), defaults), { tracked: false, problems: ['endpoint is not http(s)', 'actor is not JSON'] });
  t.match(parseLaunch(query({ endpoint: 'nope', actor: '{}' }), defaults), { tracked: false, problems: ['endpoint is not a URL', 'actor has no identifier'] });
  t.match(parseLaunch(query({ endpoint: 'https://lrs.example/', actor: JSON.stringify(actor), registration: 'not-a-uuid' }), defaults), { tracked: false, problems: ['registration is not a UUID'] });
  t.equal(parseLaunch(query({ endpoint: 'https://lrs.example/', actor: JSON.stringify(actor), registration: registration.toUpperCase() }), defaults).registration, registration, 'registration lower-cased');
});

t.test('xAPI launch: actors in the TinCan 0.95 shape are normalised', async (t) => {
  t.same(normalizeActor({ name: ['Ada'], mbox: ['mailto:ada@academy.example'] }), { objectType: 'Agent', name: 'Ada', mbox: 'mailto:ada@academy.example' });
  t.same(normalizeActor({ mbox: 'ada@academy.example' }), { objectType: 'Agent', mbox: 'mailto:ada@academy.example' }, 'mailto: added');
  t.same(normalizeActor({ account: [{ accountServiceHomePage: 'https://academy.example', accountName: 'u-42' }] }), { objectType: 'Agent', account: { homePage: 'https://academy.example', name: 'u-42' } });
  t.same(normalizeActor({ objectType: 'Agent', account: { homePage: 'https://academy.example', name: 'u-42' } }), { objectType: 'Agent', account: { homePage: 'https://academy.example', name: 'u-42' } });
  t.same(normalizeActor({ openid: 'https://id.example/ada' }), { objectType: 'Agent', openid: 'https://id.example/ada' });
  t.same(normalizeActor({ mbox_sha1sum: 'abc' }), { objectType: 'Agent', mbox_sha1sum: 'abc' });
  t.equal(normalizeActor({ account: { homePage: 'x' } }), undefined);
  t.equal(normalizeActor(null), undefined);
  t.equal(normalizeActor('ada'), undefined);
});

t.test('xAPI statements', async (t) => {
  const launch = parseLaunch(query({ endpoint: 'https://lrs.example/', actor: JSON.stringify(actor), registration }), defaults);
  const now = new Date('2025-01-02T03:04:05.000Z');
  t.equal(statements.isoDuration(64250), 'PT1M4.25S');
  t.equal(statements.isoDuration(3_600_000 + 5000), 'PT1H5S');
  t.equal(statements.isoDuration(-5), 'PT0S');

  const init = statements.initialized(launch, COURSE, now);
  t.match(init, { actor: { mbox: actor.mbox }, verb: { id: 'http://adlnet.gov/expapi/verbs/initialized' }, object: { id: COURSE.activityId }, context: { registration }, timestamp: now.toISOString() });

  const page = statements.experienced(launch, COURSE, { id: 'welcome', title: 'Welcome' }, now);
  t.match(page, { object: { id: `${COURSE.activityId}/pages/welcome` }, context: { registration, contextActivities: { parent: [{ id: COURSE.activityId }] } } });

  const q = QUESTIONS[0];
  const answer = statements.answered(launch, COURSE, q, { response: 'isolate', success: true, durationMs: 1500 }, now);
  t.match(answer, {
    verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
    object: { id: `${COURSE.activityId}/quiz/${q.id}`, definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction', interactionType: 'choice', correctResponsesPattern: ['isolate'] } },
    result: { response: 'isolate', success: true, duration: 'PT1.5S' },
    context: { contextActivities: { parent: [{ id: `${COURSE.activityId}/quiz` }], grouping: [{ id: COURSE.activityId }] } },
  });
  t.equal(answer.object.definition.choices.length, 4);
  const matching = statements.interactionDefinition(QUESTIONS.find((x) => x.type === 'matching'));
  t.equal(matching.source.length, 3);
  t.equal(matching.target.length, 3);

  t.match(statements.judged(launch, COURSE, { raw: 4, min: 0, max: 5 }, 0.8, 1000, now), { verb: { id: 'http://adlnet.gov/expapi/verbs/passed' }, result: { score: { scaled: 0.8, raw: 4, min: 0, max: 5 }, success: true } });
  t.match(statements.judged(launch, COURSE, { raw: 3, min: 0, max: 5 }, 0.8, 1000, now), { verb: { id: 'http://adlnet.gov/expapi/verbs/failed' }, result: { score: { scaled: 0.6 }, success: false } });
  t.match(statements.completed(launch, COURSE, 1000, now), { result: { completion: true, duration: 'PT1S' } });
  t.match(statements.terminated(launch, COURSE, 1000, now), { verb: { id: 'http://adlnet.gov/expapi/verbs/terminated' } });
  const unregistered = statements.initialized(parseLaunch(query({ endpoint: 'https://lrs.example/', actor: JSON.stringify(actor) }), defaults), COURSE, now);
  t.notOk('context' in unregistered, 'no registration, no empty context');
});

t.test('xAPI course: answers are judged against the correct response patterns', async (t) => {
  const byId = Object.fromEntries(QUESTIONS.map((q) => [q.id, q]));
  t.ok(statements.isCorrect(byId['q3-volatile-memory'], ' ram '), 'fill-in: case and spaces do not matter');
  t.ok(statements.isCorrect(byId['q3-volatile-memory'], 'Random Access Memory'), 'fill-in: any of the patterns');
  t.notOk(statements.isCorrect(byId['q3-volatile-memory'], 'disk'));
  t.ok(statements.isCorrect(byId['q5-device-handling'], 'hard-drive[.]anti-static[,]phone[.]faraday[,]laptop-off[.]leave-off'), 'matching: pair order does not matter');
  t.notOk(statements.isCorrect(byId['q4-first-response-order'], 'record[,]secure[,]package[,]hand-over'), 'sequencing: order matters');
  t.ok(statements.isCorrect(byId['q2-restart-computer'], 'false'));
});

t.test('cmi5 launch: what makes a launch', async (t) => {
  const ok = { endpoint: 'https://lms.example/xapi/', fetch: 'https://lms.example/fetch/abc', actor: JSON.stringify({ account: { homePage: 'https://lms.example', name: 'u-1' } }), registration, activityId: 'https://cadet.dev/demo/cmi5-interpol-notices/au/test' };
  t.same(launchProblems(query(ok)), []);
  t.same(launchProblems(''), ['no endpoint', 'no fetch', 'no actor', 'no registration', 'no activityId']);
  t.same(launchProblems(query({ ...ok, actor: '{"name":"x"}' })), ['actor has no identifier']);
  t.same(launchProblems(query({ ...ok, actor: 'x' })), ['actor is not JSON']);
  t.same(launchProblems(query({ ...ok, fetch: 'javascript:alert(1)' })), ['fetch is not http(s)']);
  t.same(launchProblems(query({ ...ok, endpoint: 'relative/path' })), ['endpoint is not a URL']);
});

t.test('cmi5 test AU: judged against LaunchData.masteryScore', async (t) => {
  const normal = { launchMode: 'Normal', masteryScore: 0.8 };
  t.same(judgeTest({ correct: 4, total: 5, launchData: normal, ownPassMark: 0.8 }), { score: { scaled: 0.8, raw: 4, min: 0, max: 5 }, mastery: 0.8, verb: 'passed' });
  t.equal(judgeTest({ correct: 3, total: 5, launchData: normal, ownPassMark: 0.8 }).verb, 'failed');
  t.equal(judgeTest({ correct: 3, total: 5, launchData: { launchMode: 'Normal', masteryScore: 0.6 }, ownPassMark: 0.8 }).verb, 'passed', 'the LMS masteryScore wins');
  t.equal(judgeTest({ correct: 4, total: 5, launchData: { launchMode: 'Normal' }, ownPassMark: 0.9 }).verb, 'failed', 'without one, the AU pass mark');
  t.equal(judgeTest({ correct: 5, total: 5, launchData: { launchMode: 'Browse', masteryScore: 0.8 }, ownPassMark: 0.8 }).verb, null, 'no passed/failed in Browse mode');
  t.equal(judgeTest({ correct: 5, total: 5, launchData: { launchMode: 'Review' }, ownPassMark: 0.8 }).verb, null, 'nor in Review mode');
});

t.test('cmi5 answers and the keepalive terminated statement', async (t) => {
  const byId = Object.fromEntries(CMI5_QUESTIONS.map((q) => [q.id, q]));
  t.ok(isRight(byId['q1-missing-child'], ['yellow']));
  t.notOk(isRight(byId['q1-missing-child'], ['red']));
  t.ok(isRight(byId['q2-red-notice-warrant'], false));
  t.ok(isRight(byId['q4-point-of-contact'], [' Bureau ']));
  t.ok(isRight(byId['q3-notice-purposes'], { black: 'unidentified-bodies', purple: 'modus-operandi', orange: 'imminent-threat' }));
  t.notOk(isRight(byId['q3-notice-purposes'], { black: 'modus-operandi', purple: 'unidentified-bodies', orange: 'imminent-threat' }));

  const contextTemplate = { contextActivities: { grouping: [{ id: 'https://cadet.dev/demo/cmi5-interpol-notices/au/test' }] }, extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': 's-1' } };
  const statement = terminatedStatement({
    id: 'f1b9c7e2-3c1d-4c55-9a55-0b0a7c1d2e3f',
    launchParameters: { endpoint: 'https://lms.example/xapi/', fetch: '', actor: { account: { homePage: 'https://lms.example', name: 'u-1' } }, registration, activityId: 'https://cadet.dev/demo/cmi5-interpol-notices/au/test' },
    launchData: { contextTemplate, launchMode: 'Normal', moveOn: 'Passed' },
    initializedDate: new Date('2025-01-01T10:00:00Z'),
    now: new Date('2025-01-01T10:02:03.5Z'),
  });
  t.same(statement.context, {
    contextActivities: { grouping: contextTemplate.contextActivities.grouping, category: [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }] },
    extensions: contextTemplate.extensions,
    registration,
  }, 'the context template, the registration and the cmi5 category (cmi5 9.6.2.1, 9.6.3.1)');
  t.match(statement, { verb: { id: 'http://adlnet.gov/expapi/verbs/terminated' }, object: { id: 'https://cadet.dev/demo/cmi5-interpol-notices/au/test' }, result: { duration: 'PT2M3.5S' }, timestamp: '2025-01-01T10:02:03.500Z' });
  t.same(contextTemplate.contextActivities, { grouping: [{ id: 'https://cadet.dev/demo/cmi5-interpol-notices/au/test' }] }, 'the template is not modified');
});

t.test('build.mjs bundles every entry into an IIFE', async (t) => {
  t.same(findEntries().map((e) => `${e.pkg}/${e.outfile}`), [
    'cmi5-interpol-notices/js/lesson.bundle.js',
    'cmi5-interpol-notices/js/test.bundle.js',
    'xapi-cybercrime-response/js/course.bundle.js',
  ]);
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cadet-bundles-'));
  t.teardown(() => fs.rmSync(outRoot, { recursive: true, force: true }));
  const results = await bundleContentPackages({ outRoot });
  for (const r of results) {
    const code = fs.readFileSync(r.path, 'utf8');
    t.ok(r.path.startsWith(outRoot), `${r.pkg}/${r.outfile} written to the chosen folder`);
    t.ok(r.bytes > 10_000 && r.bytes < 400_000, `${r.pkg}/${r.outfile} is ${r.bytes} bytes`);
    t.match(code, /^[\s\S]*\(\(\)=>\{/, 'an IIFE');
    t.notMatch(code, /\bimport\s*\(|^import |\brequire\(["']/m, 'no module loading left');
  }
});
