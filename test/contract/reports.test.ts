/**
 * ReportsStore contract: the reports aggregate the progress and answers projections, kept in the transaction of
 * every statement write, narrowed by course, country, agency and dates; voided answers drop out; a rebuild from the
 * statements gives the same numbers.
 */
import type { Test } from 'tap';
import { normalizeStatement } from '../../src/lrs/statements/normalize.js';
import type { Statement } from '../../src/lrs/statements/statement-types.js';
import type { ReportsStore, Store } from '../../src/store/ports.js';
import { courseIri, newVersion } from './catalog-fixtures.js';
import { user } from './people.js';
import { idOf } from './statement-fixtures.js';
import { contract } from './targets.js';

const V = (verb: string) => `http://adlnet.gov/expapi/verbs/${verb}`;
const Q1 = `${courseIri}/q1`;
const Q2 = `${courseIri}/q2`;
const R = {
  ann: 'bbbbbbbb-0000-4000-8000-000000000001',
  bo: 'bbbbbbbb-0000-4000-8000-000000000002',
  cy: 'bbbbbbbb-0000-4000-8000-000000000003',
  annAgain: 'bbbbbbbb-0000-4000-8000-000000000004',
  idle: 'bbbbbbbb-0000-4000-8000-000000000005',
};
const JAN = Date.UTC(2026, 0, 20, 12);
const FEB = Date.UTC(2026, 1, 3, 12);
const MIN = 60_000;

const record = (n: number, statement: object, atMs: number) =>
  normalizeStatement({ id: idOf(n), actor: { mbox: 'mailto:learner@academy.example' }, timestamp: new Date(atMs).toISOString(), ...statement } as Statement, {
    storedMs: atMs + 1000, authority: { mbox: 'mailto:lrs@academy.example' }, credentialId: null, newId: () => 'x', mayDefine: false, defaultVersion: '1.0.0',
  });

const unit = (n: number, verb: string, registration: string, atMs: number, result?: object) =>
  record(n, { verb: { id: V(verb) }, object: { id: courseIri }, context: { registration }, ...(result && { result }) }, atMs);

const answer = (n: number, question: string, registration: string, atMs: number, result: object, description?: string) =>
  record(n, {
    verb: { id: V('answered') },
    object: { id: question, definition: { type: 'http://adlnet.gov/expapi/activities/cmi.interaction', interactionType: 'choice', ...(description && { description: { en: description } }) } },
    context: { registration }, result,
  }, atMs);

async function seed(store: Store) {
  await store.users.add(user('ann', 'ann@academy.example', { country: 'FR', agency: 'Police' }));
  await store.users.add(user('bo', 'bo@academy.example', { country: 'FR', agency: 'Gendarmerie' }));
  await store.users.add(user('cy', 'cy@academy.example', { country: 'DE', agency: 'BKA' }));
  await store.catalog.addVersion(newVersion('v1'));
  const enrol = (id: string, userId: string, createdMs: number) => store.runtime.addRegistration({ id, userId, courseId: 'c1', versionId: 'v1', createdMs, completedMs: null });
  await enrol(R.ann, 'ann', JAN);
  await enrol(R.bo, 'bo', JAN + 1);
  await enrol(R.cy, 'cy', FEB);
  await enrol(R.annAgain, 'ann', FEB + 1);
  await enrol(R.idle, 'cy', FEB + 2);
  // Ann: passed with 0.85 in January, 20 minutes. Bo: completed and failed with 0.4 in February, 10 minutes.
  // Cy: started only, 5 minutes. Ann again: passed with 1.0 in February, no time recorded.
  await store.statements.insert([
    unit(1, 'initialized', R.ann, JAN + MIN),
    answer(2, Q1, R.ann, JAN + 2 * MIN, { success: true, response: 'a', duration: 'PT10S' }, 'Which seal?'),
    answer(3, Q2, R.ann, JAN + 3 * MIN, { success: false, response: 'c', duration: 'PT20S' }),
    unit(4, 'passed', R.ann, JAN + 20 * MIN, { success: true, completion: true, score: { scaled: 0.85 } }),
    unit(5, 'terminated', R.ann, JAN + 21 * MIN, { duration: 'PT20M' }),
  ]);
  await store.statements.insert([
    unit(6, 'initialized', R.bo, Date.UTC(2026, 1, 1, 8)),
    answer(7, Q1, R.bo, Date.UTC(2026, 1, 1, 8, 1), { success: false, response: 'b' }),
    answer(8, Q2, R.bo, Date.UTC(2026, 1, 1, 8, 2), { success: false, response: 'c' }),
    answer(9, Q2, R.bo, Date.UTC(2026, 1, 1, 8, 3), { success: false, response: 'd' }),
    unit(10, 'completed', R.bo, Date.UTC(2026, 1, 1, 8, 10), { completion: true }),
    unit(11, 'failed', R.bo, Date.UTC(2026, 1, 1, 8, 10), { success: false, score: { scaled: 0.4 } }),
    unit(12, 'terminated', R.bo, Date.UTC(2026, 1, 1, 8, 11), { duration: 'PT10M' }),
  ]);
  await store.statements.insert([
    unit(13, 'initialized', R.cy, FEB + MIN),
    answer(14, Q1, R.cy, FEB + 2 * MIN, { success: false, response: 'b', duration: 'PT30S' }),
    unit(15, 'suspended', R.cy, FEB + 6 * MIN, { duration: 'PT5M' }),
    unit(16, 'passed', R.annAgain, FEB + 10 * MIN, { success: true, completion: true, score: { scaled: 1 } }),
    // An answer of a registration the runtime never made: in no report.
    answer(17, Q1, 'cccccccc-0000-4000-8000-000000000009', FEB, { success: false, response: 'z' }),
  ]);
  // Bo's "d" was entered by mistake (xAPI 1.0.3 §2.2.3: a voided answer no longer counts).
  await store.statements.insert([record(18, { verb: { id: V('voided') }, object: { objectType: 'StatementRef', id: idOf(9) } }, FEB + 20 * MIN)]);
}

