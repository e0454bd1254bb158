/**
 * Statement batches every adapter is tested with (contract suite, and the MongoDB query test that evaluates
 * the adapter's filters with mingo over what SQLite stored): agents of each identifier kind, a Group, a
 * sub-statement, context activities, StatementRefs to earlier and to later statements (and a chain of them),
 * voiding before and after the target, three credentials, and equal `stored` times within a batch.
 */
import { normalizeStatement } from '../../src/lrs/statements/normalize.js';
import { actorIdentity, keyOf } from '../../src/lrs/statements/statement-keys.js';
import type { Actor, Statement } from '../../src/lrs/statements/statement-types.js';
import type { StatementFilter, StatementRecord } from '../../src/store/ports.js';

export const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const actors = {
  alice: { objectType: 'Agent', name: 'Alice', mbox: 'mailto:alice@academy.example' },
  bob: { objectType: 'Agent', name: 'Bob', account: { homePage: 'https://academy.example', name: 'bob' } },
  carol: { objectType: 'Agent', mbox_sha1sum: 'ab0ec2a0c4c2ba5a3ed8d7c5e0d8e1f2a3b4c5d6' },
  team: {
    objectType: 'Group',
    name: 'Team',
    mbox: 'mailto:team@academy.example',
    member: [
      { objectType: 'Agent', mbox: 'mailto:alice@academy.example' },
      { objectType: 'Agent', account: { homePage: 'https://academy.example', name: 'bob' } },
    ],
  },
  admin: { objectType: 'Agent', name: 'Admin', mbox: 'mailto:admin@academy.example' },
} satisfies Record<string, Actor>;

export const verbs = {
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
  voided: 'http://adlnet.gov/expapi/verbs/voided',
};

export const activities = {
  courseA: 'https://academy.example/courses/evidence',
  courseB: 'https://academy.example/courses/interviews',
  q1: 'https://academy.example/courses/evidence/q1',
  q2: 'https://academy.example/courses/evidence/q2',
  programme: 'https://academy.example/programmes/investigation',
  category: 'https://academy.example/categories/core',
};

export const registrations = {
  r1: '11111111-1111-4111-8111-111111111111',
  r2: '22222222-2222-4222-8222-222222222222',
};

export const T0 = Date.UTC(2026, 10, 1, 10, 0, 0);

const activity = (id: string, name?: string) => ({ objectType: 'Activity' as const, id, ...(name && { definition: { name: { 'en-US': name } } }) });
const ref = (n: number) => ({ objectType: 'StatementRef' as const, id: idOf(n) });

interface Spec {
  readonly n: number;
  readonly statement: Omit<Statement, 'id'>;
  readonly credential: string | null;
}

const s = (n: number, actor: Actor, verb: string, object: unknown, context?: Record<string, unknown>, credential: string | null = 'cred-a'): Spec => ({
  n,
  statement: { actor, verb: { id: verb, display: { 'en-US': verb.split('/').pop() as string } }, object, ...(context && { context }) } as Omit<Statement, 'id'>,
  credential,
});

/** The batches, in the order they are stored; each batch shares one `stored` time. */
export const batchSpecs: ReadonlyArray<{ readonly storedMs: number; readonly specs: readonly Spec[] }> = [
  {
    storedMs: T0,
    specs: [
      s(1, actors.alice, verbs.completed, activity(activities.courseA, 'Evidence'), { registration: registrations.r1, contextActivities: { parent: [{ id: activities.programme }] } }),
      s(2, actors.bob, verbs.passed, activity(activities.courseA), { registration: registrations.r2 }),
    ],
  },
  { storedMs: T0 + 1000, specs: [s(3, actors.alice, verbs.answered, activity(activities.q1), { registration: registrations.r1, contextActivities: { parent: { id: activities.courseA }, grouping: [{ id: activities.programme }] } })] },
  { storedMs: T0 + 2000, specs: [s(4, actors.carol, verbs.experienced, activity(activities.courseB), { instructor: actors.bob, contextActivities: { category: [{ id: activities.category }] } }, 'cred-b')] },
  { storedMs: T0 + 3000, specs: [s(5, actors.team, verbs.completed, activity(activities.courseB), { registration: registrations.r2 })] },
  {
    storedMs: T0 + 4000,
    specs: [s(6, actors.alice, verbs.answered, { objectType: 'SubStatement', actor: actors.bob, verb: { id: verbs.passed }, object: activity(activities.q2) }, { registration: registrations.r1 })],
  },
  // A StatementRef to s1 (inherits its keys), then one to s7 (a chain).
  { storedMs: T0 + 5000, specs: [s(7, actors.bob, verbs.experienced, ref(1), undefined, 'cred-b')] },
  { storedMs: T0 + 6000, specs: [s(8, actors.carol, verbs.experienced, ref(7), undefined, null)] },
  // s2 voided after it was stored; s12 voided before it arrives.
  { storedMs: T0 + 7000, specs: [s(9, actors.admin, verbs.voided, ref(2))] },
  { storedMs: T0 + 8000, specs: [s(10, actors.admin, verbs.voided, ref(12))] },
  // A StatementRef to s13, which arrives later and passes its keys on.
  { storedMs: T0 + 9000, specs: [s(11, actors.carol, verbs.experienced, ref(13), undefined, 'cred-b')] },
  {
    storedMs: T0 + 10_000,
    specs: [
      s(12, actors.alice, verbs.passed, activity(activities.courseB), { registration: registrations.r1 }),
      s(13, actors.bob, verbs.completed, activity(activities.q1, 'Question 1'), { registration: registrations.r2 }),
    ],
  },
  // A run of answers for paging, two per second, alternating credentials.
  ...Array.from({ length: 6 }, (_, i) => ({
    storedMs: T0 + 11_000 + i * 1000,
    specs: [
      s(14 + 2 * i, actors.alice, verbs.answered, activity(i % 2 === 0 ? activities.q1 : activities.q2), { registration: registrations.r1 }, 'cred-a'),
      s(15 + 2 * i, actors.bob, verbs.answered, activity(activities.q2), { registration: registrations.r2 }, 'cred-b'),
    ],
  })),
];

