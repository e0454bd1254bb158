/** UserStore contract: case-insensitive e-mail, login failures and locks, single-use password tokens. */
import { AppError } from '../../src/errors.js';
import { user } from './people.js';
import { contract } from './targets.js';


contract('users', async (t, open) => {
  t.test('add, case-insensitive uniqueness and lookup, list by e-mail, count, update', async (t) => {
    const store = await open();
    await store.users.add(user('u2', 'Zoe@Academy.example'));
    await store.users.add(user('u1', 'adam@academy.example', { roles: [{ role: 'approver', countries: ['FR', 'BE'] }] }));
    const error = await store.users.add(user('u3', 'ZOE@academy.EXAMPLE')).catch((e: unknown) => e);
    t.ok(error instanceof AppError && error.code === 'email-taken' && error.data.parameter === 'email', 'email-taken');
    t.equal((await store.users.findByEmail('zoe@academy.example'))?.id, 'u2');
    t.equal((await store.users.get('u2'))?.email, 'Zoe@Academy.example', 'as typed');
    t.same((await store.users.list()).map((u) => u.id), ['u1', 'u2']);
    t.equal(await store.users.count(), 2);
    t.same((await store.users.get('u1'))?.roles, [{ role: 'approver', countries: ['FR', 'BE'] }]);
    const updated = await store.users.update('u1', { name: 'Adam', roles: [{ role: 'admin' }] });
    t.match(updated, { name: 'Adam', roles: [{ role: 'admin' }], email: 'adam@academy.example' });
    t.equal(await store.users.update('nobody', { name: 'x' }), null);
  });

  t.test('suspending ends sessions in the same write', async (t) => {
    const store = await open();
    await store.users.add(user('u1', 'a@academy.example'));
    await store.sessions.add({ idHash: 's1', userId: 'u1', csrfToken: 'c', createdMs: 10, expiresMs: 10_000 });
    await store.users.update('u1', { status: 'suspended' });
    t.equal(await store.sessions.get('s1', 20), null);
  });

  t.test('login failures lock at the limit and count again from zero', async (t) => {
    const store = await open();
    await store.users.add(user('u1', 'a@academy.example'));
    t.match(await store.users.recordLoginFailure('u1', 3, 9999), { failedLogins: 1, lockedUntilMs: null });
    t.match(await store.users.recordLoginFailure('u1', 3, 9999), { failedLogins: 2, lockedUntilMs: null });
    t.match(await store.users.recordLoginFailure('u1', 3, 9999), { failedLogins: 0, lockedUntilMs: 9999 });
    await store.users.clearLoginFailures('u1');
    t.match(await store.users.get('u1'), { failedLogins: 0, lockedUntilMs: null });
    t.equal(await store.users.recordLoginFailure('nobody', 3, 1), null);
  });

  t.test('a password token works once, before it expires, and uses the user\'s other tokens', async (t) => {
    const store = await open();
    await store.users.add(user('u1', 'a@academy.example', { lockedUntilMs: 5000, failedLogins: 2 }));
    await store.users.addPasswordToken({ tokenHash: 't1', userId: 'u1', purpose: 'invitation', createdMs: 1, expiresMs: 1000, usedMs: null });
    await store.users.addPasswordToken({ tokenHash: 't2', userId: 'u1', purpose: 'reset', createdMs: 2, expiresMs: 1000, usedMs: null });
    await store.sessions.add({ idHash: 's1', userId: 'u1', csrfToken: 'c', createdMs: 10, expiresMs: 10_000 });
    t.equal(await store.users.setPasswordWithToken('t1', 'hash', 1000), null, 'expired at 1000');
    t.match(await store.users.findPasswordToken('t1'), { usedMs: null }, 'nothing changed');
    t.match(await store.users.setPasswordWithToken('t1', 'hash', 500), { passwordHash: 'hash', lockedUntilMs: null, failedLogins: 0 });
    t.match(await store.users.findPasswordToken('t1'), { usedMs: 500 });
    t.match(await store.users.findPasswordToken('t2'), { usedMs: 500 }, 'the other token too');
    t.equal(await store.users.setPasswordWithToken('t2', 'other', 600), null, 'single use');
    t.equal(await store.sessions.get('s1', 20), null, 'sessions ended');
    t.equal(await store.users.findPasswordToken('nope'), null);
  });
});
