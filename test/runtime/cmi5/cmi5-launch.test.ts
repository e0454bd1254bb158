import t from 'tap';
import type { LaunchableUnit } from '../../../src/packages/index.js';
import {
  buildLaunchData,
  buildLaunchUrl,
  buildLearnerPreferences,
  CMI5_CONTEXT_EXTENSION,
  cmi5ActivityIds,
  findLaunchParameterCollisions,
  resolveAuUrl,
  type Cmi5LaunchUrlInput,
} from '../../../src/runtime/cmi5/index.js';
import { LMS_COURSE_ID, learner, loadCourse, prePostTest, REGISTRATION, unitById } from './helpers.js';

const ids = cmi5ActivityIds(LMS_COURSE_ID);
const launchInput = (unit: LaunchableUnit): Cmi5LaunchUrlInput => ({
  endpoint: 'https://lms.academy.example/xapi/',
  fetchUrl: 'https://lms.academy.example/cmi5/fetch?k=2390289x0&s=1',
  actor: learner,
  registration: REGISTRATION,
  activityId: ids.au(unit.identifier),
  contentBaseUrl: 'https://content.academy.example/v/42',
});

const au = (overrides: Partial<LaunchableUnit> = {}): LaunchableUnit => ({
  identifier: 'https://publisher.example/aus/intro',
  title: { 'en-US': 'Intro' },
  launchUrl: 'index.html',
  external: false,
  isVisible: true,
  cmi5: { moveOn: 'Completed', launchMethod: 'AnyWindow' },
  ...overrides,
});

t.test('8.1.0.0-4, 8.1.0.0-5: the launch URL is the AU URL plus the five launch parameters', async (t) => {
  const unit = au();
  const url = new URL(buildLaunchUrl(unit, launchInput(unit)));
  t.equal(url.origin + url.pathname, 'https://content.academy.example/v/42/index.html', 'relative to the package base (a base without a trailing slash is a folder)');
  t.same([...url.searchParams.keys()], ['endpoint', 'fetch', 'actor', 'registration', 'activityId']);
  t.equal(url.searchParams.get('endpoint'), 'https://lms.academy.example/xapi/', '8.1.1.0-1');
  t.equal(url.searchParams.get('fetch'), 'https://lms.academy.example/cmi5/fetch?k=2390289x0&s=1', '8.1.2.0-1: the fetch URL survives with its own query');
  t.same(JSON.parse(url.searchParams.get('actor')!), learner, '8.1.3.0-1: the actor is JSON');
  t.equal(url.searchParams.get('registration'), REGISTRATION, '8.1.4.0-1');
  t.equal(url.searchParams.get('activityId'), ids.au(unit.identifier), '8.1.5.0-2');
});

