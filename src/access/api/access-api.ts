import type { FastifyInstance } from 'fastify';
import type { CredentialService } from '../credentials/credential-service.js';
import type { AccessRequestService } from '../access-request-service.js';
import type { SessionCookies } from '../access-guard.js';
import type { SessionService } from '../session-service.js';
import { viewUser, type NewUser, type UserService } from '../user-service.js';
import type { AuditStore, MailOutbox } from '../../store/ports.js';
import { actorOf, grantOf, idParams, roleGrantSchema, security, sendApiError, userOf, userSchema } from './api-support.js';

export interface AccessApiDeps {
  readonly users: UserService;
  readonly sessions: SessionService;
  readonly accessRequests: AccessRequestService;
  readonly credentials: Pick<CredentialService, 'issue' | 'list' | 'revoke'>;
  readonly audit: Pick<AuditStore, 'append' | 'list'>;
  readonly outbox: Pick<MailOutbox, 'list'>;
  readonly cookies: SessionCookies;
  readonly now: () => number;
}

const sessionBody = {
  type: 'object',
  properties: { user: userSchema, csrfToken: { type: 'string', description: 'Send as X-CSRF-Token with requests that are not JSON' } },
} as const;

const accessRequestSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    agency: { type: 'string' },
    country: { type: 'string' },
    position: { type: 'string' },
    reason: { type: 'string' },
    status: { enum: ['pending', 'approved', 'rejected'] },
    created: { type: 'string' },
    stale: { type: 'boolean', description: 'Pending for longer than ACCESS_REQUEST_STALE_DAYS' },
    decided: { type: ['string', 'null'] },
    decidedBy: { type: ['string', 'null'] },
    rejectionReason: { type: ['string', 'null'] },
    userId: { type: ['string', 'null'] },
  },
} as const;

const emptyBody = { type: 'object', additionalProperties: false, description: 'Send {} (a JSON body makes the request non-simple, see CSRF)' } as const;

/**
 * The JSON API of the access context, mounted at `/api`: every page action's twin. State-changing requests must be
 * JSON or carry X-CSRF-Token (checked by the access guard); each route names its policy.
 */
