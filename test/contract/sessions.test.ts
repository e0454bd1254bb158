/** SessionStore contract. */
import { user } from './people.js';
import { contract } from './targets.js';

contract('sessions', async (t, open) => {
  const store = await open();
  await store.users.add(user('u1', 'u1@academy.example'));
  await store.sessions.add({ idHash: 'old', userId: null, csrfToken: 'c0', createdMs: 0, expiresMs: 50 });
  await store.sessions.add({ idHash: 'a', userId: null, csrfToken: 'c1', createdMs: 100, expiresMs: 1000 });
  await store.sessions.add({ idHash: 'b', userId: 'u1', csrfToken: 'c2', createdMs: 100, expiresMs: 1000 });
  await store.sessions.add({ idHash: 'c', userId: 'u1', csrfToken: 'c3', createdMs: 100, expiresMs: 1000 });
  t.equal(await store.sessions.get('old', 10), null, 'expired sessions were removed when a later one was added');
  t.same(await store.sessions.get('a', 999), { idHash: 'a', userId: null, csrfToken: 'c1', createdMs: 100, expiresMs: 1000 });
  t.equal(await store.sessions.get('a', 1000), null, 'expired at expiresMs');
  await store.sessions.delete('a');
  await store.sessions.delete('a');
  t.equal(await store.sessions.get('a', 500), null, 'deleted, idempotently');
  await store.sessions.deleteForUser('u1');
  t.equal(await store.sessions.get('b', 500), null);
  t.equal(await store.sessions.get('c', 500), null);
  const first = await store.sessions.signingSecret(() => 'first-secret');
  const second = await store.sessions.signingSecret(() => 'second-secret');
  t.equal(first, 'first-secret');
  t.equal(second, 'first-secret', 'the stored secret stays');
});
