import t from 'tap';
import { covers, createUserService, grantFor, policyTable, resolveRoutePolicy, roleNames } from '../../src/access/index.js';
import type { RoleGrant } from '../../src/store/ports.js';
import { translate } from '../../src/web/index.js';
import { createTestApp } from '../fixtures/test-app.js';

const user = (...roles: RoleGrant[]) => ({ roles, status: 'active' as const });

t.test('grants: the widest scope a user has, countries merged', async (t) => {
  t.same(grantFor(user({ role: 'learner' }), 'records.read'), { scope: 'own', countries: [] });
  t.same(grantFor(user({ role: 'analyst' }), 'records.read'), { scope: 'all', countries: [] });
  t.same(grantFor(user({ role: 'analyst', countries: ['FR', 'BE'] }), 'records.read'), { scope: 'country', countries: ['FR', 'BE'] }, 'an analyst limited to countries');
  t.same(grantFor(user({ role: 'learner' }, { role: 'analyst' }), 'records.read'), { scope: 'all', countries: [] }, 'the wider role wins');
  t.same(grantFor(user({ role: 'approver', countries: ['FR'] }), 'access-requests.review'), { scope: 'country', countries: ['FR'] });
  t.same(grantFor(user({ role: 'approver', countries: ['FR'] }, { role: 'analyst', countries: ['DE'] }), 'records.read'), { scope: 'country', countries: ['DE'] });
  t.equal(grantFor(user({ role: 'analyst' }), 'users.manage'), null, 'analysts change nothing');
  t.equal(grantFor(user({ role: 'author' }), 'access-requests.review'), null);
  t.equal(grantFor({ roles: [{ role: 'admin' }], status: 'suspended' }, 'users.manage'), null, 'a suspended admin can do nothing');
  for (const action of Object.keys(policyTable)) {
    const row = policyTable[action as keyof typeof policyTable] as Record<string, string>;
    for (const role of Object.keys(row)) t.ok(roleNames.includes(role as never), `${action}: ${role} is a role`);
    t.notOk('analyst' in row && !action.endsWith('.read') && action !== 'courses.take', `${action}: analysts only read`);
  }
});

t.test('covers: own, country, all', async (t) => {
  t.ok(covers({ scope: 'own', countries: [] }, 'u1', { ownerId: 'u1' }));
  t.notOk(covers({ scope: 'own', countries: [] }, 'u1', { ownerId: 'u2' }));
  t.ok(covers({ scope: 'country', countries: ['FR'] }, 'u1', { country: 'FR' }));
  t.notOk(covers({ scope: 'country', countries: ['FR'] }, 'u1', { country: 'DE' }));
  t.notOk(covers({ scope: 'country', countries: ['FR'] }, 'u1', { ownerId: 'u1' }), 'own records are not implied by a country scope');
  t.ok(covers({ scope: 'all', countries: [] }, 'u1', {}));
});

t.test('route policies: configured, or the documented prefix rules', async (t) => {
  t.equal(resolveRoutePolicy('GET', '/api/users', 'users.manage'), 'users.manage');
  t.equal(resolveRoutePolicy('GET', '/api/users', 'no-such-action'), null);
  t.equal(resolveRoutePolicy('GET', '/reports', undefined), null);
  t.equal(resolveRoutePolicy('POST', '/xapi/statements', undefined), 'lrs-credential');
  t.equal(resolveRoutePolicy('GET', '/xapi/about', undefined), 'public');
  t.equal(resolveRoutePolicy('OPTIONS', '/xapi/*', undefined), 'public');
  t.equal(resolveRoutePolicy('GET', '/docs/json', undefined), 'public');
  t.equal(resolveRoutePolicy('GET', '/docsx', undefined), null, 'a prefix is a path segment, not any string');
  t.equal(resolveRoutePolicy('GET', '/xapi/statements', 'public'), 'public', 'a route may say more than its prefix');
});

t.test('the first admin of an empty store', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const service = createUserService({ users: lrs.store.users, audit: lrs.store.audit, outbox: lrs.store.outbox, settings: lrs.config, translate, now: Date.now });
  const first = await service.ensureFirstAdmin({});
  t.ok(first?.generated, 'a generated one-time password');
  t.ok(first!.password!.length >= 12);
  t.equal((await service.ensureFirstAdmin({})), null, 'only once');
  const session = await lrs.signIn({ email: first!.email, password: first!.password! });
  const me = await lrs.as(session, { method: 'GET', url: '/api/session' });
  t.same(me.json().user.roles, [{ role: 'admin' }]);

  const other = await createTestApp();
  t.teardown(() => other.close());
  const fromEnv = createUserService({ users: other.store.users, audit: other.store.audit, outbox: other.store.outbox, settings: other.config, translate, now: Date.now });
  const made = await fromEnv.ensureFirstAdmin({ ADMIN_EMAIL: 'chief@academy.example', ADMIN_PASSWORD: 'the operator chose this' });
  t.same(made, { email: 'chief@academy.example', password: null, generated: false }, 'the password from the environment is not echoed');
  t.ok(await other.signIn({ email: 'chief@academy.example', password: 'the operator chose this' }));
});

t.test('roles are checked and name the field', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const admin = await lrs.signIn(await lrs.addUser([{ role: 'admin' }]));
  const learner = await lrs.addUser([{ role: 'learner' }]);
  const cases: Array<[unknown, string, string]> = [
    [[{ role: 'approver' }], 'roles/0/countries', 'approver-countries-missing'],
    [[{ role: 'approver', countries: ['XX'] }], 'roles/0/countries/0', 'country-invalid'],
    [[{ role: 'learner', countries: ['FR'] }], 'roles/0/countries', 'countries-not-allowed'],
    [[{ role: 'learner' }, { role: 'learner' }], 'roles/1', 'role-repeated'],
    [[{ role: 'superuser' }], 'roles/0/role', 'FST_ERR_VALIDATION'],
  ];
  for (const [roles, parameter, error] of cases) {
    const res = await lrs.as(admin, { method: 'PUT', url: `/api/users/${learner.user.id}/roles`, payload: { roles } });
    t.equal(res.statusCode, 400, JSON.stringify(roles));
    t.equal(res.json().parameter, parameter);
    if (!error.startsWith('FST')) t.equal(res.json().error, error);
  }
  const ok = await lrs.as(admin, { method: 'PUT', url: `/api/users/${learner.user.id}/roles`, payload: { roles: [{ role: 'learner' }, { role: 'approver', countries: ['fr', 'BE'] }] } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json().user.roles, [{ role: 'learner' }, { role: 'approver', countries: ['FR', 'BE'] }]);
  const dropOwn = await lrs.as(admin, { method: 'PUT', url: `/api/users/${admin.userId}/roles`, payload: { roles: [{ role: 'learner' }] } });
  t.equal(dropOwn.statusCode, 409, 'an admin cannot remove their own admin role');
});
