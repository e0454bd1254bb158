import { unauthenticated } from '../errors.js';
import type { AuditStore, SessionRecord, SessionStore, UserRecord, UserStore } from '../store/ports.js';
import { minutes, type AccessSettings, type Actor } from './access-settings.js';
import type { LoginThrottle } from './login-throttle.js';
import { decoyHash, hashToken, randomToken, verifyPassword } from './passwords.js';

export interface SessionServiceDeps {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly audit: Pick<AuditStore, 'append'>;
  readonly throttle: LoginThrottle;
  readonly settings: Pick<AccessSettings, 'loginMaxFailures' | 'loginLockMinutes' | 'sessionTtlMinutes'>;
  readonly now: () => number;
}

/** A session as a request sees it. `id` is what the cookie carries; the store only knows its hash. */
export interface ActiveSession {
  readonly id: string;
  readonly record: SessionRecord;
  /** null for an anonymous visitor (who holds a session only for its CSRF token), or when the user was suspended. */
  readonly user: UserRecord | null;
}

/** Anonymous sessions only guard the public forms; they need not outlive a visit. */
const anonymousTtlMinutes = 120;

/** Sessions, sign-in with lock-out, sign-out. */
export function createSessionService({ users, sessions, audit, throttle, settings, now }: SessionServiceDeps) {
  async function start(user: UserRecord | null): Promise<ActiveSession> {
    const id = randomToken();
    const createdMs = now();
    const ttl = minutes(user ? settings.sessionTtlMinutes : anonymousTtlMinutes);
    const record: SessionRecord = { idHash: hashToken(id), userId: user?.id ?? null, csrfToken: randomToken(), createdMs, expiresMs: createdMs + ttl };
    await sessions.add(record);
    return { id, record, user };
  }

  const fail = (code: string, message: string) => unauthenticated(code, message, { parameter: code === 'account-locked' ? 'email' : 'password' });

  return {
    /** The live session with this id, with its user if that user is still active; null when unknown or expired. */
    async load(id: string | null | undefined): Promise<ActiveSession | null> {
      if (!id) return null;
      const record = await sessions.get(hashToken(id), now());
      if (!record) return null;
      const user = record.userId ? await users.get(record.userId) : null;
      return { id, record, user: user && user.status === 'active' ? user : null };
    },

    /** A session for an anonymous visitor, carrying the CSRF token of the public forms. */
    startAnonymous: () => start(null),

    /**
     * Checks the address's rate, the account's lock, then the password. Every attempt is audited.
     * On success the previous session (anonymous or not) is ended and a new id issued: an id planted in the
     * browser before sign-in is worth nothing after (session fixation).
     */
    async signIn(email: unknown, password: unknown, actor: Actor, previous: ActiveSession | null): Promise<ActiveSession> {
      const address = typeof email === 'string' ? email.trim() : '';
      const attempt = (outcome: string, user: UserRecord | null, detail: Record<string, unknown> = {}) =>
        audit.append({ atMs: now(), actorId: user?.id ?? null, action: `sign-in.${outcome}`, subject: user ? `user:${user.id}` : null, ip: actor.ip, detail: { email: address, ...detail } });
      try {
        throttle.hit(actor.ip ?? 'unknown');
      } catch (error) {
        await attempt('throttled', null);
        throw error;
      }
      const user = address ? await users.findByEmail(address) : null;
      const given = typeof password === 'string' ? password : '';
      if (user?.lockedUntilMs != null && user.lockedUntilMs > now()) {
        await attempt('failed', user, { reason: 'locked' });
        const until = new Date(user.lockedUntilMs).toISOString();
        throw unauthenticated('account-locked', `too many failed sign-ins: this account is locked until ${until}`, { parameter: 'email', lockedUntil: until });
      }
      // Verify even when there is no such account, so the answer takes as long either way.
      const matches = await verifyPassword(user?.passwordHash ?? (await decoyHash()), given);
      if (!user || !matches || user.status !== 'active') {
        const reason = !user ? 'unknown-email' : !matches ? 'wrong-password' : 'suspended';
        if (user && !matches) await users.recordLoginFailure(user.id, settings.loginMaxFailures, now() + minutes(settings.loginLockMinutes));
        await attempt('failed', user, { reason });
        throw fail('sign-in-failed', 'the e-mail address or password is wrong, or the account is suspended');
      }
      if (user.failedLogins > 0 || user.lockedUntilMs !== null) await users.clearLoginFailures(user.id);
      if (previous) await sessions.delete(previous.record.idHash);
      const session = await start(user);
      await attempt('succeeded', user);
      return session;
    },

    async signOut(session: ActiveSession, actor: Actor): Promise<void> {
      await sessions.delete(session.record.idHash);
      if (session.user) await audit.append({ atMs: now(), actorId: session.user.id, action: 'sign-out', subject: `user:${session.user.id}`, ip: actor.ip, detail: {} });
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
