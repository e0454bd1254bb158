import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../errors.js';
import type { UserRecord } from '../store/ports.js';
import { admits, grantFor, resolveRoutePolicy, type Grant, type Policy } from './policy.js';
import type { ActiveSession, SessionService } from './session-service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's entry in `src/access/policy.ts`; a route without one stops the app from starting. */
    policy?: string;
  }
  interface FastifyRequest {
    /** Who is asking, set by the access guard for every route it checks (not for `lrs-credential` routes). */
    access: RequestAccess | null;
  }
  interface FastifyInstance {
    /** Every route and the policy the guard resolved for it, in registration order (for tests and audits). */
    routePolicies: readonly RoutePolicy[];
  }
}

export interface RequestAccess {
  readonly policy: Policy;
  readonly session: ActiveSession | null;
  readonly user: UserRecord | null;
  /** The user's grant for the route's action (null for `public` and `signed-in`). */
  readonly grant: Grant | null;
}

export interface RoutePolicy {
  readonly method: string;
  readonly url: string;
  readonly policy: Policy;
}

export const sessionCookieName = 'cadet_session';
export const csrfHeader = 'x-csrf-token';
export const csrfField = '_csrf';

export interface GuardOptions {
  readonly sessions: Pick<SessionService, 'load'>;
  readonly cookieSecret: string;
  /** Secure cookies when PUBLIC_URL is https. */
  readonly secure: boolean;
  /** Cookie path: PUBLIC_URL's path, or `/`. */
  readonly path: string;
  readonly sessionTtlMinutes: number;
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const mediaType = (request: FastifyRequest) => (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

export function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/**
 * Authorisation in one place. Must be installed on the root instance before any route is registered:
 * - `onRoute`: every route gets its policy (`config.policy`, or a prefix rule of `policy.ts`); a route without one
 *   throws, so the app fails to start;
 * - `onRequest` (before the body is read): loads the session, answers 401/403 from the policy table, and checks
 *   CSRF for state-changing requests: a JSON body (a non-simple request, which a cross-site form cannot send) or
 *   the session's token in `X-CSRF-Token`; otherwise a form body must carry it in `_csrf` (checked in `preHandler`).
 * Returns the list of routes and their policies, filled as routes are registered.
 */
export async function installAccessGuard(app: FastifyInstance, options: GuardOptions): Promise<readonly RoutePolicy[]> {
  const routes: RoutePolicy[] = [];
  const csrfPending = new WeakSet<FastifyRequest>();
  await app.register(cookie, { secret: options.cookieSecret });
  app.decorateRequest('access', null);
  app.decorate('routePolicies', routes);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const policy = resolveRoutePolicy(methods[0], route.url, route.config?.policy);
    if (!policy) {
      throw new Error(
        `route ${methods.join(',')} ${route.url} has no access policy (or an unknown one): give it config.policy, an action of src/access/policy.ts`,
      );
    }
    route.config = { ...route.config, policy };
    for (const method of methods) routes.push({ method, url: route.url, policy });
  });

  app.addHook('onRequest', async (request) => {
    const policy = request.routeOptions.config?.policy as Policy | undefined;
    // No route (404), or a route with credentials of its own (LRS Basic credentials, launch tokens): no session, no CSRF.
    if (policy === undefined || policy === 'lrs-credential' || policy === 'launch-token') return;
    const signed = request.cookies[sessionCookieName];
    const unsigned = signed ? request.unsignCookie(signed) : null;
    const session = unsigned?.valid ? await options.sessions.load(unsigned.value) : null;
    const user = session?.user ?? null;
    const grant = user && policy !== 'public' && policy !== 'signed-in' ? grantFor(user, policy) : null;
    request.access = { policy, session, user, grant };
    if (!admits(policy, user)) {
      if (!user) throw unauthenticated('sign-in-required', 'sign in first', { policy });
      throw forbidden('not-allowed', `your roles do not allow ${policy}`, { policy });
    }
    if (!stateChanging.has(request.method)) return;
    if (mediaType(request) === 'application/json') return;
    if (session && sameToken(session.record.csrfToken, request.headers[csrfHeader])) return;
    if (request.routeOptions.url?.startsWith('/api/') || mediaType(request) !== 'application/x-www-form-urlencoded') {
      throw forbidden('csrf-check-failed', 'send JSON (Content-Type: application/json) or the X-CSRF-Token header', { header: 'Content-Type' });
    }
    csrfPending.add(request);
  });

  app.addHook('preHandler', async (request) => {
    if (!csrfPending.has(request)) return;
    const given = (request.body as Record<string, unknown> | undefined)?.[csrfField];
    const session = request.access?.session;
    if (!session || !sameToken(session.record.csrfToken, given)) {
      throw forbidden('csrf-check-failed', 'the form is missing its security token or it has expired: reload the page and try again', { parameter: csrfField });
    }
  });

  return routes;
}

/** Writing and clearing the session cookie: signed, HttpOnly, SameSite=Lax, Secure under https. */
export function sessionCookies(options: Pick<GuardOptions, 'secure' | 'path' | 'sessionTtlMinutes'>) {
  const base = { path: options.path, httpOnly: true, sameSite: 'lax' as const, secure: options.secure, signed: true };
  return {
    set(reply: FastifyReply, session: ActiveSession): void {
      reply.setCookie(sessionCookieName, session.id, { ...base, expires: new Date(session.record.expiresMs) });
    },
    clear(reply: FastifyReply): void {
      reply.clearCookie(sessionCookieName, base);
    },
  };
}

export type SessionCookies = ReturnType<typeof sessionCookies>;
