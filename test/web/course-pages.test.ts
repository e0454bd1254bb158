import fs from 'node:fs';
import t from 'tap';
import { createCatalogService } from '../../src/packages/index.js';
import { localized, localizedTitle } from '../../src/web/pages/language-map.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp, sessionCookieOf, type SignedIn, type TestApp } from '../fixtures/test-app.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A browser-like visitor: keeps the session cookie, reads the CSRF token from each page. */
function visitor(lrs: TestApp, session: SignedIn | null = null) {
  let cookie = session?.cookie ?? '';
  let csrf = '';
  const remember = (res: { body: string } & Parameters<typeof sessionCookieOf>[0]) => {
    cookie = sessionCookieOf(res) ?? cookie;
    csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? csrf;
    return res;
  };
  return {
    get: async (url: string) => remember(await lrs.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })),
    post: async (url: string, fields: Record<string, string> = {}, options: { csrf?: boolean } = {}) =>
      remember(
        await lrs.app.inject({
          method: 'POST',
          url,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: form({ ...(options.csrf !== false && { _csrf: csrf }), ...fields }),
        }),
      ),
  };
}

/** Every input, select and textarea that is not hidden has a label pointing at it. */
function unlabelled(html: string): string[] {
  const ids = [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)]
    .filter(([, , attrs]) => !/type="hidden"/.test(attrs))
    .map(([, tag, attrs]) => /\bid="([^"]+)"/.exec(attrs)?.[1] ?? `${tag} without id`);
  return ids.filter((id) => !html.includes(`for="${id}"`));
}

async function importCourse(lrs: TestApp, parts: string[], slug?: string) {
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const outcome = await catalog.importPackage({ zipPath: sharedFixture(...parts) }, slug ? { slug } : {});
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome;
}

