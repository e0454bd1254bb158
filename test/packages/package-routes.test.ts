import fs from 'node:fs';
import t from 'tap';
import { sharedFixture } from '../fixtures/shared-fixtures.js';
import { createTestApp } from '../fixtures/test-app.js';

function multipartBody(fields: Record<string, string>, file?: { name: string; content: Buffer }) {
  const boundary = 'cadet-upload-boundary';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/zip\r\n\r\n`), file.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

t.test('package upload API', async (t) => {
  const lrs = await createTestApp({ 'package-max-bytes': String(64 * 1024) });
  t.teardown(() => lrs.close());
  const author = await lrs.signIn(await lrs.addUser([{ role: 'author' }]));
  const learner = await lrs.signIn(await lrs.addUser([{ role: 'learner' }]));
  const zip = (...parts: string[]) => ({ name: parts.at(-1)!, content: fs.readFileSync(sharedFixture(...parts)) });

  t.test('an author uploads a package and gets the course, version and units', async (t) => {
    const res = await lrs.as(author, { method: 'POST', url: '/api/packages', csrf: true, ...multipartBody({}, zip('cmi5', 'masteryscore_framed_xml_and_index_only.zip')) });
    t.equal(res.statusCode, 201, res.body);
    const body = res.json();
    t.equal(body.format, 'cmi5');
    t.equal(body.version, 1);
    t.equal(body.units.length, 1);
    const course = await lrs.as(learner, { method: 'GET', url: `/api/courses/${body.course}` });
    t.equal(course.statusCode, 200);
    t.equal(course.json().currentVersion, 1);
    const list = await lrs.as(learner, { method: 'GET', url: '/api/courses' });
    t.same(list.json().map((c: { slug: string }) => c.slug), [body.course]);
  });

  t.test('a broken package is 422 with every problem', async (t) => {
    const res = await lrs.as(author, { method: 'POST', url: '/api/packages', csrf: true, ...multipartBody({}, zip('invalid', 'manifests', 'MalformedXml_SCORM12.zip')) });
    t.equal(res.statusCode, 422);
    t.equal(res.json().ok, false);
    t.match(res.json().errors[0], { file: 'imsmanifest.xml' });
  });

  t.test('too large is 413; nothing stored', async (t) => {
    const before = (await lrs.store.catalog.listCourses()).length;
    const res = await lrs.as(author, { method: 'POST', url: '/api/packages', csrf: true, ...multipartBody({}, zip('scorm12', 'singlescobasic.zip')) });
    t.equal(res.statusCode, 413, res.body);
    t.equal((await lrs.store.catalog.listCourses()).length, before);
  });

  t.test('only authors and admins upload; the CSRF header is needed', async (t) => {
    const body = multipartBody({}, zip('cmi5', 'masteryscore_framed_xml_and_index_only.zip'));
    t.equal((await lrs.as(learner, { method: 'POST', url: '/api/packages', csrf: true, ...body })).statusCode, 403);
    t.equal((await lrs.as(null, { method: 'POST', url: '/api/packages', ...body })).statusCode, 401);
    t.equal((await lrs.as(author, { method: 'POST', url: '/api/packages', ...body })).statusCode, 403, 'a multipart form without X-CSRF-Token is refused');
  });

  t.test('no file, or a non-multipart body, is a clear client error', async (t) => {
    const none = await lrs.as(author, { method: 'POST', url: '/api/packages', csrf: true, ...multipartBody({ course: 'x' }) });
    t.equal(none.statusCode, 400);
    t.equal(none.json().parameter, 'file');
  });

  t.test('retire a version', async (t) => {
    const slug = (await lrs.as(author, { method: 'GET', url: '/api/courses' })).json()[0].slug;
    t.equal((await lrs.as(learner, { method: 'POST', url: `/api/courses/${slug}/versions/1/retire`, csrf: true, payload: {} })).statusCode, 403);
    t.equal((await lrs.as(author, { method: 'POST', url: `/api/courses/${slug}/versions/1/retire`, csrf: true, payload: {} })).statusCode, 204);
    t.equal((await lrs.as(author, { method: 'GET', url: `/api/courses/${slug}` })).json().currentVersion, null);
    t.equal((await lrs.as(author, { method: 'POST', url: `/api/courses/${slug}/versions/9/retire`, csrf: true, payload: {} })).statusCode, 404);
  });
});
