/** MailOutbox contract. */
import { contract } from './targets.js';

contract('mail outbox', async (t, open) => {
  const store = await open();
  for (const [id, createdMs] of [['m1', 10], ['m2', 20], ['m3', 20], ['m4', 5]] as const) {
    await store.outbox.enqueue({ id, to: `${id}@academy.example`, subject: `s ${id}`, text: 'body', kind: 'invitation', createdMs });
  }
  t.same((await store.outbox.list(10)).map((m) => m.id), ['m3', 'm2', 'm1', 'm4'], 'newest first; the same time in reverse insertion order');
  t.same(await store.outbox.list(1), [{ id: 'm3', to: 'm3@academy.example', subject: 's m3', text: 'body', kind: 'invitation', createdMs: 20 }]);
});
