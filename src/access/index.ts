import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/ports.js';
import { installAccessGuard, sessionCookies, type RoutePolicy } from './access-guard.js';
import { createAccessRequestService } from './access-request-service.js';
import type { AccessSettings, Translate } from './access-settings.js';
import { createAccessApi } from './api/access-api.js';
import type { CredentialService } from './credentials/credential-service.js';
import { createLoginThrottle } from './login-throttle.js';
import { randomToken } from './passwords.js';
import { createSessionService } from './session-service.js';
import { createUserService } from './user-service.js';

export { allScopes, createCredentialService, defaultScopes, hasScope } from './credentials/credential-service.js';
export type { CredentialService, IssuedCredential, LrsPrincipal } from './credentials/credential-service.js';
export { csrfField, csrfHeader, sameToken, sessionCookieName } from './access-guard.js';
export type { RequestAccess, RoutePolicy } from './access-guard.js';
export type { AccessSettings, Actor, Translate } from './access-settings.js';
export type { AccessRequestView } from './access-request-service.js';
export { actorOf, fieldOf, grantOf, sendApiError, userOf } from './api/api-support.js';
export { countryCodes, isCountryCode } from './countries.js';
export { TooManyAttempts } from './login-throttle.js';
export { minPasswordLength } from './passwords.js';
export { admits, covers, grantFor, policyTable, prefixRules, resolveRoutePolicy, roleNames } from './policy.js';
export type { Grant, Policy, PolicyAction, PolicyScope } from './policy.js';
export type { ActiveSession } from './session-service.js';
export { createUserService, viewUser } from './user-service.js';
export type { NewUser, UserView } from './user-service.js';

export interface AccessDeps {
  readonly store: Pick<Store, 'users' | 'sessions' | 'accessRequests' | 'audit' | 'outbox'>;
  readonly credentials: CredentialService;
  readonly settings: AccessSettings;
  /** Signs the session cookie; when empty, a random secret kept in the store (made on first start). */
  readonly cookieSecret?: string;
  readonly translate: Translate;
  readonly now?: () => number;
}

/**
 * The access context: people, roles, sessions, access requests, and the guard that applies `policy.ts` to every
 * route. `installGuard` must run on the root instance before any route is registered.
 */
export async function createAccess({ store, credentials, settings, cookieSecret, translate, now = Date.now }: AccessDeps) {
  const throttle = createLoginThrottle({ max: settings.loginRateLimit, windowMs: 60_000, now });
  const users = createUserService({ users: store.users, audit: store.audit, outbox: store.outbox, settings, translate, now });
  const sessions = createSessionService({ users: store.users, sessions: store.sessions, audit: store.audit, throttle, settings, now });
  const accessRequests = createAccessRequestService({ requests: store.accessRequests, users: store.users, audit: store.audit, settings, translate, now });
  const url = new URL(settings.publicUrl);
  const cookieOptions = {
    secure: url.protocol === 'https:',
    path: url.pathname.replace(/\/+$/, '') || '/',
    sessionTtlMinutes: settings.sessionTtlMinutes,
  };
  const cookies = sessionCookies(cookieOptions);
  const secret = cookieSecret || (await store.sessions.signingSecret(randomToken));

  return {
    users,
    sessions,
    accessRequests,
    credentials,
    audit: store.audit,
    outbox: store.outbox,
    cookies,
    settings,
    now,
    installGuard: (app: FastifyInstance): Promise<readonly RoutePolicy[]> =>
      installAccessGuard(app, { sessions, cookieSecret: secret, ...cookieOptions }),
    /** The JSON API, to mount at `/api`. */
    api: createAccessApi({ users, sessions, accessRequests, credentials, audit: store.audit, outbox: store.outbox, cookies, now }),
  };
}

export type Access = Awaited<ReturnType<typeof createAccess>>;