t.test('8.1.0.0-8: every value is URL-encoded (no raw &, =, space, braces or quotes)', async (t) => {
  const unit = au();
  const href = buildLaunchUrl(unit, { ...launchInput(unit), actor: { ...learner, name: 'Zoë & Ana = "x" +1' } });
  const query = href.split('?')[1]!;
  t.equal(query.split('&').length, 5, 'exactly five name=value pairs');
  t.notMatch(query, /[ {}"]/);
  for (const pair of query.split('&')) t.equal(pair.split('=').length, 2, `${pair.split('=')[0]} has one "="`);
  t.equal(JSON.parse(decodeURIComponent(query.split('&')[2]!.split('=')[1]!)).name, 'Zoë & Ana = "x" +1', 'decodeURIComponent gives the value back');
  t.equal(JSON.parse(new URL(href).searchParams.get('actor')!).name, 'Zoë & Ana = "x" +1', 'and so does URLSearchParams (spaces are %20, not +)');
});

t.test('8.1.0.0-5: a URL with its own query gets "&" (CATAPULT index.html?pages=1)', async (t) => {
  const course = await prePostTest();
  const content = unitById(course, 'block1/content');
  t.equal(content.launchUrl, 'index.html?pages=1');
  const href = buildLaunchUrl(content, launchInput(content));
  t.match(href, /^https:\/\/content\.academy\.example\/v\/42\/index\.html\?pages=1&endpoint=/);
  const url = new URL(href);
  t.equal(url.searchParams.get('pages'), '1', 'the AU keeps its own parameter');
  t.equal(url.searchParams.getAll('endpoint').length, 1);
  t.equal(resolveAuUrl(content, 'https://content.academy.example/v/42/'), 'https://content.academy.example/v/42/index.html?pages=1', '9.6.3.4-1: the launchurl keeps the AU query, without the launch parameters');
});

t.test('8.1.0.0-5: parameters go before a fragment; an empty query does not double "?"', async (t) => {
  const withFragment = au({ launchUrl: 'player.html?lang=fr#start' });
  const href = buildLaunchUrl(withFragment, launchInput(withFragment));
  t.match(href, /player\.html\?lang=fr&endpoint=.*&activityId=[^#]*#start$/);
  const emptyQuery = au({ launchUrl: 'player.html?' });
  t.match(buildLaunchUrl(emptyQuery, launchInput(emptyQuery)), /player\.html\?endpoint=/);
});

t.test('8.1.0.0-8: package paths are percent-encoded per segment; external AUs are used as they are', async (t) => {
  const plain = au({ launchUrl: 'module 1/leçon 2.html' });
  t.equal(resolveAuUrl(plain, 'https://content.academy.example/v/42/'), 'https://content.academy.example/v/42/module%201/le%C3%A7on%202.html');
  t.equal(resolveAuUrl(au({ launchUrl: '/index.html' }), 'https://content.academy.example/v/42/'), 'https://content.academy.example/v/42/index.html', 'never above the package base');
  const colon = au({ launchUrl: 'a:b/index.html' });
  t.equal(resolveAuUrl(colon, 'https://content.academy.example/v/42/'), 'https://content.academy.example/v/42/a%3Ab/index.html', 'a colon in the first segment is not a scheme');
  const external = au({ launchUrl: 'https://cdn.publisher.example/aus/intro/index.html?v=3', external: true });
  const url = new URL(buildLaunchUrl(external, launchInput(external)));
  t.equal(url.origin + url.pathname, 'https://cdn.publisher.example/aus/intro/index.html');
  t.equal(url.searchParams.get('v'), '3');
});

t.test('10.2.3.0-1: launchParameters are not in the URL', async (t) => {
  const unit = au({ launchParameters: 'mode=1', cmi5: { moveOn: 'Completed', launchMethod: 'AnyWindow', launchParameters: 'mode=1' } });
  const href = buildLaunchUrl(unit, launchInput(unit));
  t.notMatch(href, /mode/);
});

t.test('8.1.0.0-6 (d): query names that collide with launch parameters are found and refused', async (t) => {
  t.same(findLaunchParameterCollisions('index.html?pages=1'), []);
  t.same(findLaunchParameterCollisions('index.html?endpoint=x&actor=y#registration=z'), ['endpoint', 'actor']);
  t.same(findLaunchParameterCollisions('https://x.example/a?activityId=1&fetch'), ['fetch', 'activityId']);
  const unit = au({ launchUrl: 'index.html?registration=1' });
  t.throws(() => buildLaunchUrl(unit, launchInput(unit)), /registration.*8\.1\.0\.0-6/);
});

t.test('8.1.5.0-1, 8.1.5.0-3, 8.1.5.0-4: LMS activity ids are generated, stable and never the publisher id', async (t) => {
  const course = await prePostTest();
  const again = cmi5ActivityIds(`${LMS_COURSE_ID}/`);
  const auIds = course.units.map((u) => ids.au(u.identifier));
  t.equal(new Set(auIds).size, 6, 'unique per AU');
  for (const [i, unit] of course.units.entries()) {
    t.not(auIds[i], unit.identifier);
    t.equal(again.au(unit.identifier), auIds[i], 'the same on every launch and registration');
    t.equal(decodeURIComponent(auIds[i]!.slice(`${LMS_COURSE_ID}/au/`.length)), unit.identifier, 'reversible');
  }
  const block = course.organizations[0]!.items[0]!;
  t.equal(ids.block(block.identifier), `${LMS_COURSE_ID}/block/${encodeURIComponent(block.identifier)}`, '9.3.9.0-3, 9.3.9.0-4');
  t.equal(ids.course, LMS_COURSE_ID, '9.3.9.0-7');
  t.throws(() => cmi5ActivityIds('courses/x'), /not an IRI/);
  const unit = course.units[0]!;
  t.throws(() => buildLaunchUrl(unit, { ...launchInput(unit), activityId: unit.identifier }), /8\.1\.5\.0-3/);
});

t.test('10.2.1.0-1..3, 10.2.2.0-4, 10.2.5.0-1: LMS.LaunchData has the context template, launchMode and moveOn', async (t) => {
  const course = await prePostTest();
  const pre = unitById(course, 'block1/pre');
  const data = buildLaunchData(pre, { sessionId: 'session-1', launchMode: 'Normal' });
  t.same(data, {
    contextTemplate: {
      contextActivities: { grouping: [{ id: pre.identifier }] },
      extensions: { [CMI5_CONTEXT_EXTENSION.sessionId]: 'session-1' },
    },
    launchMode: 'Normal',
    moveOn: 'Passed',
  }, 'nothing optional when the course structure has none of it');
  t.equal(data.contextTemplate.contextActivities?.grouping && (data.contextTemplate.contextActivities.grouping as { id: string }[])[0]!.id, pre.identifier, '9.6.2.3-1: the unaltered publisher id');
});

t.test('10.2.3.0-1, 10.2.4.0-1, 10.2.6, 10.2.7.0-1: optional launch data from the course structure and the LMS', async (t) => {
  const spec = await loadCourse('aicc-spec-examples/complex-cmi5.xml');
  const first = spec.units[0]!;
  const data = buildLaunchData(first, { sessionId: 's', launchMode: 'Review', returnUrl: 'https://lms.academy.example/courses/geology?from=au', entitlementKeyAlternate: 'abc-456' });
  t.equal(data.launchParameters, "{'initialSpeed':3.0,'mode':1}", '10.2.3.0-1');
  t.equal(data.masteryScore, 1, '10.2.4.0-1');
  t.equal(data.moveOn, 'CompletedOrPassed');
  t.equal(data.launchMode, 'Review');
  t.equal(data.returnURL, 'https://lms.academy.example/courses/geology?from=au', '10.2.6: returnURL, not URL-encoded');
  t.same(data.entitlementKey, { courseStructure: '833d0c7c-a3f8-4f9b-a51f-cbd8a9dac9fb', alternate: 'abc-456' }, '10.2.7.1-1, 10.2.7.2-1');

  const overridden = buildLaunchData(first, { sessionId: 's', launchMode: 'Normal', masteryScore: 0.8, moveOn: 'Passed', launchParameters: 'x=1' });
  t.match(overridden, { masteryScore: 0.8, moveOn: 'Passed', launchParameters: 'x=1' }, 'the LMS MAY override them (10.2.3-10.2.5)');
  t.throws(() => buildLaunchData(first, { sessionId: 's', launchMode: 'Normal', masteryScore: 1.5 }), RangeError);
  t.throws(() => buildLaunchData({ ...first, cmi5: undefined } as LaunchableUnit, { sessionId: 's', launchMode: 'Normal' }), /not a cmi5 AU/);
});

t.test('10.2.1: additions to the context template never override the session id or publisher grouping', async (t) => {
  const unit = au();
  const data = buildLaunchData(unit, {
    sessionId: 'real',
    launchMode: 'Normal',
    contextTemplateAdditions: {
      language: 'fr-FR',
      contextActivities: { grouping: [{ id: 'https://lms.academy.example/programmes/p1' }], parent: { id: 'https://lms.academy.example/courses/x' } },
      extensions: { [CMI5_CONTEXT_EXTENSION.sessionId]: 'forged', 'https://lms.academy.example/ext/cohort': 'c-7' },
    },
  });
  t.same(data.contextTemplate, {
    language: 'fr-FR',
    contextActivities: {
      grouping: [{ id: unit.identifier }, { id: 'https://lms.academy.example/programmes/p1' }],
      parent: [{ id: 'https://lms.academy.example/courses/x' }],
    },
    extensions: { 'https://lms.academy.example/ext/cohort': 'c-7', [CMI5_CONTEXT_EXTENSION.sessionId]: 'real' },
  });
});

t.test('11.0.0.0-5, 11.1.0.0-1, 11.1.0.0-2: learner preferences document', async (t) => {
  t.same(buildLearnerPreferences(['en-US', 'fr-FR', 'fr-BE'], 'off'), { languagePreference: 'en-US,fr-FR,fr-BE', audioPreference: 'off' }, 'in order of preference');
  t.same(buildLearnerPreferences([' fr ', 'FR', 'not a tag', 'ar']), { languagePreference: 'fr,ar', audioPreference: 'on' }, 'trimmed, deduplicated, invalid tags dropped, audio on by default');
  t.same(buildLearnerPreferences([]), { languagePreference: 'und', audioPreference: 'on' }, 'both properties even with no known language');
});
