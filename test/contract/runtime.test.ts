/** RuntimeStore contract: registrations, attempts, commits applied once with their statements and documents. */
import { createHash } from 'node:crypto';
import { AppError } from '../../src/errors.js';
import type { AttemptCommit, Store } from '../../src/store/ports.js';
import { newVersion } from './catalog-fixtures.js';
import { user } from './people.js';
import { batches } from './statement-fixtures.js';
import { contract } from './targets.js';

async function enrolled(store: Store) {
  await store.users.add(user('u1', 'u1@academy.example'));
  await store.catalog.addVersion(newVersion('v1'));
  await store.runtime.addRegistration({ id: 'reg-1', userId: 'u1', courseId: 'c1', versionId: 'v1', createdMs: 100, completedMs: null });
  return store.runtime.addAttempt({ id: 'att-1', registrationId: 'reg-1', unitId: 'unit-a', atMs: 200 });
}

const stateKey = { kind: 'state' as const, activityId: 'https://academy.example/a', agent: 'Agent|mbox|mailto:u1@academy.example', registration: 'reg-1', documentId: 'attempt-state' };
const document = (text: string) => ({ content: Buffer.from(text), contentType: 'application/json', etag: `"${createHash('sha1').update(text).digest('hex')}"`, updatedMs: 300 });

contract('runtime', async (t, open) => {
  t.test('registrations: latest of a learner in a course, completion once', async (t) => {
    const store = await open();
    await enrolled(store);
    await store.runtime.addRegistration({ id: 'reg-2', userId: 'u1', courseId: 'c1', versionId: 'v1', createdMs: 100, completedMs: null });
    t.equal((await store.runtime.latestRegistration('u1', 'c1'))?.id, 'reg-2', 'same time: the later one');
    t.equal(await store.runtime.latestRegistration('u1', 'nope'), null);
    await store.runtime.markRegistrationCompleted('reg-1', 900);
    await store.runtime.markRegistrationCompleted('reg-1', 950);
    t.match(await store.runtime.registration('reg-1'), { completedMs: 900, state: null });
  });

  t.test('attempts are numbered per unit', async (t) => {
    const store = await open();
    const first = await enrolled(store);
    t.match(first, { number: 1, state: null, commitSequence: 0, endedMs: null, createdMs: 200, updatedMs: 200 });
    await store.runtime.addAttempt({ id: 'att-2', registrationId: 'reg-1', unitId: 'unit-a', atMs: 300 });
    await store.runtime.addAttempt({ id: 'att-3', registrationId: 'reg-1', unitId: 'unit-0', atMs: 300 });
    t.equal((await store.runtime.latestAttempt('reg-1', 'unit-a'))?.id, 'att-2');
    t.same((await store.runtime.attempts('reg-1')).map((a) => [a.unitId, a.number]), [['unit-0', 1], ['unit-a', 1], ['unit-a', 2]]);
    t.equal(await store.runtime.attempt('nope'), null);
  });

  t.test('a commit stores state, statements, documents and registration state together, once', async (t) => {
    const store = await open();
    await enrolled(store);
    const commit: AttemptCommit = {
      attemptId: 'att-1', sequence: 2, state: { 'cmi.core.lesson_status': 'incomplete' }, ended: false, atMs: 300,
      statements: batches[0], documents: [{ key: stateKey, document: document('{"a":1}') }], registrationState: { satisfied: ['b1'] },
    };
    const applied = await store.runtime.applyCommit(commit);
    t.match(applied, { applied: true, previous: { commitSequence: 0, state: null } });
    t.match(await store.runtime.attempt('att-1'), { commitSequence: 2, state: { 'cmi.core.lesson_status': 'incomplete' }, endedMs: null, updatedMs: 300 });
    t.ok(await store.statements.get(batches[0][0].id), 'statements written');
    t.equal((await store.documents.get(stateKey))?.content.toString(), '{"a":1}');
    t.same((await store.runtime.registration('reg-1'))?.state, { satisfied: ['b1'] });
    const replay = await store.runtime.applyCommit({ ...commit, state: { other: true }, sequence: 2 });
    t.match(replay, { applied: false, previous: { commitSequence: 2 } }, 'a replayed commit changes nothing');
    const ended = await store.runtime.applyCommit({ ...commit, sequence: 3, statements: [], documents: [], ended: true, atMs: 400, registrationState: undefined });
    t.equal(ended.applied, true);
    t.match(await store.runtime.attempt('att-1'), { endedMs: 400, commitSequence: 3 });
  });

  t.test('a commit whose statements are refused leaves the attempt as it was', async (t) => {
    const store = await open();
    await enrolled(store);
    await store.statements.insert(batches[0]);
    const changed = { ...batches[0][0], fingerprint: 'different' };
    const error = await store.runtime.applyCommit({
      attemptId: 'att-1', sequence: 1, state: { x: 1 }, ended: false, atMs: 300, statements: [batches[1][0], changed], documents: [{ key: stateKey, document: document('{}') }],
    }).catch((e: unknown) => e);
    t.ok(error instanceof AppError && error.kind === 'conflict');
    t.match(await store.runtime.attempt('att-1'), { commitSequence: 0, state: null });
    t.equal(await store.statements.get(batches[1][0].id), null);
    t.equal(await store.documents.get(stateKey), null);
  });
});