function multipartBody(file: { name: string; path: string }) {
  const boundary = 'cadet-course-pages';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/zip\r\n\r\n`),
    fs.readFileSync(file.path),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const errorCode = (body: string) => /data-error="([\w-]+)"/.exec(body)?.[1];

t.test('language maps in the reader\'s language', async (t) => {
  t.same(localized({ en: 'Hello', 'fr-FR': 'Bonjour' }, 'fr'), { text: 'Bonjour', lang: null }, 'a variant of the language');
  t.same(localized({ 'en-US': 'Hello', fr: 'Bonjour' }, 'en'), { text: 'Hello', lang: null });
  t.same(localized({ de: 'Hallo', und: 'Hi' }, 'en'), { text: 'Hi', lang: null }, 'undetermined before another language');
  t.same(localized({ de: 'Hallo', 'en-GB': 'Hello' }, 'es'), { text: 'Hello', lang: 'en-GB' }, 'English next, marked with its tag');
  t.same(localized({ de: 'Hallo' }, 'en'), { text: 'Hallo', lang: 'de' }, 'else the first, marked');
  t.equal(localized({ en: '  ' }, 'en'), null, 'blank values do not count');
  t.equal(localized(undefined, 'en'), null);
  t.same(localizedTitle({}, 'en', 'golf'), { text: 'golf', lang: null });
});

t.test('learners: catalog, course page, launch through the form', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  await importCourse(lrs, ['scorm12', 'singlescobasic.zip'], 'golf-basics');
  const geology = await importCourse(lrs, ['cmi5', 'masteryscore_framed_xml_and_index_only.zip'], 'geology');
  const multi = await importCourse(lrs, ['scorm12', 'multisco_w_status_w_raw_score.zip'], 'golf-multi');
  const learner = visitor(lrs, await lrs.signIn(await lrs.addUser([{ role: 'learner' }])));
  const contentOrigin = new URL(lrs.config.contentUrl).origin;

  const catalog = await learner.get('/courses');
  t.equal(catalog.statusCode, 200);
  t.match(catalog.body, '<h1>Courses</h1>');
  t.match(catalog.body, /<a id="t-golf-basics" href="\/courses\/golf-basics">Golf Explained - Run-time Basic Calls<\/a> <span class="badge">SCORM 1.2<\/span>/);
  t.match(catalog.body, /href="\/courses\/geology"[^>]*>Introduction to Geology - Framed Style - Mastery Score<\/a> <span class="badge">cmi5<\/span>/);
  t.match(catalog.body, 'This course will introduce you into the basics of geology.', 'the short description');
  t.match(catalog.body, /action="\/courses\/golf-basics\/launch">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button type="submit" aria-describedby="t-golf-basics">Start<\/button>/);
  t.match(catalog.body, /<a href="\/courses" aria-current="page">Courses<\/a>/, 'the navigation shows where we are');
  t.notMatch(catalog.body, 'href="/author/courses"', 'learners have no author link');
  t.same(unlabelled(catalog.body), []);
  t.match(catalog.headers['content-security-policy'], `form-action 'self' ${contentOrigin};`, 'launch forms may be redirected to the content origin');
  t.notMatch(catalog.headers['content-security-policy'], 'script-src', 'no script on the catalog');

  const page = await learner.get('/courses/golf-basics');
  t.equal(page.statusCode, 200);
  t.match(page.body, '<h1>Golf Explained - Run-time Basic Calls</h1>');
  t.match(page.body, /<span class="unit-title" id="u-0">Golf Explained<\/span>/, 'the units are listed');
  t.match(page.body, /<span class="unit-status" data-unit="item_1">/, 'with a place for their status');
  t.match(page.body, /<button type="submit" aria-describedby="launch-hint">Launch<\/button>/);
  t.match(page.body, 'You have not started this course yet.');
  t.notMatch(page.body, 'name="unit"', 'one unit: the Launch button is its button');
  t.same(unlabelled(page.body), []);

  const refused = await learner.post('/courses/golf-basics/launch', {}, { csrf: false });
  t.equal(refused.statusCode, 403, 'a form without its CSRF token is refused');
  t.equal(errorCode(refused.body), 'csrf-check-failed');
  t.match((await learner.get('/courses')).body, /aria-describedby="t-golf-basics">Start</, 'and launched nothing');

  const launched = await learner.post('/courses/golf-basics/launch');
  t.equal(launched.statusCode, 303);
  t.match(launched.headers.location, new RegExp(`^${lrs.config.contentUrl}/player/[^/]+$`), 'to the player on the content origin');
  t.match((await learner.get('/courses')).body, /aria-describedby="t-golf-basics">Continue</, 'the catalog offers to continue');
  t.match((await learner.get('/courses/golf-basics')).body, 'You will continue where you left off.');

  const au = geology.model.units[0].identifier;
  const cmi5 = await learner.post('/courses/geology/launch', { unit: au });
  t.equal(cmi5.statusCode, 303);
  t.ok(String(cmi5.headers.location).startsWith(`${lrs.config.contentUrl}/`), `a cmi5 AU opens on the content origin (${cmi5.headers.location})`);

  const multiPage = await learner.get('/courses/golf-multi');
  const units = multi.model.units.filter((unit) => unit.isVisible);
  t.ok(units.length > 1, 'a course of several units');
  for (const unit of units) t.match(multiPage.body, `<input type="hidden" name="unit" value="${unit.identifier}">`, `${unit.identifier} has its own launch button`);
  const second = await learner.post('/courses/golf-multi/launch', { unit: units[1].identifier });
  t.equal(second.statusCode, 303);
  t.match(second.headers.location, `${lrs.config.contentUrl}/player/`);

  const noUnit = await learner.post('/courses/golf-multi/launch', { unit: 'no-such-unit' });
  t.equal(noUnit.statusCode, 404);
  t.match(noUnit.body, 'This course has no such unit.');
  const noCourse = await learner.get('/courses/no-such-course');
  t.equal(noCourse.statusCode, 404);
  t.match(noCourse.body, 'There is no such course.');

  const api = await lrs.as(await lrs.signIn(await lrs.addUser([{ role: 'learner' }])), { method: 'POST', url: '/api/courses/golf-basics/launch', payload: {} });
  t.equal(api.statusCode, 200, 'the API twin launches the same way');
  t.match(api.json().url, `${lrs.config.contentUrl}/player/`);
});

t.test('authors: versions, retire; what learners then see', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  await importCourse(lrs, ['scorm12', 'singlescobasic.zip'], 'golf-basics');
  await importCourse(lrs, ['cmi5', 'masteryscore_framed_xml_and_index_only.zip'], 'geology');
  const authorSession = await lrs.signIn(await lrs.addUser([{ role: 'author' }]));
  const author = visitor(lrs, authorSession);
  const upload = await lrs.as(authorSession, { method: 'POST', url: '/api/packages', csrf: true, ...multipartBody({ name: 'golf.zip', path: sharedFixture('scorm12', 'singlescobasic.zip') }) });
  t.equal(upload.statusCode, 201, 'a second version through the API');
  t.equal(upload.json().version, 2);

  const page = await author.get('/author/courses');
  t.equal(page.statusCode, 200);
  t.match(page.body, '<h1>Author: courses</h1>');
  t.match(page.body, /<a href="\/author\/courses" aria-current="page">Author<\/a>/);
  t.match(page.body, 'href="/courses"', 'authors take courses too');
  t.match(page.body, /<form id="upload"[^>]*data-csrf="[^"]+"[^>]*data-max-bytes="\d+"/, 'the upload form carries the CSRF token for its script');
  t.match(page.body, /<input id="f-file" name="file" type="file"/);
  t.match(page.body, /<progress id="upload-progress"/);
  t.match(page.body, /<p id="upload-status" class="upload-status" role="status" aria-live="polite">/);
  t.match(page.body, '<noscript>', 'a message without JavaScript');
  t.match(page.body, '<script src="/static/upload.js" defer></script>');
  t.same(unlabelled(page.body), []);
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, "script-src 'self'");
  t.match(csp, "connect-src 'self'");
  t.notMatch(csp, 'unsafe-inline');
  t.notMatch(String((await author.get('/courses')).headers['content-security-policy']), 'script-src', 'only the author page runs a script');

  const golf = /<li class="card" id="course-golf-basics">([\s\S]*?)<\/ul>\s*<\/li>/.exec(page.body)![1];
  t.match(golf, /<strong id="v-golf-basics-2">Version 2<\/strong>\s*<span class="badge">Current<\/span>/);
  t.match(golf, /<strong id="v-golf-basics-1">Version 1<\/strong>\s*<span class="badge">Superseded<\/span>/);
  t.match(golf, /Files: \d+ \([\d.,]+ [kM]B\)/);
  t.match(golf, 'Units: 1');
  t.match(golf, /Warnings: \d+/);
  t.match(golf, /<time datetime="\d{4}-\d\d-\d\dT[^"]+">/);
  t.ok(golf.indexOf('Version 2') < golf.indexOf('Version 1'), 'newest first');
  t.match(golf, 'action="/author/courses/golf-basics/versions/2/retire"');
  t.match(page.body, /<h3><a id="t-geology" href="\/courses\/geology">Introduction to Geology/);

  const noToken = await author.post('/author/courses/golf-basics/versions/2/retire', {}, { csrf: false });
  t.equal(noToken.statusCode, 403);
  t.equal(errorCode(noToken.body), 'csrf-check-failed');

  const retired = await author.post('/author/courses/golf-basics/versions/2/retire');
  t.equal(retired.statusCode, 303);
  t.equal(retired.headers.location, '/author/courses?retired=golf-basics&version=2#course-golf-basics');
  const after = await author.get(retired.headers.location as string);
  t.match(after.body, /<p class="notice" role="status">Version 2 of “Golf Explained - Run-time Basic Calls” is retired/);
  t.match(after.body, /<strong id="v-golf-basics-2">Version 2<\/strong>\s*<span class="badge warn">Retired<\/span>/);
  t.match(after.body, /<strong id="v-golf-basics-1">Version 1<\/strong>\s*<span class="badge">Current<\/span>/, 'the version before is current again');
  t.notMatch(after.body, 'versions/2/retire"', 'a retired version has no Retire button');
  t.notMatch((await author.get('/author/courses?retired=golf-basics&version=1')).body, 'class="notice"', 'no notice for a version that is not retired');

  const missing = await author.post('/author/courses/golf-basics/versions/9/retire');
  t.equal(missing.statusCode, 404);
  t.match(missing.body, /<p class="alert" role="alert">This course has no such version.<\/p>/);
  const badNumber = await author.post('/author/courses/golf-basics/versions/two/retire');
  t.equal(badNumber.statusCode, 400);
  t.match(badNumber.body, 'The version is a whole number, 1 or more.');

  const learnerSession = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  const learner = visitor(lrs, learnerSession);
  await learner.get('/courses/geology');
  t.equal((await learner.post('/courses/geology/launch')).statusCode, 303, 'the learner starts geology');
  t.equal((await author.post('/author/courses/geology/versions/1/retire')).statusCode, 303);
  t.match((await learner.get('/courses')).body, /aria-describedby="t-geology">Continue</, 'an open registration keeps its retired version');
  const other = visitor(lrs, await lrs.signIn(await lrs.addUser([{ role: 'learner' }])));
  const othersCatalog = await other.get('/courses');
  t.notMatch(othersCatalog.body, 'href="/courses/geology"', 'others no longer see a course with no version to launch');
  t.match(othersCatalog.body, 'href="/courses/golf-basics"');
  const unavailable = await other.get('/courses/geology');
  t.equal(unavailable.statusCode, 200);
  t.match(unavailable.body, 'This course has no version available at the moment.');
  t.notMatch(unavailable.body, '/courses/geology/launch');
});

t.test('who may see the course pages', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  await importCourse(lrs, ['scorm12', 'singlescobasic.zip'], 'golf-basics');
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  const analyst = await lrs.signIn(await lrs.addUser([{ role: 'analyst' }]));
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));

  for (const url of ['/author/courses']) {
    const res = await lrs.as(learner, { method: 'GET', url });
    t.equal(res.statusCode, 403, `learner: ${url}`);
    t.equal(errorCode(res.body), 'not-allowed');
  }
  const page = await lrs.as(learner, { method: 'GET', url: '/courses' });
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  const retire = await lrs.as(learner, {
    method: 'POST',
    url: '/author/courses/golf-basics/versions/1/retire',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ _csrf: csrfToken }),
  });
  t.equal(retire.statusCode, 403, 'learners cannot retire');
  t.equal((await lrs.store.catalog.versions((await lrs.store.catalog.courseBySlug('golf-basics'))!.id))[0].retiredMs, null);

  for (const url of ['/courses', '/courses/golf-basics', '/author/courses']) {
    const res = await lrs.as(null, { method: 'GET', url });
    t.equal(res.statusCode, 303, `anonymous: ${url}`);
    t.equal(res.headers.location, `/sign-in?next=${encodeURIComponent(url)}`);
  }
  const anonymousLaunch = await lrs.app.inject({ method: 'POST', url: '/courses/golf-basics/launch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(anonymousLaunch.statusCode, 401);

  const analystNav = (await lrs.as(analyst, { method: 'GET', url: '/account' })).body;
  t.match(analystNav, 'href="/courses"', 'every role takes courses');
  t.notMatch(analystNav, 'href="/author/courses"');
  t.equal((await lrs.as(analyst, { method: 'GET', url: '/author/courses' })).statusCode, 403);
  const adminPage = await lrs.as(admin, { method: 'GET', url: '/author/courses' });
  t.equal(adminPage.statusCode, 200, 'admins manage courses');
  t.match(adminPage.body, 'href="/author/courses"');

  const script = await lrs.app.inject({ method: 'GET', url: '/static/upload.js' });
  t.equal(script.statusCode, 200);
  t.match(script.headers['content-type'], /^text\/javascript/);
  t.match(script.body, "setRequestHeader('X-CSRF-Token'");
});
