/**
 * The MongoDB reports: the pure pipelines of reports-queries.ts, evaluated by mingo, must give SQLite's numbers.
 *
 * 1. Small hand-made documents for the edges (score bins at -1 and 1, nearest-rank percentiles, UTC months, learners
 *    who no longer exist, empty country lists), with the expected rows written out.
 * 2. The seeded data set of test/records/reports.test.ts (real packages, the real write path, voidings, runtime
 *    commits) in a SQLite store, copied into the MongoDB adapter on the in-memory stand-in, where every report is
 *    compared with SQLite's under many filters; then again after the MongoDB side rebuilt its answers projection
 *    from the statements alone.
 */
import { Aggregator } from 'mingo';
import path from 'node:path';
import t, { type Test } from 'tap';
import { createMongoContext } from '../../../src/store/mongo/database.js';
import { createMongoStore } from '../../../src/store/mongo/index.js';
import { migrateSqliteToMongo } from '../../../src/store/mongo/migrate-from-sqlite.js';
import {
  assembleQuestionStats,
  completionsPipeline,
  funnelPipeline,
  questionStatsPipeline,
  scoreBinsPipeline,
  timeSpentPipeline,
  wrongResponsesPipeline,
  type QuestionStatsRow,
  type WrongResponsesRow,
} from '../../../src/store/mongo/reports-queries.js';
import type { PackageFileStore, ReportFilter, ReportsStore } from '../../../src/store/ports.js';
import { createTestApp } from '../../fixtures/test-app.js';
import { agencies, seedReports } from '../../records/reports-fixtures.js';
import { InMemoryMongoClient } from './in-memory-mongo.js';

type Doc = Record<string, any>;

/** Runs a pipeline with mingo over `from`, `$lookup` resolving the other collections. */
function run(pipeline: Doc[], from: Doc[], collections: Record<string, Doc[]>): Doc[] {
  return new Aggregator(pipeline, { collectionResolver: (name: string) => collections[name] ?? [] }).run(from) as Doc[];
}

const DAY = 86_400_000;
const jan31 = Date.UTC(2026, 0, 31, 23, 59, 59);
const feb1 = Date.UTC(2026, 1, 1, 0, 0, 0);

const users = [
  { _id: 'u1', country: 'FR', agency: 'Police' },
  { _id: 'u2', country: 'FR', agency: 'Gendarmerie' },
  { _id: 'u3', country: 'DE', agency: 'BKA' },
];
const registrations = [
  { _id: 'r1', userId: 'u1', courseId: 'c1', createdMs: jan31 - DAY },
  { _id: 'r2', userId: 'u2', courseId: 'c1', createdMs: jan31 },
  { _id: 'r3', userId: 'u3', courseId: 'c1', createdMs: feb1 },
  { _id: 'r4', userId: 'u1', courseId: 'c1', createdMs: feb1 + DAY },
  { _id: 'r5', userId: 'gone', courseId: 'c1', createdMs: feb1 },
  { _id: 'r6', userId: 'u3', courseId: 'c2', createdMs: feb1 },
];
const progress = [
  { _id: 'r1', userId: 'u1', courseId: 'c1', success: 'passed', score: 1, timeSpentMs: 100, firstAccessMs: 1, completedMs: jan31 },
  { _id: 'r2', userId: 'u2', courseId: 'c1', success: 'failed', score: -0.2, timeSpentMs: 300, firstAccessMs: 1, completedMs: feb1 },
  { _id: 'r3', userId: 'u3', courseId: 'c1', success: 'unknown', score: 0.7, timeSpentMs: 200, firstAccessMs: 1, completedMs: null },
  { _id: 'r4', userId: 'u1', courseId: 'c1', success: 'passed', score: 0.35, timeSpentMs: 0, firstAccessMs: 1, completedMs: feb1 + DAY },
  { _id: 'r5', userId: 'gone', courseId: 'c1', success: 'passed', score: 0.5, timeSpentMs: 400, firstAccessMs: 1, completedMs: feb1 },
];
const collections = { users, registrations, registration_progress: progress };

