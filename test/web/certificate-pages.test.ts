import t from 'tap';
import { createCatalogService } from '../../src/packages/index.js';
import { newCertificateNumber } from '../../src/records/certificates/index.js';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp, sessionCookieOf, type SignedIn, type TestApp } from '../fixtures/test-app.js';
import { commit, launch } from '../records/fixtures.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A browser-like visitor: keeps the session cookie, reads the CSRF token from each page it gets. */
function visitor(lrs: TestApp, session: SignedIn | null = null) {
  let cookie = session?.cookie ?? '';
  let csrf = '';
  const remember = <R extends Parameters<typeof sessionCookieOf>[0] & { body: string }>(res: R) => {
    cookie = sessionCookieOf(res) ?? cookie;
    csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1] ?? csrf;
    return res;
  };
  return {
    get: async (url: string) => remember(await lrs.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })),
    post: async (url: string, fields: Record<string, string>, withCsrf = true) =>
      remember(await lrs.app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...(withCsrf && { _csrf: csrf }), ...fields }) })),
  };
}

/** The one-SCO course, passed through the real runtime path: the commit that passes it issues the certificate. */
async function earnCertificate(lrs: TestApp, learner: SignedIn, userId: string): Promise<string> {
  const launched = await launch(lrs, learner, 'golf-basics');
  await commit(lrs, launched.token, { lesson_status: 'passed', session_time: '00:05:00', score: { raw: '90', min: '0', max: '100' } }, 1, true);
  const [certificate] = await lrs.store.certificates!.ofUser(userId);
  if (!certificate) throw new Error('no certificate issued');
  return certificate.number;
}

/** Every input, select and textarea that is not hidden has a label pointing at it. */
const unlabelled = (html: string) =>
  [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)]
    .filter(([, , attrs]) => !/type="hidden"/.test(attrs!))
    .map(([, tag, attrs]) => /\bid="([^"]+)"/.exec(attrs!)?.[1] ?? `${tag} without id`)
    .filter((id) => !html.includes(`for="${id}"`));

