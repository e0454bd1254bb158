/** AccessRequestStore contract: one pending request per address; approval and rejection all or nothing. */
import { AppError } from '../../src/errors.js';
import type { AccessRequestRecord } from '../../src/store/ports.js';
import { contract } from './targets.js';
import { user } from './people.js';

const request = (id: string, email: string, country: string, createdMs: number): AccessRequestRecord => ({
  id, name: `Req ${id}`, email, agency: 'Police', country, position: 'Inspector', reason: 'training', language: 'en', status: 'pending',
  createdMs, decidedMs: null, decidedBy: null, rejectionReason: null, userId: null,
});
const audit = (action: string) => ({ atMs: 5, actorId: 'admin', action, subject: 'access-request:x', ip: '127.0.0.1', detail: { note: 'n' } });
const mail = (id: string) => ({ id, to: 'x@academy.example', subject: 's', text: 't', kind: 'invitation', createdMs: 5 });

contract('access requests', async (t, open) => {
  t.test('add, one pending per address, find, list by status and country', async (t) => {
    const store = await open();
    await store.accessRequests.add(request('r1', 'Ana@academy.example', 'FR', 1));
    await store.accessRequests.add(request('r2', 'ben@academy.example', 'DE', 2));
    const error = await store.accessRequests.add(request('r3', 'ana@ACADEMY.example', 'FR', 3)).catch((e: unknown) => e);
    t.ok(error instanceof AppError && error.code === 'access-request-pending', 'pending for the address');
    t.equal((await store.accessRequests.findPending('ANA@academy.example'))?.id, 'r1');
    t.same((await store.accessRequests.list({})).map((r) => r.id), ['r1', 'r2']);
    t.same((await store.accessRequests.list({ countries: ['DE'] })).map((r) => r.id), ['r2']);
    t.same((await store.accessRequests.list({ countries: [] })).map((r) => r.id), []);
    t.same((await store.accessRequests.list({ status: 'approved' })).map((r) => r.id), []);
  });

  t.test('approve writes user, token, mail, audit and decision together; a second decision conflicts', async (t) => {
    const store = await open();
    await store.accessRequests.add(request('r1', 'ana@academy.example', 'FR', 1));
    const approved = await store.accessRequests.approve({
      requestId: 'r1', decidedBy: 'admin', decidedMs: 10, user: user('u1', 'ana@academy.example'),
      token: { tokenHash: 't1', userId: 'u1', purpose: 'invitation', createdMs: 10, expiresMs: 99, usedMs: null }, mail: mail('m1'), audit: audit('access-request.approved'),
    });
    t.match(approved, { status: 'approved', decidedMs: 10, decidedBy: 'admin', userId: 'u1' });
    t.ok(await store.users.get('u1'));
    t.ok(await store.users.findPasswordToken('t1'));
    t.same((await store.outbox.list(10)).map((m) => m.id), ['m1']);
    t.same((await store.audit.list({ limit: 10 })).map((a) => a.action), ['access-request.approved']);
    t.equal(await store.accessRequests.findPending('ana@academy.example'), null);
    const again = await store.accessRequests.reject({ requestId: 'r1', decidedBy: 'admin', decidedMs: 11, reason: 'no', mail: null, audit: audit('x') }).catch((e: unknown) => e);
    t.ok(again instanceof AppError && again.code === 'access-request-decided');
    const missing = await store.accessRequests.reject({ requestId: 'nope', decidedBy: 'admin', decidedMs: 11, reason: 'no', mail: null, audit: audit('x') }).catch((e: unknown) => e);
    t.ok(missing instanceof AppError && missing.kind === 'not-found');
  });

  t.test('an approval that fails (address taken) leaves everything as it was', async (t) => {
    const store = await open();
    await store.users.add(user('u0', 'ana@academy.example'));
    await store.accessRequests.add(request('r1', 'ana@academy.example', 'FR', 1));
    const error = await store.accessRequests.approve({
      requestId: 'r1', decidedBy: 'admin', decidedMs: 10, user: user('u1', 'Ana@academy.example'),
      token: { tokenHash: 't1', userId: 'u1', purpose: 'invitation', createdMs: 10, expiresMs: 99, usedMs: null }, mail: mail('m1'), audit: audit('access-request.approved'),
    }).catch((e: unknown) => e);
    t.ok(error instanceof AppError && error.code === 'email-taken');
    t.match(await store.accessRequests.get('r1'), { status: 'pending' });
    t.equal(await store.users.findPasswordToken('t1'), null);
    t.same(await store.outbox.list(10), []);
    t.same(await store.audit.list({ limit: 10 }), []);
  });

  t.test('reject with a reason, the mail and the audit record', async (t) => {
    const store = await open();
    await store.accessRequests.add(request('r1', 'ana@academy.example', 'FR', 1));
    t.match(await store.accessRequests.reject({ requestId: 'r1', decidedBy: 'ap', decidedMs: 12, reason: 'not eligible', mail: mail('m2'), audit: audit('access-request.rejected') }),
      { status: 'rejected', rejectionReason: 'not eligible', userId: null });
    t.same((await store.outbox.list(10)).map((m) => m.id), ['m2']);
    await store.accessRequests.add(request('r2', 'ana@academy.example', 'FR', 20));
    t.equal((await store.accessRequests.findPending('ana@academy.example'))?.id, 'r2', 'a new request once the earlier one is decided');
  });
});
