import { randomBytes, timingSafeEqual } from 'node:crypto';
import { invalid, notFound, unauthenticated } from '../../errors.js';
import { sha256Hex } from '../../shared/canonical-json.js';
import type { CredentialRecord, CredentialStore, Scope, StatementRecord } from '../../store/ports.js';

export const allScopes: readonly Scope[] = [
  'statements/write',
  'statements/read',
  'statements/read/mine',
  'state',
  'define',
  'profile',
  'all/read',
  'all',
];

/** xAPI 1.0.3 §4.1.9 (OAuth scope): when none is requested, statements/write and statements/read/mine are implied. */
export const defaultScopes: readonly Scope[] = ['statements/write', 'statements/read/mine'];

/** Who is calling the LRS, as the LRS needs to know it. */
export interface LrsPrincipal {
  readonly credentialId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** The Agent recorded as `authority` on every statement this credential writes. */
  readonly authority: { objectType: 'Agent'; name: string; account: { homePage: string; name: string } };
  /**
   * Set for content launched by the runtime: the only actor (its identity, see `actorIdentity`) it may write
   * statements and documents as (DESIGN.md: the launch token is scoped to the learner).
   */
  readonly actorIdentity?: string;
  /**
   * Set for cmi5 launches: the runtime checks the AU's statements against the session (cmi5 §9) and stores them
   * itself, with the statements the LMS adds (satisfied), in one transaction. Replaces the plain insert.
   */
  readonly storeStatements?: (statements: readonly unknown[], records: readonly StatementRecord[]) => Promise<void>;
  /** Set for cmi5 launches: called before a document request (cmi5 §10.2.1: LMS.LaunchData is read-only to the AU). */
  readonly checkDocument?: (access: { readonly kind: string; readonly documentId: string; readonly write: boolean }) => Promise<void>;
}

export interface IssuedCredential {
  readonly key: string;
  readonly secret: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

export interface CredentialServiceDeps {
  readonly credentials: CredentialStore;
  readonly publicUrl: string;
  readonly now?: () => number;
}

/**
 * LRS credentials: a random key and secret for HTTP Basic. Secrets are 32 random bytes, so a fast hash
 * (SHA-256) is enough to make a stolen database useless; a slow password hash would only cost every request.
 */
export function createCredentialService({ credentials, publicUrl, now = Date.now }: CredentialServiceDeps) {
  const authorityOf = (record: CredentialRecord): LrsPrincipal['authority'] => ({
    objectType: 'Agent',
    name: record.name,
    account: { homePage: publicUrl, name: record.key },
  });

  return {
    async issue(name: string, scopes: readonly string[] = defaultScopes): Promise<IssuedCredential> {
      if (!name.trim()) throw invalid('credential-name', 'a credential needs a non-empty name', { parameter: 'name' });
      const unknown = scopes.find((scope) => !allScopes.includes(scope as Scope));
      if (unknown) {
        throw invalid('credential-scope', `unknown scope "${unknown}"; scopes are ${allScopes.join(', ')}`, { parameter: 'scope' });
      }
      const chosen = [...new Set(scopes.length > 0 ? scopes : defaultScopes)] as Scope[];
      const key = randomBytes(12).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      await credentials.add({ key, name: name.trim(), secretHash: sha256Hex(secret), scopes: chosen, createdMs: now(), revokedMs: null });
      return { key, secret, name: name.trim(), scopes: chosen };
    },

    list: () => credentials.list(),

    async revoke(key: string): Promise<void> {
      if (!(await credentials.revoke(key, now()))) throw notFound('credential-not-found', `no active credential with key ${key}`);
    },

    /** Checks an `Authorization: Basic …` header; throws 401 (unauthenticated) naming what is wrong. */
    async authenticate(header: string | undefined): Promise<LrsPrincipal> {
      if (!header) throw unauthenticated('credentials-missing', 'this resource needs HTTP Basic credentials', { header: 'Authorization' });
      const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
      if (!match) throw unauthenticated('credentials-malformed', 'the Authorization header must use the Basic scheme', { header: 'Authorization' });
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const key = colon < 0 ? decoded : decoded.slice(0, colon);
      const secret = colon < 0 ? '' : decoded.slice(colon + 1);
      const record = key ? await credentials.findByKey(key) : null;
      const expected = Buffer.from(record?.secretHash ?? sha256Hex('no such credential'), 'hex');
      const given = Buffer.from(sha256Hex(secret), 'hex');
      if (!record || record.revokedMs !== null || !timingSafeEqual(expected, given)) {
        throw unauthenticated('credentials-invalid', 'the key or secret is wrong, or the credential was revoked', { header: 'Authorization' });
      }
      return { credentialId: record.key, name: record.name, scopes: record.scopes, authority: authorityOf(record) };
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;

/** Whether a principal's scopes allow an action (xAPI 1.0.3 §4.1.9 scope list). */
export function hasScope(principal: Pick<LrsPrincipal, 'scopes'>, needed: 'statements/write' | 'statements/read' | 'statements/read/mine' | 'state' | 'profile' | 'define' | 'read'): boolean {
  const scopes = principal.scopes;
  if (scopes.includes('all')) return true;
  switch (needed) {
    case 'statements/read':
      return scopes.includes('statements/read') || scopes.includes('all/read');
    case 'statements/read/mine':
      return scopes.includes('statements/read/mine') || scopes.includes('statements/read') || scopes.includes('all/read');
    case 'read':
      return scopes.includes('all/read');
    default:
      return scopes.includes(needed);
  }
}
