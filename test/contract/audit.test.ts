/** AuditStore contract: append-only, newest first, paged by sequence, by subject. */
import { contract } from './targets.js';

contract('audit', async (t, open) => {
  const store = await open();
  for (let i = 1; i <= 5; i++) {
    await store.audit.append({ atMs: 100, actorId: i % 2 ? 'u1' : null, action: `act.${i}`, subject: i % 2 ? 'user:u1' : null, ip: null, detail: { i, 'a.b': true } });
  }
  const all = await store.audit.list({ limit: 10 });
  t.same(all.map((a) => a.action), ['act.5', 'act.4', 'act.3', 'act.2', 'act.1'], 'newest first, even at the same atMs');
  t.same(all[0].detail, { i: 5, 'a.b': true });
  const page = await store.audit.list({ limit: 2, beforeSeq: all[1].seq });
  t.same(page.map((a) => a.action), ['act.3', 'act.2']);
  t.same((await store.audit.list({ limit: 10, subject: 'user:u1' })).map((a) => a.action), ['act.5', 'act.3', 'act.1']);
});