const authority = { objectType: 'Agent', name: 'LRS', account: { homePage: 'https://academy.example', name: 'lrs' } } as const;

export function recordOf(spec: Spec, storedMs: number): StatementRecord {
  return normalizeStatement({ ...spec.statement, id: idOf(spec.n), timestamp: new Date(storedMs - 500).toISOString() } as Statement, {
    storedMs,
    authority,
    credentialId: spec.credential,
    newId: () => {
      throw new Error('every fixture has an id');
    },
    mayDefine: true,
    defaultVersion: '1.0.0',
  });
}

/** The batches as records ready for `StatementStore.insert`. */
export const batches: ReadonlyArray<readonly StatementRecord[]> = batchSpecs.map(({ storedMs, specs }) => specs.map((spec) => recordOf(spec, storedMs)));

export const statementCount = batchSpecs.reduce((n, batch) => n + batch.specs.length, 0);

const identity = (actor: Actor) => actorIdentity(actor) as string;

/** Named filters (limit large, whole range): what GET /statements would ask for. */
export function namedFilters(throughSequence: number): Array<{ readonly name: string; readonly filter: StatementFilter }> {
  const base = { ascending: false, limit: 100, throughSequence };
  const f = (name: string, keys: string[], extra: Partial<StatementFilter> = {}) => ({ name, filter: { ...base, keys, ...extra } });
  return [
    f('everything, newest first', []),
    f('everything, oldest first', [], { ascending: true }),
    f('agent alice', [keyOf.agent(identity(actors.alice))]),
    f('agent bob', [keyOf.agent(identity(actors.bob))]),
    f('agent carol (mbox_sha1sum)', [keyOf.agent(identity(actors.carol))]),
    f('agent team (a Group)', [keyOf.agent(identity(actors.team))]),
    f('related agents bob (member, instructor, sub-statement)', [keyOf.relatedAgent(identity(actors.bob))]),
    f('verb completed', [keyOf.verb(verbs.completed)]),
    f('verb passed (both voided)', [keyOf.verb(verbs.passed)]),
    f('verb voided', [keyOf.verb(verbs.voided)]),
    f('activity course A', [keyOf.activity(activities.courseA)]),
    f('related activities programme', [keyOf.relatedActivity(activities.programme)]),
    f('related activities q2 (sub-statement object)', [keyOf.relatedActivity(activities.q2)]),
    f('registration r1', [keyOf.registration(registrations.r1)]),
    f('registration r2', [keyOf.registration(registrations.r2)]),
    f('agent alice + verb answered', [keyOf.agent(identity(actors.alice)), keyOf.verb(verbs.answered)]),
    f('activity q1 + registration r2 (inherited by s11)', [keyOf.activity(activities.q1), keyOf.registration(registrations.r2)]),
    f('three keys', [keyOf.agent(identity(actors.alice)), keyOf.verb(verbs.answered), keyOf.activity(activities.q2)]),
    f('since (exclusive)', [], { sinceMs: T0 + 5000 }),
    f('until (inclusive)', [], { untilMs: T0 + 5000 }),
    f('since and until, ascending', [], { sinceMs: T0 + 2000, untilMs: T0 + 12_000, ascending: true }),
    f('agent alice since', [keyOf.agent(identity(actors.alice))], { sinceMs: T0 + 11_000 }),
    f('mine: cred-b', [], { credentialId: 'cred-b' }),
    f('mine: cred-b, verb answered', [keyOf.verb(verbs.answered)], { credentialId: 'cred-b' }),
    f('unknown agent', [keyOf.agent('Agent|mbox|mailto:nobody@academy.example')]),
    f('limit 3, newest first', [], { limit: 3 }),
    f('limit 3, oldest first', [], { limit: 3, ascending: true }),
    f('empty range', [], { sinceMs: T0 + 100_000 }),
  ];
}

/** Walks every page of a filter the way the LRS's `more` links do; returns the sequences per page. */
export async function walkPages(query: (filter: StatementFilter) => Promise<{ statements: ReadonlyArray<{ sequence: number; id: string }>; hasMore: boolean }>, filter: StatementFilter): Promise<string[][]> {
  const pages: string[][] = [];
  let after: number | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await query({ ...filter, ...(after !== undefined && { afterSequence: after }) });
    pages.push(page.statements.map((row) => row.id));
    if (!page.hasMore) return pages;
    after = page.statements.at(-1)?.sequence;
  }
  throw new Error('more than 100 pages');
}
