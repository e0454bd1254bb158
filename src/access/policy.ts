/**
 * Who may do what: the one table every route consults.
 *
 * Each route names an action in its config (`config: { policy: 'users.manage' }`); the access guard
 * (`access-guard.ts`) resolves it once when the route is registered, refuses to start if a route has none,
 * and checks it on every request before the body is parsed. A handler then narrows by the grant's scope:
 * `own` (the signed-in user's own records), `country` (the grant's countries) or `all`.
 */
import type { RoleGrant, RoleName, UserRecord } from '../store/ports.js';

export const roleNames: readonly RoleName[] = ['learner', 'author', 'analyst', 'approver', 'admin'];

export type PolicyScope = 'own' | 'country' | 'all';

/** Role × action × scope. A role absent from an action's row may not do it. */
export const policyTable = {
  /** Queue of access requests, approve, reject. */
  'access-requests.review': { approver: 'country', admin: 'all' },
  'users.manage': { admin: 'all' },
  'credentials.manage': { admin: 'all' },
  'mail.read': { admin: 'all' },
  'audit.read': { admin: 'all' },
  /** Transcripts, progress, reports (records context). Analysts read, and change nothing. */
  'records.read': { learner: 'own', analyst: 'all', admin: 'all' },
  /** Withdrawing an issued certificate (records/certificates); the revocation is public on its verification page. */
  'certificates.revoke': { admin: 'all' },
  /** Uploading packages, publishing course versions (packages context). */
  'courses.manage': { author: 'all', admin: 'all' },
  /** Launching and taking courses (runtime context). */
  'courses.take': { learner: 'own', author: 'own', analyst: 'own', approver: 'own', admin: 'own' },
} as const satisfies Record<string, Partial<Record<RoleName, PolicyScope>>>;

export type PolicyAction = keyof typeof policyTable;

/**
 * Policies outside the table:
 * - `public`: anyone, signed in or not (sign-in, request access, set password with a link, static files, docs);
 * - `signed-in`: any active user, for their own session;
 * - `lrs-credential`: the LRS authenticates with its own HTTP Basic credentials; a session cookie grants nothing there.
 * - `launch-token`: the runtime's commit and navigation, called by the player on the content origin with the
 *   launch token (never a cookie); the route checks the token.
 */
export type OpenPolicy = 'public' | 'signed-in' | 'lrs-credential' | 'launch-token';

export type Policy = OpenPolicy | PolicyAction;

export const isPolicy = (name: unknown): name is Policy =>
  typeof name === 'string' &&
  (name === 'public' || name === 'signed-in' || name === 'lrs-credential' || name === 'launch-token' || Object.hasOwn(policyTable, name));

/**
 * Routes other contexts register without `config.policy`, matched in order by method and path prefix.
 * They exist so the LRS (`/xapi`, owned by the lrs context) and swagger-ui (`/docs`) need not know about the
 * policy table. Every other route must name its policy; this list is not to grow.
 */
export const prefixRules: ReadonlyArray<{ readonly method?: string; readonly path: string; readonly exact?: boolean; readonly policy: Policy }> = [
  // CORS preflight and the about resource answer without credentials (xAPI 1.0.3 §2.6 about, §6.4 CORS).
  { method: 'OPTIONS', path: '/xapi/', policy: 'public' },
  { path: '/xapi/about', exact: true, policy: 'public' },
  { path: '/xapi/', policy: 'lrs-credential' },
  { path: '/docs', policy: 'public' },
];

/** The policy of a route: its own `config.policy`, else a prefix rule, else null (the app refuses to start). */
export function resolveRoutePolicy(method: string, url: string, configured: unknown): Policy | null {
  if (configured !== undefined) return isPolicy(configured) ? configured : null;
  for (const rule of prefixRules) {
    if (rule.method && rule.method !== method) continue;
    const base = rule.path.replace(/\/$/, '');
    // A prefix is whole path segments: `/docs` covers `/docs` and `/docs/…`, not `/docsx`.
    if (rule.exact ? url === rule.path : url === base || url.startsWith(`${base}/`)) return rule.policy;
  }
  return null;
}

/** What one user may do for one action: how far, and over which countries when the scope is `country`. */
export interface Grant {
  readonly scope: PolicyScope;
  readonly countries: readonly string[];
}

const breadth: Readonly<Record<PolicyScope, number>> = { own: 0, country: 1, all: 2 };

function scopeOf(grant: RoleGrant, action: PolicyAction): Grant | null {
  const row = policyTable[action] as Partial<Record<RoleName, PolicyScope>>;
  const scope = row[grant.role];
  if (!scope) return null;
  const countries = grant.countries ?? [];
  // A role grant that lists countries narrows `all` to those countries (an analyst limited to countries).
  if (scope === 'all' && countries.length > 0) return { scope: 'country', countries };
  return { scope, countries: scope === 'country' ? countries : [] };
}

/**
 * The widest grant the user's roles give for an action (all > country > own; countries of `country` grants are
 * merged), or null when none of their roles allows it. A suspended user is allowed nothing.
 */
export function grantFor(user: Pick<UserRecord, 'roles' | 'status'>, action: PolicyAction): Grant | null {
  if (user.status !== 'active') return null;
  let best: Grant | null = null;
  for (const role of user.roles) {
    const grant = scopeOf(role, action);
    if (!grant) continue;
    if (!best || breadth[grant.scope] > breadth[best.scope]) best = grant;
    else if (grant.scope === 'country' && best.scope === 'country') {
      best = { scope: 'country', countries: [...new Set([...best.countries, ...grant.countries])] };
    }
  }
  return best;
}

/** Whether a grant covers one target: a record of `ownerId`, in `country`. */
export function covers(grant: Grant, actorId: string, target: { readonly ownerId?: string | null; readonly country?: string | null }): boolean {
  switch (grant.scope) {
    case 'all':
      return true;
    case 'country':
      return target.country != null && grant.countries.includes(target.country);
    case 'own':
      return target.ownerId != null && target.ownerId === actorId;
  }
}

/** Whether anyone in this situation passes the route's policy: for the policy-coverage test and the guard. */
export function admits(policy: Policy, user: Pick<UserRecord, 'roles' | 'status'> | null): boolean {
  if (policy === 'public' || policy === 'lrs-credential' || policy === 'launch-token') return true;
  if (!user || user.status !== 'active') return false;
  if (policy === 'signed-in') return true;
  return grantFor(user, policy) !== null;
}
