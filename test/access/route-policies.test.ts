import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import t from 'tap';
import { admits, createAccess, createCredentialService, type Policy } from '../../src/access/index.js';
import type { RoleGrant } from '../../src/store/ports.js';
import { translate } from '../../src/web/index.js';
import { createTestApp, type SignedIn } from '../fixtures/test-app.js';

/** Everyone the policy table distinguishes, and nobody. */
const people: Record<string, RoleGrant[] | null> = {
  anonymous: null,
  learner: [{ role: 'learner' }],
  author: [{ role: 'author' }],
  analyst: [{ role: 'analyst' }],
  'analyst limited to countries': [{ role: 'analyst', countries: ['FR'] }],
  approver: [{ role: 'approver', countries: ['FR'] }],
  admin: [{ role: 'admin' }],
};

const fill = (url: string) => url.replace(/:id\b/g, randomUUID()).replace(/:key\b/g, 'no-such-key').replace(/:(\w+)/g, 'x').replace(/\*/g, 'x');

/** The guard's refusals, as JSON (`error`), as a page (`data-error`), or a page redirecting to sign in. */
function refusal(res: { statusCode: number; body: string; headers: Record<string, unknown> }, method: string, policy: string): string | null {
  if (res.statusCode === 303 && String(res.headers.location).startsWith('/sign-in?next=')) return 'sign-in-required';
  if (res.statusCode !== 401 && res.statusCode !== 403) return null;
  // HEAD answers have no body: only the status tells.
  if (method === 'HEAD') return res.statusCode === 403 ? 'not-allowed' : policy === 'lrs-credential' ? 'credentials-missing' : 'sign-in-required';
  const code = /"error":"([\w-]+)"/.exec(res.body)?.[1] ?? /data-error="([\w-]+)"/.exec(res.body)?.[1] ?? 'unknown';
  return ['sign-in-required', 'not-allowed', 'credentials-missing'].includes(code) ? code : null;
}

t.test('every route × every role gets what the policy table says', async (t) => {
  // Every route is tried by everyone, sign-in routes included: no per-address throttling here.
  const lrs = await createTestApp({ 'login-rate-limit': '100000' });
  t.teardown(() => lrs.close());
  const users: Record<string, Awaited<ReturnType<typeof lrs.addUser>>> = {};
  const sessions: Record<string, SignedIn | null> = {};
  const grants: Record<string, { roles: RoleGrant[]; status: 'active' } | null> = {};
  for (const [name, roles] of Object.entries(people)) {
    if (roles) users[name] = await lrs.addUser(roles);
    sessions[name] = roles ? await lrs.signIn(users[name]) : null;
    grants[name] = roles ? { roles, status: 'active' } : null;
  }
  const routes = lrs.app.routePolicies;
  t.ok(routes.length > 40, `the guard saw ${routes.length} routes`);
  t.ok(routes.some((r) => r.url.startsWith('/xapi/')) && routes.some((r) => r.url.startsWith('/api/')) && routes.some((r) => r.url === '/health'));

  for (const route of routes) {
    t.test(`${route.method} ${route.url} (${route.policy})`, async (t) => {
      for (const [name, session] of Object.entries(sessions)) {
        const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
        const res = await lrs.as(session, {
          method: route.method as 'GET',
          url: fill(route.url),
          headers: { 'x-experience-api-version': '1.0.3', ...(hasBody && { 'content-type': 'application/json' }) },
          ...(hasBody && { payload: '{}' }),
        });
        const refused = refusal(res, route.method, route.policy);
        // Signing out ends the session: sign in again for the routes still to try.
        if (session && res.statusCode < 400 && /session|sign-out/.test(route.url)) sessions[name] = await lrs.signIn(users[name]);
        if (route.policy === 'lrs-credential') {
          // A session cookie is worth nothing to the LRS: only its own HTTP Basic credentials are.
          t.equal(refused, 'credentials-missing', `${name}: the LRS asks for its credentials (${res.statusCode})`);
        } else if (admits(route.policy as Policy, grants[name])) {
          t.equal(refused, null, `${name}: allowed (${res.statusCode})`);
        } else {
          t.equal(refused, name === 'anonymous' ? 'sign-in-required' : 'not-allowed', `${name}: refused (${res.statusCode})`);
        }
      }
    });
  }
});

t.test('a route without a policy, or with an unknown one, stops the app from starting', async (t) => {
  const lrs = await createTestApp();
  t.teardown(() => lrs.close());
  const access = await createAccess({
    store: lrs.store,
    credentials: createCredentialService({ credentials: lrs.store.credentials, publicUrl: lrs.config.publicUrl }),
    settings: lrs.config,
    translate,
  });
  for (const config of [undefined, { policy: 'everyone' }]) {
    const app = Fastify();
    await access.installGuard(app);
    app.register(async (child) => {
      child.get('/reports/secret', { ...(config && { config }) }, async () => 'secret');
    });
    await t.rejects(app.ready(), /\/reports\/secret has no access policy/);
    await app.close().catch(() => {});
  }
  const app = Fastify();
  await access.installGuard(app);
  app.get('/reports/ok', { config: { policy: 'records.read' } }, async () => 'ok');
  await t.resolves(app.ready(), 'with a policy it starts');
  await app.close();
});
