import { randomUUID } from 'node:crypto';
import { conflict, forbidden, notFound } from '../errors.js';
import type { AccessRequestRecord, AccessRequestStatus, AccessRequestStore, AuditStore, UserRecord, UserStore } from '../store/ports.js';
import { days, hours, type AccessSettings, type Actor, type Translate } from './access-settings.js';
import { hashToken, randomToken } from './passwords.js';
import { covers, type Grant } from './policy.js';
import { checkCountry, checkEmail, checkLanguage, checkText } from './profile.js';

export interface AccessRequestServiceDeps {
  readonly requests: AccessRequestStore;
  readonly users: Pick<UserStore, 'findByEmail'>;
  readonly audit: Pick<AuditStore, 'append'>;
  readonly settings: Pick<AccessSettings, 'publicUrl' | 'invitationTtlHours' | 'accessRequestStaleDays'>;
  readonly translate: Translate;
  readonly now: () => number;
}

export interface AccessRequestView {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly agency: string;
  readonly country: string;
  readonly position: string;
  readonly reason: string;
  readonly status: AccessRequestStatus;
  readonly created: string;
  /** Pending for longer than ACCESS_REQUEST_STALE_DAYS. */
  readonly stale: boolean;
  readonly decided: string | null;
  readonly decidedBy: string | null;
  readonly rejectionReason: string | null;
  readonly userId: string | null;
}

/** The public form, the approvers' queue, approve and reject. */
export function createAccessRequestService({ requests, users, audit, settings, translate, now }: AccessRequestServiceDeps) {
  const view = (request: AccessRequestRecord): AccessRequestView => ({
    id: request.id,
    name: request.name,
    email: request.email,
    agency: request.agency,
    country: request.country,
    position: request.position,
    reason: request.reason,
    status: request.status,
    created: new Date(request.createdMs).toISOString(),
    stale: request.status === 'pending' && now() - request.createdMs > days(settings.accessRequestStaleDays),
    decided: request.decidedMs === null ? null : new Date(request.decidedMs).toISOString(),
    decidedBy: request.decidedBy,
    rejectionReason: request.rejectionReason,
    userId: request.userId,
  });

  /** The request, if the grant reaches its country: approvers act only on their countries. */
  async function reachable(id: string, grant: Grant, actor: UserRecord): Promise<AccessRequestRecord> {
    const request = await requests.get(id);
    if (!request) throw notFound('access-request-not-found', `no access request ${id}`, { parameter: 'id' });
    if (!covers(grant, actor.id, { country: request.country })) {
      throw forbidden('access-request-other-country', `access request ${id} is for ${request.country}, which you do not approve for`, { parameter: 'id' });
    }
    return request;
  }

  return {
    view,

    /** Refuses a second request while one is pending, and a request from an address that has an account. */
    async submit(input: Record<string, unknown>, actor: Actor): Promise<AccessRequestRecord> {
      const record: AccessRequestRecord = {
        id: randomUUID(),
        name: checkText(input.name, 'name'),
        email: checkEmail(input.email),
        agency: checkText(input.agency, 'agency'),
        country: checkCountry(input.country),
        position: checkText(input.position, 'position'),
        reason: checkText(input.reason, 'reason', { max: 2000 }),
        language: checkLanguage(input.language),
        status: 'pending',
        createdMs: now(),
        decidedMs: null,
        decidedBy: null,
        rejectionReason: null,
        userId: null,
      };
      if (await users.findByEmail(record.email)) {
        throw conflict('account-exists', `an account with ${record.email} exists already: sign in, or reset the password`, { parameter: 'email' });
      }
      await requests.add(record);
      await audit.append({ atMs: now(), actorId: null, action: 'access-request.submitted', subject: `access-request:${record.id}`, ip: actor.ip, detail: { email: record.email, country: record.country } });
      return record;
    },

    /** The queue the grant sees: everything for `all`, the grant's countries for `country`; oldest first. */
    async queue(grant: Grant, status: AccessRequestStatus | undefined): Promise<AccessRequestView[]> {
      const found = await requests.list({ ...(status && { status }), ...(grant.scope !== 'all' && { countries: grant.countries }) });
      return found.map(view);
    },

    /**
     * Creates the learner account (no password yet), a single-use invitation link and its mail, in one transaction
     * with the decision and its audit record.
     */
    async approve(id: string, grant: Grant, actor: UserRecord, ip: string | null): Promise<{ request: AccessRequestRecord; user: UserRecord }> {
      const request = await reachable(id, grant, actor);
      const decidedMs = now();
      const user: UserRecord = {
        id: randomUUID(),
        email: request.email,
        name: request.name,
        country: request.country,
        agency: request.agency,
        language: request.language,
        roles: [{ role: 'learner' }],
        status: 'active',
        passwordHash: null,
        failedLogins: 0,
        lockedUntilMs: null,
        createdMs: decidedMs,
      };
      const token = randomToken();
      const expiresMs = decidedMs + hours(settings.invitationTtlHours);
      const params = { name: user.name, link: `${settings.publicUrl}/set-password?token=${token}`, hours: settings.invitationTtlHours };
      const decided = await requests.approve({
        requestId: id,
        decidedBy: actor.id,
        decidedMs,
        user,
        token: { tokenHash: hashToken(token), userId: user.id, purpose: 'invitation', createdMs: decidedMs, expiresMs, usedMs: null },
        mail: {
          id: randomUUID(),
          to: user.email,
          subject: translate(user.language, 'mail.invitation.subject', params),
          text: translate(user.language, 'mail.invitation.body', params),
          kind: 'invitation',
          createdMs: decidedMs,
        },
        audit: { atMs: decidedMs, actorId: actor.id, action: 'access-request.approved', subject: `access-request:${id}`, ip, detail: { userId: user.id, email: user.email, country: request.country } },
      });
      return { request: decided, user };
    },

    async reject(id: string, reasonInput: unknown, grant: Grant, actor: UserRecord, ip: string | null): Promise<AccessRequestRecord> {
      const reason = checkText(reasonInput, 'reason', { max: 2000 });
      const request = await reachable(id, grant, actor);
      const decidedMs = now();
      const params = { name: request.name, reason };
      return requests.reject({
        requestId: id,
        decidedBy: actor.id,
        decidedMs,
        reason,
        mail: {
          id: randomUUID(),
          to: request.email,
          subject: translate(request.language, 'mail.rejected.subject', params),
          text: translate(request.language, 'mail.rejected.body', params),
          kind: 'access-request-rejected',
          createdMs: decidedMs,
        },
        audit: { atMs: decidedMs, actorId: actor.id, action: 'access-request.rejected', subject: `access-request:${id}`, ip, detail: { reason, email: request.email, country: request.country } },
      });
    },
  };
}

export type AccessRequestService = ReturnType<typeof createAccessRequestService>;
