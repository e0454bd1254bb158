import { randomUUID } from 'node:crypto';
import { conflict, invalid, notFound } from '../errors.js';
import type { AuditStore, MailOutbox, RoleGrant, UserRecord, UserStore } from '../store/ports.js';
import { hours, minutes, type AccessSettings, type Actor, type Translate } from './access-settings.js';
import { checkPassword, generatePassword, hashPassword, hashToken, randomToken } from './passwords.js';
import { checkCountry, checkEmail, checkLanguage, checkRoles, checkText } from './profile.js';

export interface UserServiceDeps {
  readonly users: UserStore;
  readonly audit: Pick<AuditStore, 'append'>;
  readonly outbox: Pick<MailOutbox, 'enqueue'>;
  readonly settings: Pick<AccessSettings, 'publicUrl' | 'invitationTtlHours' | 'passwordResetTtlMinutes'>;
  readonly translate: Translate;
  readonly now: () => number;
}

export interface NewUser {
  readonly email: unknown;
  readonly name?: unknown;
  readonly country?: unknown;
  readonly agency?: unknown;
  readonly language?: unknown;
  readonly roles: unknown;
  /** When given, the account can sign in at once; otherwise it waits for an invitation or a reset link. */
  readonly password?: unknown;
}

/** A user as the API shows it: never the password hash. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly country: string;
  readonly agency: string;
  readonly language: string;
  readonly roles: readonly RoleGrant[];
  readonly status: UserRecord['status'];
  readonly hasPassword: boolean;
  readonly lockedUntil: string | null;
  readonly created: string;
}

export function viewUser(user: UserRecord, nowMs: number): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    country: user.country,
    agency: user.agency,
    language: user.language,
    roles: user.roles,
    status: user.status,
    hasPassword: user.passwordHash !== null,
    lockedUntil: user.lockedUntilMs !== null && user.lockedUntilMs > nowMs ? new Date(user.lockedUntilMs).toISOString() : null,
    created: new Date(user.createdMs).toISOString(),
  };
}

/** People: accounts, roles, suspension, passwords set through single-use links. */
export function createUserService({ users, audit, outbox, settings, translate, now }: UserServiceDeps) {
  const record = (actor: Actor | null, action: string, subject: string | null, detail: Record<string, unknown> = {}) =>
    audit.append({ atMs: now(), actorId: actor?.userId ?? null, action, subject, ip: actor?.ip ?? null, detail });

  async function existing(id: string): Promise<UserRecord> {
    const user = await users.get(id);
    if (!user) throw notFound('user-not-found', `no user ${id}`, { parameter: 'id' });
    return user;
  }

  /** A password link for a user: the token goes in the link only, its hash in the store. */
  async function issueLink(user: UserRecord, purpose: 'invitation' | 'reset') {
    const token = randomToken();
    const createdMs = now();
    const ttl = purpose === 'invitation' ? hours(settings.invitationTtlHours) : minutes(settings.passwordResetTtlMinutes);
    await users.addPasswordToken({ tokenHash: hashToken(token), userId: user.id, purpose, createdMs, expiresMs: createdMs + ttl, usedMs: null });
    return { token, link: `${settings.publicUrl}/set-password?token=${token}`, expiresMs: createdMs + ttl };
  }

  const service = {
    async create(input: NewUser, actor: Actor | null): Promise<{ user: UserRecord; password: string | null }> {
      const email = checkEmail(input.email);
      const roles = checkRoles(input.roles);
      const password = input.password === undefined || input.password === null || input.password === '' ? null : checkPassword(input.password);
      const user: UserRecord = {
        id: randomUUID(),
        email,
        name: checkText(input.name ?? email.split('@')[0], 'name'),
        country: input.country === undefined || input.country === '' ? 'ZZ' : checkCountry(input.country),
        agency: checkText(input.agency ?? '', 'agency', { required: false }),
        language: checkLanguage(input.language),
        roles,
        status: 'active',
        passwordHash: password ? await hashPassword(password) : null,
        failedLogins: 0,
        lockedUntilMs: null,
        createdMs: now(),
      };
      await users.add(user);
      await record(actor, 'user.created', `user:${user.id}`, { email: user.email, roles: user.roles });
      return { user, password };
    },

    list: () => users.list(),
    get: existing,

    async setStatus(id: string, status: UserRecord['status'], actor: Actor): Promise<UserRecord> {
      const user = await existing(id);
      if (id === actor.userId && status === 'suspended') {
        throw conflict('cannot-suspend-self', 'you cannot suspend your own account', { parameter: 'id' });
      }
      if (user.status === status) return user;
      const updated = (await users.update(id, { status })) as UserRecord;
      await record(actor, status === 'suspended' ? 'user.suspended' : 'user.reactivated', `user:${id}`);
      return updated;
    },

    async setRoles(id: string, roles: unknown, actor: Actor): Promise<UserRecord> {
      const checked = checkRoles(roles);
      const user = await existing(id);
      if (id === actor.userId && user.roles.some((r) => r.role === 'admin') && !checked.some((r) => r.role === 'admin')) {
        // Otherwise the last admin could lock everyone out of user administration.
        throw conflict('cannot-drop-own-admin', 'you cannot remove your own admin role', { parameter: 'roles' });
      }
      const updated = (await users.update(id, { roles: checked })) as UserRecord;
      await record(actor, 'user.roles-changed', `user:${id}`, { from: user.roles, to: checked });
      return updated;
    },

    issueLink,

    /** Mails a single-use invitation link to a user created without a password. */
    async sendInvitation(user: UserRecord, actor: Actor | null): Promise<void> {
      const { link } = await issueLink(user, 'invitation');
      const params = { name: user.name, link, hours: settings.invitationTtlHours };
      await outbox.enqueue({
        id: randomUUID(),
        to: user.email,
        subject: translate(user.language, 'mail.invitation.subject', params),
        text: translate(user.language, 'mail.invitation.body', params),
        kind: 'invitation',
        createdMs: now(),
      });
      await record(actor, 'user.invited', `user:${user.id}`);
    },

    /**
     * Sends a reset link if an active account has the address; says nothing either way, so the form cannot be used
     * to find out who has an account.
     */
    async requestPasswordReset(emailInput: unknown, actor: Actor): Promise<void> {
      const email = checkEmail(emailInput);
      const user = await users.findByEmail(email);
      await record(actor, 'password.reset-requested', user ? `user:${user.id}` : null, { email, known: Boolean(user && user.status === 'active') });
      if (!user || user.status !== 'active') return;
      const { link } = await issueLink(user, 'reset');
      const params = { name: user.name, link, minutes: settings.passwordResetTtlMinutes };
      await outbox.enqueue({
        id: randomUUID(),
        to: user.email,
        subject: translate(user.language, 'mail.reset.subject', params),
        text: translate(user.language, 'mail.reset.body', params),
        kind: 'password-reset',
        createdMs: now(),
      });
    },

    /** Whether a link can still set a password (for showing the form or an explanation). */
    async checkLink(token: string): Promise<{ valid: boolean; purpose: 'invitation' | 'reset' | null; email: string | null }> {
      const found = token ? await users.findPasswordToken(hashToken(token)) : null;
      if (!found) return { valid: false, purpose: null, email: null };
      const user = await users.get(found.userId);
      return { valid: found.usedMs === null && found.expiresMs > now() && user?.status === 'active', purpose: found.purpose, email: user?.email ?? null };
    },

    /** Sets a password through a single-use link; the link is spent and every session of the user ends. */
    async setPassword(token: unknown, password: unknown, actor: Actor): Promise<UserRecord> {
      if (typeof token !== 'string' || !token) throw invalid('token-missing', 'the link has no token', { parameter: 'token' });
      const checked = checkPassword(password);
      const passwordHash = await hashPassword(checked);
      const user = await users.setPasswordWithToken(hashToken(token), passwordHash, now());
      if (!user) throw invalid('token-invalid', 'this link is unknown, expired or already used; ask for a new one', { parameter: 'token' });
      await record({ ...actor, userId: actor.userId ?? user.id }, 'password.set', `user:${user.id}`);
      return user;
    },

    /**
     * On the first start of an empty store: an admin from ADMIN_EMAIL / ADMIN_PASSWORD, or with a generated
     * one-time password that the caller prints once. Does nothing when any user exists.
     */
    async ensureFirstAdmin(env: Readonly<Record<string, string | undefined>>): Promise<{ email: string; password: string | null; generated: boolean } | null> {
      if ((await users.count()) > 0) return null;
      const email = env.ADMIN_EMAIL?.trim() || 'admin@cadet.invalid';
      const given = env.ADMIN_PASSWORD?.trim();
      const password = given || generatePassword();
      try {
        await service.create({ email, name: 'Administrator', roles: [{ role: 'admin' }], password }, null);
      } catch (error) {
        // Two processes starting together: the other one made the admin.
        if ((error as { code?: string }).code === 'email-taken') return null;
        throw error;
      }
      return { email, password: given ? null : password, generated: !given };
    },
  };
  return service;
}

export type UserService = ReturnType<typeof createUserService>;