/** Completions in one order whatever the adapter's (the groupings are sets). */
function completionsOf(value: unknown): Record<string, string[]> {
  const { byMonth, byCountry, byAgency } = value as Record<string, object[]>;
  const order = (rows: readonly object[] | undefined) => [...(rows ?? [])].map((row) => JSON.stringify(row)).sort();
  return { byMonth: order(byMonth), byCountry: order(byCountry), byAgency: order(byAgency) };
}

const rows = (...list: object[]) => list.map((row) => JSON.stringify(row)).sort();

async function check(t: Test, reports: ReportsStore, label: string) {
  t.same(completionsOf(await reports.completions({})), {
    byMonth: rows({ courseId: 'c1', month: '2026-01', completed: 1, passed: 1 }, { courseId: 'c1', month: '2026-02', completed: 2, passed: 1 }),
    byCountry: rows({ courseId: 'c1', country: 'FR', completed: 3, passed: 2 }),
    byAgency: rows({ courseId: 'c1', country: 'FR', agency: 'Gendarmerie', completed: 1, passed: 0 }, { courseId: 'c1', country: 'FR', agency: 'Police', completed: 2, passed: 2 }),
  }, `${label}: completions by month (UTC), country and agency`);
  t.same(completionsOf(await reports.completions({ fromMs: Date.UTC(2026, 1, 1), agency: 'Police' })), {
    byMonth: rows({ courseId: 'c1', month: '2026-02', completed: 1, passed: 1 }),
    byCountry: rows({ courseId: 'c1', country: 'FR', completed: 1, passed: 1 }),
    byAgency: rows({ courseId: 'c1', country: 'FR', agency: 'Police', completed: 1, passed: 1 }),
  }, `${label}: by completion date and agency`);
  t.same(completionsOf(await reports.completions({ countries: [] })), completionsOf({}), `${label}: no country, nothing`);

  t.same(await reports.scoreBins({}), [{ courseId: 'c1', bin: 4, learners: 1 }, { courseId: 'c1', bin: 9, learners: 1 }], `${label}: each learner's best score, 1 in the last bin`);
  t.same(await reports.scoreBins({ toMs: FEB }), [{ courseId: 'c1', bin: 4, learners: 1 }, { courseId: 'c1', bin: 8, learners: 1 }], `${label}: scores of registrations enrolled in the range`);

  t.same(await reports.timeSpent({}), [{ courseId: 'c1', registrations: 3, totalMs: 35 * MIN, medianMs: 10 * MIN, p90Ms: 20 * MIN }], `${label}: time spent, nearest-rank percentiles`);
  t.same(await reports.timeSpent({ countries: ['DE'] }), [{ courseId: 'c1', registrations: 1, totalMs: 5 * MIN, medianMs: 5 * MIN, p90Ms: 5 * MIN }]);

  t.same(await reports.funnel({}), [{ courseId: 'c1', enrolled: 5, started: 4, completed: 3, passed: 2 }], `${label}: funnel`);
  t.same(await reports.funnel({ fromMs: FEB, countries: ['DE', 'FR'] }), [{ courseId: 'c1', enrolled: 3, started: 2, completed: 1, passed: 1 }]);
  t.same(await reports.funnel({ courseId: 'other' }), []);

  const questions = await reports.questions({});
  t.same(questions.map(({ definition: _d, ...row }) => row), [
    { courseId: 'c1', questionId: Q1, answers: 3, learners: 3, judged: 3, correct: 1, timed: 2, latencyTotalMs: 40_000, wrongResponses: [{ response: 'b', count: 2 }] },
    { courseId: 'c1', questionId: Q2, answers: 2, learners: 2, judged: 2, correct: 0, timed: 1, latencyTotalMs: 20_000, wrongResponses: [{ response: 'c', count: 2 }] },
  ], `${label}: item analysis; the voided answer and the stranger's left out`);
  t.match(questions[0]?.definition, { interactionType: 'choice', description: { en: 'Which seal?' } }, `${label}: the definition, merged across answers`);
  t.same((await reports.questions({ fromMs: FEB, countries: ['DE'] })).map((q) => [q.questionId, q.answers]), [[Q1, 1]], `${label}: items by date and country`);
}

contract('reports', async (t, open) => {
  const store = await open();
  t.ok(store.reports, 'the store has reports');
  await seed(store);
  await check(t, store.reports!, 'incremental');
  await store.records.rebuild();
  await check(t, store.reports!, 'after a rebuild');
  t.same(await store.reports!.rebuild(), { answers: 5 }, 'the answers projection rebuilt alone: five answers count');
  await check(t, store.reports!, 'after rebuilding the answers');
});