t.test('pipelines over hand-made documents', async (t) => {
  t.same(run(completionsPipeline({}), progress, collections), [
    { courseId: 'c1', month: '2026-01', country: 'FR', agency: 'Police', completed: 1, passed: 1 },
    { courseId: 'c1', month: '2026-02', country: 'FR', agency: 'Gendarmerie', completed: 1, passed: 0 },
    { courseId: 'c1', month: '2026-02', country: 'FR', agency: 'Police', completed: 1, passed: 1 },
  ], 'by UTC month of completion, country and agency; an unknown learner in no row; ordered as SQLite orders');
  t.same(run(completionsPipeline({ fromMs: feb1, toMs: feb1 + DAY }), progress, collections).map((r) => r.agency), ['Gendarmerie'], 'from inclusive, to exclusive');
  t.same(run(completionsPipeline({ countries: ['DE'] }), progress, collections), [], 'country of the learner');
  t.same(run(completionsPipeline({ agency: 'Police', courseId: 'c2' }), progress, collections), []);

  t.same(run(scoreBinsPipeline({}), progress, collections), [
    { courseId: 'c1', bin: -1, learners: 1 },
    { courseId: 'c1', bin: 7, learners: 1 },
    { courseId: 'c1', bin: 9, learners: 1 },
  ], 'each learner once, by their best score: 1 in the last bin, below 0 in bin -1');
  t.same(run(scoreBinsPipeline({ fromMs: feb1 }), progress, collections), [
    { courseId: 'c1', bin: 3, learners: 1 },
    { courseId: 'c1', bin: 7, learners: 1 },
  ], 'the range applies to enrolment: u1 counts with its later registration only');

  t.same(run(timeSpentPipeline({}), progress, collections), [{ courseId: 'c1', registrations: 3, totalMs: 600, medianMs: 200, p90Ms: 300 }],
    'registrations with time only; nearest rank: ceil(3/2) = 2nd, ceil(2.7) = 3rd');
  t.same(run(timeSpentPipeline({ countries: ['FR'] }), progress, collections), [{ courseId: 'c1', registrations: 2, totalMs: 400, medianMs: 100, p90Ms: 300 }],
    'n = 2: the median is the 1st, p90 the 2nd');

  t.same(run(funnelPipeline({}), registrations, collections), [
    { courseId: 'c1', enrolled: 4, started: 4, completed: 3, passed: 2 },
    { courseId: 'c2', enrolled: 1, started: 0, completed: 0, passed: 0 },
  ], 'every enrolment of a known learner, with or without progress');
  t.same(run(funnelPipeline({ toMs: feb1 }), registrations, collections), [{ courseId: 'c1', enrolled: 2, started: 2, completed: 2, passed: 1 }]);

  const answers = [
    { _id: 1, courseId: 'c1', questionId: 'q1', userId: 'u1', atMs: 10, success: true, response: 'a', latencyMs: 1000 },
    { _id: 2, courseId: 'c1', questionId: 'q1', userId: 'u1', atMs: 20, success: false, response: 'b', latencyMs: null },
    { _id: 3, courseId: 'c1', questionId: 'q1', userId: 'u2', atMs: 30, success: false, response: 'c', latencyMs: 3000 },
    { _id: 4, courseId: 'c1', questionId: 'q1', userId: 'u3', atMs: 40, success: false, response: 'c', latencyMs: null },
    { _id: 5, courseId: 'c1', questionId: 'q1', userId: 'u3', atMs: 50, success: false, response: 'd', latencyMs: null },
    { _id: 6, courseId: 'c1', questionId: 'q1', userId: 'u2', atMs: 60, success: false, response: 'a2', latencyMs: null },
    { _id: 7, courseId: 'c1', questionId: 'q0', userId: 'u2', atMs: 70, success: null, response: null, latencyMs: null },
    { _id: 8, courseId: 'c1', questionId: 'q0', userId: 'gone', atMs: 80, success: false, response: 'x', latencyMs: 5 },
  ];
  t.same(run(questionStatsPipeline({}), answers, collections), [
    { courseId: 'c1', questionId: 'q0', answers: 1, learners: 1, judged: 0, correct: 0, timed: 0, latencyTotalMs: 0 },
    { courseId: 'c1', questionId: 'q1', answers: 6, learners: 3, judged: 6, correct: 1, timed: 2, latencyTotalMs: 4000 },
  ], 'answers, distinct learners, judged, correct, timed and their latency; no latency sums to 0');
  const stats = run(questionStatsPipeline({}), answers, collections) as QuestionStatsRow[];
  const wrong = run(wrongResponsesPipeline({}), answers, collections) as WrongResponsesRow[];
  t.same(wrong.map((row) => [row.questionId, row.responses.length]), [['q1', 3]], 'three at most; unknown learners left out');
  t.same(assembleQuestionStats(stats, wrong, [{ _id: '["c1","q1"]', courseId: 'c1', questionId: 'q1', definition: '{"interactionType":"choice"}' }]).map((q) => [q.questionId, q.definition, q.wrongResponses]), [
    ['q0', null, []],
    ['q1', { interactionType: 'choice' }, [{ response: 'c', count: 2 }, { response: 'a2', count: 1 }, { response: 'b', count: 1 }]],
  ], 'most frequent first, ties by response (d left out); definitions joined by course and question');
  const ranged = run(wrongResponsesPipeline({ fromMs: 35, toMs: 60 }), answers, collections) as WrongResponsesRow[];
  t.same(assembleQuestionStats(run(questionStatsPipeline({ fromMs: 35, toMs: 60 }), answers, collections) as QuestionStatsRow[], ranged, [])[0]?.wrongResponses,
    [{ response: 'c', count: 1 }, { response: 'd', count: 1 }], 'in the date range');
  t.same(run(questionStatsPipeline({ countries: [] }), answers, collections), [], 'no country: nothing');
});

