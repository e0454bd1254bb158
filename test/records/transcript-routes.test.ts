import t from 'tap';
import { parseCsv } from '../../src/records/csv.js';
import { createTestApp } from '../fixtures/test-app.js';
import { cmi5Story, importCourses, scormStory, xapiStory } from './fixtures.js';
import { readPdf } from './pdf-reader.js';

t.test('transcripts: who reads whose, JSON, CSV and PDF', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const courses = await importCourses(lrs);
  const alice = await lrs.addUser([{ role: 'learner' }], { country: 'FR', name: '=HYPERLINK("http://evil.example") Alice, "Al" Dupré' });
  const bob = await lrs.addUser([{ role: 'learner' }], { country: 'DE', name: 'Bob Müller' });
  const aliceIn = await lrs.signIn(alice);
  const bobIn = await lrs.signIn(bob);
  const analystFr = await lrs.signIn(await lrs.addUser([{ role: 'analyst', countries: ['FR'] }], { country: 'FR' }));
  const analyst = await lrs.signIn(await lrs.addUser([{ role: 'analyst' }], { country: 'BE' }));
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }], { country: 'NL' }));

  const scorm = await scormStory(lrs, aliceIn, courses);
  const cmi5 = await cmi5Story(lrs, alice, courses, { satisfied: true });
  await xapiStory(lrs, bobIn, bob);
  // Alice opens the xAPI course and does nothing yet: a registration without statements.
  await lrs.as(aliceIn, { method: 'POST', url: '/api/courses/cybercrime/launch', payload: {} });

  const get = (who: Parameters<typeof lrs.as>[0], userId: string, format?: string) =>
    lrs.as(who, { method: 'GET', url: `/api/users/${userId}/transcript${format ? `?format=${format}` : ''}` });

  t.test('who may read', async (t) => {
    const cases: Array<[string, Parameters<typeof lrs.as>[0], string, number]> = [
      ['a learner reads their own', aliceIn, alice.user.id, 200],
      ['not another learner\'s', bobIn, alice.user.id, 403],
      ['nor learns whether an account exists', bobIn, 'no-such-user', 403],
      ['an analyst limited to FR reads FR learners', analystFr, alice.user.id, 200],
      ['but not DE learners', analystFr, bob.user.id, 403],
      ['an analyst without countries reads everyone', analyst, bob.user.id, 200],
      ['an admin reads everyone', admin, bob.user.id, 200],
      ['an unknown user is not found', admin, 'no-such-user', 404],
      ['nobody signed in: 401', null, alice.user.id, 401],
    ];
    for (const [name, who, id, status] of cases) t.equal((await get(who, id)).statusCode, status, name);
    t.match((await get(analystFr, bob.user.id)).json(), { error: 'records-forbidden', parameter: 'id' });
  });

  t.test('JSON', async (t) => {
    const res = await get(aliceIn, alice.user.id);
    const body = res.json();
    t.match(body.learner, { id: alice.user.id, country: 'FR' });
    t.equal(body.courses.length, 3, 'one entry per registration, the one without statements included');
    const byFormat = (format: string) => body.courses.find((course: { format: string }) => course.format === format);
    const [multi, notices, cyber] = [byFormat('scorm12'), byFormat('cmi5'), byFormat('xapi')];
    t.match(multi, { registration: scorm.registration, format: 'scorm12', status: 'in-progress', score: 0.85, course: { slug: 'multi-sco' } });
    t.match(multi.units[0], { status: 'completed', success: 'passed', attempts: 1, timeSpent: 'PT7M', timeSpentSeconds: 420 });
    t.type(multi.units[0].title, 'string');
    t.match(notices, { registration: cmi5.registration, format: 'cmi5', status: 'completed', success: 'passed', title: /\S/ });
    t.ok(notices.completed && notices.firstAccess && notices.lastAccess);
    t.match(cyber, { format: 'xapi', status: 'not-attempted', firstAccess: null, timeSpent: 'PT0S' });
    t.ok(cyber.units.length > 0 && cyber.units.every((unit: { status: string }) => unit.status === 'not-attempted'), 'the version\'s units, not attempted');
  });

  t.test('CSV parses back, one row per course', async (t) => {
    const res = await get(analystFr, alice.user.id, 'csv');
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
    t.match(res.headers['content-disposition'], /attachment; filename="transcript-.*\.csv"/);
    t.ok(res.body.startsWith('\uFEFF'), 'UTF-8 with a byte order mark');
    t.ok(res.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])));
    t.match(res.body, /\r\n$/, 'CRLF line ends');
    const [header, ...rows] = parseCsv(res.body);
    t.equal(rows.length, 3);
    const json = (await get(analystFr, alice.user.id)).json();
    const column = (name: string) => header!.indexOf(name);
    rows.forEach((row, i) => {
      t.equal(row.length, header!.length);
      t.equal(row[column('registration')], json.courses[i].registration);
      t.equal(row[column('status')], json.courses[i].status);
      t.equal(row[column('course')], json.courses[i].title);
    });
    t.equal(rows[0]![column('learner_name')], `'${alice.user.name}`, 'commas and quotes survive; a formula does not run');
    const multi = rows.find((row) => row[column('format')] === 'scorm12')!;
    t.equal(multi[column('score_percent')], '85');
    t.equal(multi[column('time_spent')], '0:08:30');
    t.equal(multi[column('time_spent_seconds')], '510');
  });

  t.test('PDF', async (t) => {
    const res = await get(aliceIn, alice.user.id, 'pdf');
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/pdf');
    const pdf = res.rawPayload;
    const text = pdf.toString('latin1');
    t.ok(text.startsWith('%PDF-1.4\n'));
    t.match(text, /%%EOF\n$/);
    // Every cross-reference entry points at its object.
    const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)![1]);
    t.equal(text.slice(startxref, startxref + 4), 'xref');
    const entries = text.slice(startxref).split('\n').slice(3).filter((line) => / 00000 n $/.test(line));
    t.ok(entries.length >= 7);
    entries.forEach((entry, i) => t.equal(text.slice(Number(entry.slice(0, 10)), Number(entry.slice(0, 10)) + `${i + 1} 0 obj`.length), `${i + 1} 0 obj`));
    // The text, read back through the embedded fonts' ToUnicode maps (records/pdf.ts).
    const lines = readPdf(pdf).lines.map((line) => line.text);
    t.ok(lines.includes('Transcript'));
    t.ok(lines.includes(`${alice.user.name} (Test academy, FR)`), 'the name, accents, quotes and parentheses as typed');
  });
});
