import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from '../errors.js';

/** What a launch token is bound to (DESIGN.md "Runtime flow and isolation"). */
export interface LaunchClaims {
  readonly kind: 'scorm' | 'xapi' | 'cmi5';
  readonly userId: string;
  readonly registrationId: string;
  readonly versionId: string;
  readonly unitId: string;
  readonly attemptId: string;
  /** The learner's xAPI actor identity (statement-keys `actorIdentity`): the only actor the token may write as. */
  readonly actorIdentity: string;
  /** Epoch milliseconds after which the token is refused. */
  readonly expiresMs: number;
  /** Unique id of this token (cmi5 fetch URLs are single-use by it). */
  readonly tokenId: string;
}

/**
 * Signed, short-lived launch tokens: the only credential the content side ever holds. HMAC-SHA-256 over the
 * claims, so any app process with the secret verifies them without shared state.
 */
export function createLaunchTokens({ secret, ttlMs, now = Date.now }: { secret: string; ttlMs: number; now?: () => number }) {
  const sign = (payload: string) => createHmac('sha256', secret).update(`cadet-launch-token\0${payload}`).digest();

  return {
    issue(claims: Omit<LaunchClaims, 'expiresMs' | 'tokenId'>): { token: string; claims: LaunchClaims } {
      const full: LaunchClaims = { ...claims, expiresMs: now() + ttlMs, tokenId: randomUUID() };
      const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
      return { token: `${payload}.${sign(payload).toString('base64url')}`, claims: full };
    },

    /** The claims of a valid, unexpired token; throws 401 otherwise. */
    verify(token: string | undefined): LaunchClaims {
      const [payload, signature, extra] = (token ?? '').split('.');
      const invalidToken = () => unauthenticated('launch-token-invalid', 'the launch token is missing, malformed or not issued here: launch the course again');
      if (!payload || !signature || extra !== undefined) throw invalidToken();
      const expected = sign(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidToken();
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LaunchClaims;
      if (claims.expiresMs < now()) throw unauthenticated('launch-token-expired', 'the launch has expired: launch the course again');
      return claims;
    },
  };
}

export type LaunchTokens = ReturnType<typeof createLaunchTokens>;