t.test('certificate pages: the learner\'s list, the admins\' revocation, the public verification', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const catalog = createCatalogService({ catalog: lrs.store.catalog, files: lrs.store.packageFiles, publicUrl: lrs.config.publicUrl });
  const imported = await catalog.importPackage({ zipPath: sharedFixture('scorm12', 'singlescobasic.zip') }, { slug: 'golf-basics' });
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));

  const alice = await lrs.addUser([{ role: 'learner' }], { name: 'Алиса Петрова', country: 'UA' });
  const bob = await lrs.addUser([{ role: 'learner' }], { name: 'Bob Becker', country: 'DE' });
  const aliceIn = await lrs.signIn(alice);
  const bobIn = await lrs.signIn(bob);
  const analyst = await lrs.signIn(await lrs.addUser([{ role: 'analyst' }]));
  const adminIn = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));
  const aliceNumber = await earnCertificate(lrs, aliceIn, alice.user.id);
  const bobNumber = await earnCertificate(lrs, bobIn, bob.user.id);
  // Well formed (its check symbol right), but never issued.
  const unknownNumber = newCertificateNumber(Date.now());

  t.test('the navigation links to the certificate pages by role', async (t) => {
    const learnerPage = await lrs.as(aliceIn, { method: 'GET', url: '/account' });
    t.match(learnerPage.body, /<a href="\/certificates">My certificates<\/a>/, 'a signed-in learner has "My certificates"');
    t.notMatch(learnerPage.body, 'href="/admin/certificates"', 'but not the admins\' page');
    const adminPage = await lrs.as(adminIn, { method: 'GET', url: '/account' });
    t.match(adminPage.body, /<a href="\/admin\/certificates">Certificates<\/a>/);
    const anonymous = await lrs.app.inject({ method: 'GET', url: '/sign-in' });
    t.notMatch(anonymous.body, 'href="/certificates"', 'nobody signed in: no link');
    const current = await lrs.as(aliceIn, { method: 'GET', url: '/certificates' });
    t.match(current.body, /<a href="\/certificates" aria-current="page">/, 'marked as the current page');
  });

  t.test('"My certificates" lists the learner\'s own, with number, course, date, status, PDF and verification links', async (t) => {
    const page = await lrs.as(aliceIn, { method: 'GET', url: '/certificates' });
    t.equal(page.statusCode, 200);
    t.match(page.body, /<html lang="en" dir="ltr">/);
    t.match(page.body, '<h1>My certificates</h1>');
    t.match(page.body, `data-number="${aliceNumber}"`);
    t.match(page.body, `<code>${aliceNumber}</code>`);
    t.match(page.body, imported.course.title.en ?? Object.values(imported.course.title)[0]!);
    t.match(page.body, new RegExp(`<time datetime="${new Date().toISOString().slice(0, 10)}">`), 'the issue date');
    t.match(page.body, '90 %', 'the score');
    t.match(page.body, /<span class="badge ok">Valid<\/span>/);
    t.match(page.body, `href="/api/certificates/${aliceNumber}.pdf"`);
    t.match(page.body, `href="/verify/${aliceNumber}"`);
    t.notMatch(page.body, bobNumber, 'another learner\'s certificate is not listed');
    t.match((await lrs.as(bobIn, { method: 'GET', url: '/certificates' })).body, bobNumber);
    t.notMatch((await lrs.as(bobIn, { method: 'GET', url: '/certificates' })).body, aliceNumber);
    const pdf = await lrs.as(aliceIn, { method: 'GET', url: `/api/certificates/${aliceNumber}.pdf` });
    t.equal(pdf.statusCode, 200, 'the PDF link works for its owner');
    t.equal((await lrs.as(aliceIn, { method: 'GET', url: `/api/certificates/${bobNumber}.pdf` })).statusCode, 403, 'not for someone else\'s');
    const none = await lrs.as(analyst, { method: 'GET', url: '/certificates' });
    t.equal(none.statusCode, 200);
    t.match(none.body, 'No certificate yet');
  });

  t.test('the public verification page: valid, minimal personal data', async (t) => {
    const page = await lrs.app.inject({ method: 'GET', url: `/verify/${aliceNumber}` });
    t.equal(page.statusCode, 200);
    t.match(page.body, 'data-status="valid"');
    t.match(page.body, 'Алиса Петрова');
    t.notMatch(page.body, alice.email, 'no e-mail address');
    t.notMatch(page.body, 'Ukraine', 'no country');
    t.notMatch(page.body, '90', 'no score');
    t.notMatch(page.body, 'Revoke', 'no revoke link for a visitor');
    t.match((await lrs.as(adminIn, { method: 'GET', url: `/verify/${aliceNumber}` })).body, `href="/admin/certificates?number=${aliceNumber}"`, 'an admin gets a link to revoke it');
    t.equal((await lrs.app.inject({ method: 'GET', url: `/verify/${unknownNumber}` })).statusCode, 404, 'an unknown number');
  });

  t.test('only admins revoke', async (t) => {
    for (const [who, session] of [['a learner, of their own certificate', aliceIn], ['an analyst', analyst]] as const) {
      const v = visitor(lrs, session);
      await v.get('/certificates');
      t.equal((await v.get('/admin/certificates')).statusCode, 403, `${who}: no page`);
      const posted = await v.post(`/admin/certificates/${aliceNumber}/revoke`, { reason: 'trying' });
      t.equal(posted.statusCode, 403, `${who}: 403`);
      t.match(posted.body, 'Your roles do not allow this.');
    }
    t.equal((await lrs.app.inject({ method: 'POST', url: `/admin/certificates/${aliceNumber}/revoke`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'reason=x' })).statusCode, 401, 'nobody signed in: 401');
    const admin = visitor(lrs, adminIn);
    await admin.get('/admin/certificates');
    t.equal((await admin.post(`/admin/certificates/${aliceNumber}/revoke`, { reason: 'no token' }, false)).statusCode, 403, 'an admin\'s form without its CSRF token is refused');
    t.equal((await lrs.store.certificates!.get(aliceNumber))!.revocation, null, 'still valid');
  });

  t.test('a revocation needs a reason: 400, naming the field', async (t) => {
    const admin = visitor(lrs, adminIn);
    const page = await admin.get(`/admin/certificates?number=${aliceNumber.toLowerCase()}`);
    t.equal(page.statusCode, 200);
    t.match(page.body, 'data-status="valid"');
    t.match(page.body, `action="/admin/certificates/${aliceNumber}/revoke"`);
    t.match(page.body, /<textarea id="f-reason" name="reason"[^>]* required/);
    t.same(unlabelled(page.body), [], 'every control labelled');
    for (const fields of [{ reason: '' }, { reason: '   \n ' }, {}]) {
      const res = await admin.post(`/admin/certificates/${aliceNumber}/revoke`, fields);
      t.equal(res.statusCode, 400, `reason ${JSON.stringify(fields)}`);
      t.match(res.body, /<textarea id="f-reason"[^>]*aria-invalid="true"[^>]*aria-describedby="h-reason e-reason"/, 'the field marked invalid');
      t.match(res.body, /<p class="field-error" id="e-reason">Reason for revoking: this field is required\./, 'the message names the field');
    }
    t.equal((await lrs.store.certificates!.get(aliceNumber))!.revocation, null, 'nothing revoked');
    const long = await admin.post(`/admin/certificates/${aliceNumber}/revoke`, { reason: 'x'.repeat(501) });
    t.equal(long.statusCode, 400);
    t.match(long.body, 'at most 500 characters');
  });

  t.test('an admin revokes with a reason; the verification page shows it revoked, with the reason', async (t) => {
    const admin = visitor(lrs, adminIn);
    await admin.get(`/admin/certificates?number=${aliceNumber}`);
    const res = await admin.post(`/admin/certificates/${aliceNumber}/revoke`, { reason: 'Exam taken by someone else' });
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, `/admin/certificates?number=${aliceNumber}&done=revoked`);
    const result = await admin.get(res.headers.location as string);
    t.equal(result.statusCode, 200);
    t.match(result.body, /<p class="notice" role="status">Certificate CAD-[\w-]+ is revoked\./, 'the result is shown');
    t.match(result.body, 'data-status="revoked"');
    t.match(result.body, '<span class="reason">Exam taken by someone else</span>');
    t.notMatch(result.body, 'action="/admin/certificates/', 'no revoke form any more');

    const verify = await lrs.app.inject({ method: 'GET', url: `/verify/${aliceNumber}` });
    t.match(verify.body, 'data-status="revoked"');
    t.match(verify.body, /This certificate was revoked on [^<]+\. It is no longer valid\./);
    t.match(verify.body, '<span class="reason">Exam taken by someone else</span>');
    t.notMatch(verify.body, 'data-status="valid"');
    t.match((await lrs.as(aliceIn, { method: 'GET', url: '/certificates' })).body, /<span class="badge warn">Revoked<\/span>/, 'the learner\'s list says so');
    t.match((await lrs.store.audit.list({ limit: 5, subject: `certificate:${aliceNumber}` }))[0], { action: 'certificate.revoked', detail: { reason: 'Exam taken by someone else' } });

    const again = await admin.post(`/admin/certificates/${aliceNumber}/revoke`, { reason: 'twice' });
    t.equal(again.statusCode, 409, 'once only');
    t.match(again.body, 'already revoked');
  });

  t.test('the admins\' page with a wrong number: the field says why, never a 500', async (t) => {
    const admin = visitor(lrs, adminIn);
    const typo = await admin.get('/admin/certificates?number=not-a-number');
    t.equal(typo.statusCode, 400);
    t.match(typo.body, /<input id="f-number"[^>]*aria-invalid="true"/);
    t.match(typo.body, 'This is not a certificate number');
    const unknown = await admin.get(`/admin/certificates?number=${unknownNumber}`);
    t.equal(unknown.statusCode, 404);
    t.match(unknown.body, 'No certificate has this number.');
    await admin.get('/admin/certificates');
    const posted = await admin.post(`/admin/certificates/${unknownNumber}/revoke`, { reason: 'gone' });
    t.equal(posted.statusCode, 404);
    t.match(posted.body, 'No certificate has this number.');
    t.equal((await admin.get('/admin/certificates')).statusCode, 200, 'no number: just the search form');
  });
});