export function createAccessApi(deps: AccessApiDeps) {
  const { users, sessions, accessRequests, credentials, audit, outbox, cookies, now } = deps;

  return async function accessApi(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(sendApiError);

    // --- session -------------------------------------------------------------------------------------------
    const sessionTags = ['session'];
    app.post<{ Body: { email: string; password: string } }>('/session', {
      config: { policy: 'public' },
      schema: {
        tags: sessionTags,
        summary: 'Sign in: sets the session cookie (a new id each time); 401 naming the field, 429 when throttled',
        security: [],
        body: { type: 'object', required: ['email', 'password'], additionalProperties: false, properties: { email: { type: 'string' }, password: { type: 'string' } } },
        response: { 200: sessionBody },
      },
    }, async (request, reply) => {
      const session = await sessions.signIn(request.body.email, request.body.password, actorOf(request), request.access?.session ?? null);
      cookies.set(reply, session);
      return { user: viewUser(session.user!, now()), csrfToken: session.record.csrfToken };
    });

    app.get('/session', {
      config: { policy: 'signed-in' },
      schema: { tags: sessionTags, summary: 'Who is signed in (401 if nobody)', security, response: { 200: sessionBody } },
    }, async (request) => ({ user: viewUser(userOf(request), now()), csrfToken: request.access!.session!.record.csrfToken }));

    app.delete('/session', {
      config: { policy: 'signed-in' },
      schema: { tags: sessionTags, summary: 'Sign out (send X-CSRF-Token, or Content-Type: application/json with {})', security },
    }, async (request, reply) => {
      await sessions.signOut(request.access!.session!, actorOf(request));
      cookies.clear(reply);
      return reply.code(204).send();
    });

    app.post<{ Body: { email: string } }>('/password-resets', {
      config: { policy: 'public' },
      schema: {
        tags: sessionTags,
        summary: 'Mail a single-use, expiring reset link if an active account has the address (the answer never tells)',
        security: [],
        body: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: { type: 'string' } } },
      },
    }, async (request, reply) => {
      await users.requestPasswordReset(request.body.email, actorOf(request));
      return reply.code(202).send({ status: 'accepted' });
    });

    app.post<{ Body: { token: string; password: string } }>('/password', {
      config: { policy: 'public' },
      schema: {
        tags: sessionTags,
        summary: 'Set a password with the token of an invitation or reset link (single use); ends every session of the user',
        security: [],
        body: { type: 'object', required: ['token', 'password'], additionalProperties: false, properties: { token: { type: 'string' }, password: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { user: userSchema } } },
      },
    }, async (request) => ({ user: viewUser(await users.setPassword(request.body.token, request.body.password, actorOf(request)), now()) }));

    // --- access requests -----------------------------------------------------------------------------------
    const requestTags = ['access requests'];
    app.post<{ Body: Record<string, string> }>('/access-requests', {
      config: { policy: 'public' },
      schema: {
        tags: requestTags,
        summary: 'Ask for an account; 409 naming email if a request is pending or an account exists',
        security: [],
        body: {
          type: 'object',
          required: ['name', 'email', 'agency', 'country', 'position', 'reason'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            email: { type: 'string' },
            agency: { type: 'string' },
            country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
            position: { type: 'string', description: 'Rank or function' },
            reason: { type: 'string' },
            language: { type: 'string', description: 'Preferred language (BCP 47), default en' },
          },
        },
        response: { 201: { type: 'object', properties: { request: accessRequestSchema } } },
      },
    }, async (request, reply) => {
      const created = await accessRequests.submit(request.body, actorOf(request));
      return reply.code(201).send({ request: accessRequests.view(created) });
    });

    app.get<{ Querystring: { status?: 'pending' | 'approved' | 'rejected' | 'all' } }>('/access-requests', {
      config: { policy: 'access-requests.review' },
      schema: {
        tags: requestTags,
        summary: "The approver's queue: requests from their countries (admins: all), oldest first",
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { status: { enum: ['pending', 'approved', 'rejected', 'all'] } } },
        response: { 200: { type: 'object', properties: { requests: { type: 'array', items: accessRequestSchema } } } },
      },
    }, async (request) => {
      const status = request.query.status ?? 'pending';
      return { requests: await accessRequests.queue(grantOf(request), status === 'all' ? undefined : status) };
    });

    app.post<{ Params: { id: string } }>('/access-requests/:id/approve', {
      config: { policy: 'access-requests.review' },
      schema: {
        tags: requestTags,
        summary: 'Approve: creates the learner account and mails a single-use invitation link; 403 for another country',
        security,
        params: idParams,
        body: emptyBody,
        response: { 200: { type: 'object', properties: { request: accessRequestSchema, user: userSchema } } },
      },
    }, async (request) => {
      const { request: decided, user } = await accessRequests.approve(request.params.id, grantOf(request), userOf(request), request.ip);
      return { request: accessRequests.view(decided), user: viewUser(user, now()) };
    });

    app.post<{ Params: { id: string }; Body: { reason: string } }>('/access-requests/:id/reject', {
      config: { policy: 'access-requests.review' },
      schema: {
        tags: requestTags,
        summary: 'Reject with a reason (recorded, audited and mailed to the requester)',
        security,
        params: idParams,
        body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { request: accessRequestSchema } } },
      },
    }, async (request) => ({
      request: accessRequests.view(await accessRequests.reject(request.params.id, request.body.reason, grantOf(request), userOf(request), request.ip)),
    }));

    // --- users ---------------------------------------------------------------------------------------------
    const userTags = ['users'];
    app.get('/users', {
      config: { policy: 'users.manage' },
      schema: { tags: userTags, summary: 'Every user', security, response: { 200: { type: 'object', properties: { users: { type: 'array', items: userSchema } } } } },
    }, async () => ({ users: (await users.list()).map((u) => viewUser(u, now())) }));

    app.post<{ Body: Record<string, unknown> }>('/users', {
      config: { policy: 'users.manage' },
      schema: {
        tags: userTags,
        summary: 'Create a user; without a password, mails a single-use invitation link',
        security,
        body: {
          type: 'object',
          required: ['email', 'roles'],
          additionalProperties: false,
          properties: {
            email: { type: 'string' },
            name: { type: 'string' },
            country: { type: 'string' },
            agency: { type: 'string' },
            language: { type: 'string' },
            roles: { type: 'array', items: roleGrantSchema },
            password: { type: 'string' },
          },
        },
        response: { 201: { type: 'object', properties: { user: userSchema } } },
      },
    }, async (request, reply) => {
      const { user } = await users.create(request.body as unknown as NewUser, actorOf(request));
      if (!user.passwordHash) await users.sendInvitation(user, actorOf(request));
      return reply.code(201).send({ user: viewUser(user, now()) });
    });

    app.put<{ Params: { id: string }; Body: { status: 'active' | 'suspended' } }>('/users/:id/status', {
      config: { policy: 'users.manage' },
      schema: {
        tags: userTags,
        summary: 'Suspend (ends their sessions at once) or reactivate a user',
        security,
        params: idParams,
        body: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { enum: ['active', 'suspended'] } } },
        response: { 200: { type: 'object', properties: { user: userSchema } } },
      },
    }, async (request) => ({ user: viewUser(await users.setStatus(request.params.id, request.body.status, actorOf(request)), now()) }));

    app.put<{ Params: { id: string }; Body: { roles: unknown } }>('/users/:id/roles', {
      config: { policy: 'users.manage' },
      schema: {
        tags: userTags,
        summary: "Replace a user's roles (approvers need countries; analysts may have them)",
        security,
        params: idParams,
        body: { type: 'object', required: ['roles'], additionalProperties: false, properties: { roles: { type: 'array', items: roleGrantSchema } } },
        response: { 200: { type: 'object', properties: { user: userSchema } } },
      },
    }, async (request) => ({ user: viewUser(await users.setRoles(request.params.id, request.body.roles, actorOf(request)), now()) }));

    // --- LRS credentials, outbox, audit --------------------------------------------------------------------
    const adminTags = ['administration'];
    const credentialSchema = {
      type: 'object',
      properties: {
        key: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' } },
        created: { type: 'string' },
        revoked: { type: ['string', 'null'] },
      },
    } as const;
    app.get('/credentials', {
      config: { policy: 'credentials.manage' },
      schema: { tags: adminTags, summary: 'LRS credentials (never their secrets)', security, response: { 200: { type: 'object', properties: { credentials: { type: 'array', items: credentialSchema } } } } },
    }, async () => ({
      credentials: (await credentials.list()).map((c) => ({
        key: c.key,
        name: c.name,
        scopes: c.scopes,
        created: new Date(c.createdMs).toISOString(),
        revoked: c.revokedMs === null ? null : new Date(c.revokedMs).toISOString(),
      })),
    }));

    app.post<{ Body: { name: string; scopes?: string[] } }>('/credentials', {
      config: { policy: 'credentials.manage' },
      schema: {
        tags: adminTags,
        summary: 'Issue an LRS credential; the secret is in this answer only',
        security,
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } } },
        response: { 201: { type: 'object', properties: { key: { type: 'string' }, secret: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } } } },
      },
    }, async (request, reply) => {
      const issued = await credentials.issue(request.body.name, request.body.scopes ?? []);
      await audit.append({ atMs: now(), actorId: userOf(request).id, action: 'credential.issued', subject: `credential:${issued.key}`, ip: request.ip, detail: { name: issued.name, scopes: issued.scopes } });
      return reply.code(201).send(issued);
    });

    app.delete<{ Params: { key: string } }>('/credentials/:key', {
      config: { policy: 'credentials.manage' },
      schema: { tags: adminTags, summary: 'Revoke an LRS credential at once (send X-CSRF-Token or a JSON body)', security, params: { type: 'object', properties: { key: { type: 'string' } } } },
    }, async (request, reply) => {
      await credentials.revoke(request.params.key);
      await audit.append({ atMs: now(), actorId: userOf(request).id, action: 'credential.revoked', subject: `credential:${request.params.key}`, ip: request.ip, detail: {} });
      return reply.code(204).send();
    });

    app.get('/outbox', {
      config: { policy: 'mail.read' },
      schema: {
        tags: adminTags,
        summary: 'Mail written to the outbox (delivered by SMTP when SMTP_HOST is set), newest first',
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              messages: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, to: { type: 'string' }, subject: { type: 'string' }, text: { type: 'string' }, kind: { type: 'string' }, created: { type: 'string' } } },
              },
            },
          },
        },
      },
    }, async () => ({ messages: (await outbox.list(200)).map((m) => ({ ...m, created: new Date(m.createdMs).toISOString() })) }));

    app.get<{ Querystring: { limit?: number; before?: number; subject?: string } }>('/audit', {
      config: { policy: 'audit.read' },
      schema: {
        tags: adminTags,
        summary: 'The audit trail, newest first (sign-ins, decisions, changes to people and credentials)',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' }, before: { type: 'string', pattern: '^[0-9]{1,15}$' }, subject: { type: 'string' } },
        },
      },
    }, async (request) => {
      const query = request.query as { limit?: string; before?: string; subject?: string };
      const events = await audit.list({
        limit: Math.min(Number(query.limit ?? 100), 1000),
        ...(query.before && { beforeSeq: Number(query.before) }),
        ...(query.subject && { subject: query.subject }),
      });
      return { events: events.map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })) };
    });
  };
}