/** GridFS needs a server: package files are not compared here. */
const noFiles: PackageFileStore = {
  async adopt() {},
  async stat() { return null; },
  read() { throw new Error('not in this test'); },
  async remove() {},
  async stagingDirectory() { return '/nonexistent'; },
};

/** Completions in one order whatever an adapter's (its groupings are sets; older ports answered the finest rows). */
function sorted(completions: unknown): unknown {
  const order = (rows: readonly object[]) => [...rows].map((row) => JSON.stringify(row)).sort();
  if (Array.isArray(completions)) return order(completions);
  const { byMonth, byCountry, byAgency } = completions as Record<string, object[]>;
  return { byMonth: order(byMonth!), byCountry: order(byCountry!), byAgency: order(byAgency!) };
}

async function compare(t: Test, label: string, mongo: ReportsStore, sqlite: ReportsStore, filters: ReadonlyArray<{ name: string; filter: ReportFilter }>) {
  for (const { name, filter } of filters) {
    const [completions, scoreBins, timeSpent, funnel, questions] = await Promise.all([
      sqlite.completions(filter), sqlite.scoreBins(filter), sqlite.timeSpent(filter), sqlite.funnel(filter), sqlite.questions(filter),
    ]);
    t.same(sorted(await mongo.completions(filter)), sorted(completions), `${label}, ${name}: completions`);
    t.same(await mongo.scoreBins(filter), scoreBins, `${label}, ${name}: score bins`);
    t.same(await mongo.timeSpent(filter), timeSpent, `${label}, ${name}: time spent`);
    t.same(await mongo.funnel(filter), funnel, `${label}, ${name}: funnel`);
    t.same(await mongo.questions(filter), questions, `${label}, ${name}: items`);
  }
}

t.test('the seeded data set: MongoDB answers every report with SQLite\'s numbers', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const { courses } = await seedReports(lrs, { learners: 60, seed: 7 });
  const sqlite = lrs.store.reports!;
  const client = new InMemoryMongoClient();
  const target = createMongoStore(client.asDriverClient(), 'cadet_reports');
  await target.prepare();
  const report = await migrateSqliteToMongo({
    sqliteFile: path.join(lrs.dataDir, 'cadet.sqlite'), packagesDirectory: path.join(lrs.dataDir, 'packages'),
    target: createMongoContext(client.asDriverClient(), 'cadet_reports'), targetFiles: noFiles, batchSize: 500,
  });
  t.ok(report.tables.every((row) => row.source === row.target), 'every table copied');

  const all = (await sqlite.completions({})) as unknown as { byAgency: Array<{ completed: number; passed: number }> };
  t.ok(all.byAgency.length > 5 && all.byAgency.some((row) => row.passed > 0) && all.byAgency.some((row) => row.passed < row.completed), 'the data set has passes and failures to compare');
  t.ok((await sqlite.questions({})).some((row) => row.wrongResponses.length === 3), 'and questions with three wrong responses');
  const march = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 3, 1) };
  const filters = [
    { name: 'everything', filter: {} },
    { name: 'one course', filter: { courseId: courses.xapi.course.id } },
    { name: 'a course nobody takes', filter: { courseId: courses.idle.course.id } },
    { name: 'two countries', filter: { countries: ['DE', 'FR'] } },
    { name: 'no country', filter: { countries: [] } },
    { name: 'an agency', filter: { agency: agencies.FR![0]! } },
    { name: 'March', filter: march },
    { name: 'cmi5 in Spain in March', filter: { courseId: courses.cmi5.course.id, countries: ['ES'], ...march } },
    { name: 'from February', filter: { fromMs: Date.UTC(2026, 1, 1) } },
  ];
  await compare(t, 'copied', target.reports!, sqlite, filters);

  // The answers projection rebuilt from the statements on the MongoDB side (with the progress projection).
  await target.records.rebuild();
  await compare(t, 'rebuilt', target.reports!, sqlite, filters.slice(0, 4));
  await target.close();
});
