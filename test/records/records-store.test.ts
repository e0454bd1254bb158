import t from 'tap';
import { createTestApp } from '../fixtures/test-app.js';
import { cmi5Story, importCourses, scormStory, strangerStory, xapiStory } from './fixtures.js';

const minutes = (n: number) => n * 60_000;

t.test('the projection follows every write, and rebuilding it from the statements gives exactly the same', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const courses = await importCourses(lrs);
  const alice = await lrs.addUser([{ role: 'learner' }], { country: 'FR' });
  const bob = await lrs.addUser([{ role: 'learner' }], { country: 'DE' });
  const aliceIn = await lrs.signIn(alice);
  const bobIn = await lrs.signIn(bob);

  const scorm = await scormStory(lrs, aliceIn, courses);
  const xapi = await xapiStory(lrs, bobIn, bob);
  const cmi5Done = await cmi5Story(lrs, alice, courses, { satisfied: true });
  const cmi5Open = await cmi5Story(lrs, bob, courses, { satisfied: false });
  const stranger = await strangerStory(lrs);

  const progress = (id: string) => lrs.store.records.progress(id);

  t.test('SCORM commits through the runtime', async (t) => {
    const row = await progress(scorm.registration);
    t.match(row, { userId: alice.user.id, courseId: courses.scorm.course.id, format: 'scorm12', status: 'in-progress', success: 'unknown', score: 0.85 },
      'two of its SCOs done: not complete, and nothing passed the whole course yet');
    const [first, second] = row!.units;
    t.match(first, { unitId: scorm.units[0], status: 'completed', success: 'passed', bestScore: 0.85, lastScore: 0.85, attempts: 1, timeSpentMs: minutes(3) + minutes(4) },
      'suspended then resumed: one attempt; session time of suspended and terminated; the voided 0.4 score is gone');
    t.match(second, { unitId: scorm.units[1], status: 'completed', success: 'unknown', attempts: 1, timeSpentMs: 90_000 });
    t.equal(row!.units.length, courses.scorm.model.units.length, 'a row for every unit of the version');
    t.ok(row!.units.slice(2).every((unit) => unit.status === 'not-attempted'));
  });

  t.test('xAPI content', async (t) => {
    const row = await progress(xapi.registration);
    t.match(row, { status: 'completed', success: 'unknown', score: null, timeSpentMs: minutes(12) }, 'the voided passed (and its score) no longer count; the late-voided failed never did');
    t.match(row!.units[0], { status: 'completed', attempts: 1, timeSpentMs: minutes(12) });
    t.equal(row!.statements, 4, 'the resent statement was stored once, the voided ones are not folded');
  });

  t.test('cmi5', async (t) => {
    t.match(await progress(cmi5Done.registration), { status: 'completed', success: 'passed', timeSpentMs: minutes(7 + 4 + 11) });
    const open = await progress(cmi5Open.registration);
    t.match(open, { status: 'in-progress', completedMs: null }, 'no satisfied, not complete');
    t.match(open!.units[1], { success: 'passed', attempts: 2, bestScore: 0.9, lastScore: 0.9 });
  });

  t.test('a registration the runtime does not know has no projection', async (t) => {
    t.equal(await progress(stranger.registration), null);
  });

  t.test('rebuild equals incremental', async (t) => {
    const incremental = await lrs.store.records.snapshot();
    t.equal(incremental.length, 4);
    const counts = await lrs.store.records.rebuild();
    t.equal(counts.registrations, 4);
    const rebuilt = await lrs.store.records.snapshot();
    t.equal(JSON.stringify(rebuilt), JSON.stringify(incremental), 'byte for byte, fold state included');
  });

  t.test('reports read by course and country', async (t) => {
    const fr = await lrs.store.records.courseProgress(courses.cmi5.course.id, { countries: ['FR'] });
    t.same(fr.map((row) => row.userId), [alice.user.id]);
    t.equal((await lrs.store.records.courseProgress(courses.cmi5.course.id)).length, 2);
    t.same(await lrs.store.records.courseProgress(courses.cmi5.course.id, { countries: [] }), []);
  });
});

t.test('a store opened with statements but no projections builds them once', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const courses = await importCourses(lrs);
  const alice = await lrs.addUser([{ role: 'learner' }]);
  const { registration } = await cmi5Story(lrs, alice, courses, { satisfied: true });
  const before = await lrs.store.records.snapshot();
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(`${lrs.dataDir}/cadet.sqlite`);
  db.exec("DELETE FROM unit_progress; DELETE FROM registration_progress; DELETE FROM records_meta WHERE key = 'built'");
  db.close();
  const { createSqliteStore } = await import('../../src/store/sqlite/index.js');
  const reopened = createSqliteStore(lrs.dataDir);
  t.teardown(() => reopened.close());
  t.match(await reopened.records.progress(registration), { status: 'completed' });
  t.equal(JSON.stringify(await reopened.records.snapshot()), JSON.stringify(before));
});
