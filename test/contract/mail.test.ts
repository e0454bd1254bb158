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

contract('mail delivery bookkeeping', async (t, open) => {
  const store = await open();
  const delivery = store.outbox.delivery;
  t.ok(delivery, 'the store records delivery');
  if (!delivery) return;
  let heard = 0;
  const stop = delivery.watch(() => {
    heard += 1;
  });
  t.equal(await delivery.nextAttemptMs(), null, 'nothing queued: no wake-up');
  for (const [id, createdMs] of [['a', 100], ['b', 200], ['c', 300]] as const) {
    await store.outbox.enqueue({ id, to: `${id}@academy.example`, subject: id, text: 'body', kind: 'invitation', createdMs });
  }
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(heard >= 1, 'watchers hear of new mail once it is committed');
  stop();
  t.equal(await delivery.nextAttemptMs(), 100, 'due from its creation');
  t.same(await delivery.claimDue(50, 1000, 10), [], 'nothing claimed before it is due…');
  const claimed = await delivery.claimDue(250, 1000, 10);
  t.same(claimed.map((m) => [m.id, m.attempts]), [['a', 1], ['b', 1]], '…then the due ones, earliest first, the attempt counted');
  t.same(await delivery.claimDue(260, 1000, 10), [], 'a claimed message is leased: no other sender takes it');
  await delivery.markFailed('a', { error: 'RCPT TO: 450 mailbox busy', nextAttemptMs: 400 });
  await delivery.markSent('b', 270);
  await delivery.markSent('b', 280);
  const listed = new Map((await delivery.list(10)).map((m) => [m.id, m.delivery]));
  t.same(listed.get('a'), { status: 'failed', attempts: 1, lastError: 'RCPT TO: 450 mailbox busy', lastAttemptMs: 250, nextAttemptMs: 400, sentMs: null }, 'a failure with its retry time');
  t.same(listed.get('b'), { status: 'sent', attempts: 1, lastError: null, lastAttemptMs: 250, nextAttemptMs: null, sentMs: 270 }, 'sent once: marking it again changes nothing');
  t.same(listed.get('c'), { status: 'pending', attempts: 0, lastError: null, lastAttemptMs: null, nextAttemptMs: 300, sentMs: null });
  t.same((await delivery.list(10)).map((m) => m.id), ['c', 'b', 'a'], 'newest first, as the outbox lists');
  await delivery.markFailed('b', { error: 'late failure', nextAttemptMs: 500 });
  t.match((await delivery.list(10)).find((m) => m.id === 'b')?.delivery, { status: 'sent' }, 'a failure reported after success never undoes it');
  t.equal(await delivery.nextAttemptMs(), 300);

  // Two senders at once: each message goes to one of them.
  const [one, two] = await Promise.all([delivery.claimDue(450, 1000, 1), delivery.claimDue(450, 1000, 1)]);
  t.same([...one, ...two].map((m) => m.id).sort(), ['a', 'c'], 'two claims at once take different messages');
  const [three, four] = await Promise.all([delivery.claimDue(460, 1000, 5), delivery.claimDue(460, 1000, 5)]);
  t.same([...three, ...four], [], 'and nothing twice');
  t.same((await delivery.claimDue(1500, 1000, 5)).map((m) => [m.id, m.attempts]).sort(), [['a', 3], ['c', 2]], 'a lease that runs out makes the message due again (the sender died)');
  await delivery.markFailed('c', { error: '550 no such user', nextAttemptMs: null });
  t.match((await delivery.list(10)).find((m) => m.id === 'c')?.delivery, { status: 'failed', nextAttemptMs: null }, 'given up: never due again');
  t.equal(await delivery.nextAttemptMs(), 2500, 'only the leased message is pending');
});
