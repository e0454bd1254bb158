import { createHash } from 'node:crypto';
import { AppError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { hasScope, type LrsPrincipal } from '../../access/index.js';
import type { DocumentDecision, DocumentKey, DocumentKind, DocumentStore, StoredDocument } from '../../store/ports.js';
import type { XapiVersion } from '../statements/statement-validator.js';

export interface Preconditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

export interface IncomingDocument {
  readonly content: Buffer;
  readonly contentType: string;
}

/** xAPI 1.0.3 §2.2: the ETag is the SHA-1 of the content, quoted. */
export const etagOf = (content: Buffer): string => `"${createHash('sha1').update(content).digest('hex')}"`;

const isJsonType = (contentType: string) => contentType.split(';')[0].trim().toLowerCase() === 'application/json';

function parseJsonObject(content: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    throw invalid('document-not-json', `${what} is not valid JSON`, { header: 'Content-Type' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('document-not-json-object', `${what} is not a JSON object, so it cannot be merged`, { header: 'Content-Type' });
  }
  return value as Record<string, unknown>;
}

/** An entity tag list from If-Match / If-None-Match: `*`, or tags with or without quotes, weak or strong. */
function tagsOf(header: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  return header.split(',').map((tag) => {
    const bare = tag.trim().replace(/^W\//, '');
    return bare.startsWith('"') ? bare : `"${bare}"`;
  });
}

/** RFC 7232 §3.1-3.2 as xAPI 1.0.3 §3.1 uses them; throws 412 when a precondition fails. */
function checkPreconditions(current: StoredDocument | null, { ifMatch, ifNoneMatch }: Preconditions): void {
  if (ifMatch !== undefined) {
    const tags = tagsOf(ifMatch);
    if (!current || (tags !== '*' && !tags.includes(current.etag))) {
      throw new AppError('precondition-failed', 'if-match-failed', 'If-Match does not match the current document', { header: 'If-Match' });
    }
  }
  if (ifNoneMatch !== undefined && current) {
    const tags = tagsOf(ifNoneMatch);
    if (tags === '*' || tags.includes(current.etag)) {
      throw new AppError('precondition-failed', 'if-none-match-failed', 'If-None-Match matches the current document', { header: 'If-None-Match' });
    }
  }
}

const scopeByKind: Readonly<Record<DocumentKind, 'state' | 'profile'>> = {
  state: 'state',
  'activity-profile': 'profile',
  'agent-profile': 'profile',
};

export interface DocumentServiceDeps {
  readonly documents: DocumentStore;
  readonly now?: () => number;
}

/**
 * The document resources (State, Activity Profile, Agent Profile): byte-exact storage, JSON merge on POST,
 * ETags and the concurrency rules of xAPI 1.0.3 §3.1 (2.0: a State PUT also needs a precondition).
 */
export function createDocumentService({ documents, now = Date.now }: DocumentServiceDeps) {
  async function checkAccess(principal: LrsPrincipal, key: Pick<DocumentKey, 'kind' | 'agent'> & { documentId?: string }, write: boolean): Promise<void> {
    checkScope(principal, key.kind, write, key.agent);
    await principal.checkDocument?.({ kind: key.kind, documentId: key.documentId ?? '', write });
  }

  function checkScope(principal: LrsPrincipal, kind: DocumentKind, write: boolean, agent?: string): void {
    // Launched content reaches only its learner's documents (and the activity profiles it reads).
    if (principal.actorIdentity !== undefined && (kind === 'activity-profile' ? write : agent !== principal.actorIdentity)) {
      throw forbidden('launch-actor', 'content may only use the documents of the learner who launched it', { parameter: 'agent' });
    }
    const scope = scopeByKind[kind];
    if (hasScope(principal, scope) || (!write && hasScope(principal, 'read'))) return;
    throw forbidden(`scope-${scope}`, `this credential may not ${write ? 'change' : 'read'} ${kind} documents (needs the ${scope} scope)`);
  }

  const stored = (incoming: IncomingDocument, content = incoming.content): StoredDocument => ({
    content,
    contentType: incoming.contentType || 'application/octet-stream',
    etag: etagOf(content),
    updatedMs: now(),
  });

  return {
    async get(principal: LrsPrincipal, key: DocumentKey): Promise<StoredDocument> {
      await checkAccess(principal, key, false);
      const document = await documents.get(key);
      if (!document) throw notFound('document-not-found', `no ${key.kind} document with id ${key.documentId}`);
      return document;
    },

    async list(principal: LrsPrincipal, key: Omit<DocumentKey, 'documentId'>, sinceMs?: number): Promise<string[]> {
      await checkAccess(principal, key, false);
      return documents.list(key, sinceMs);
    },

    /** PUT: store or replace; profile documents (and 2.0 state) need If-Match or If-None-Match. */
    async put(principal: LrsPrincipal, key: DocumentKey, incoming: IncomingDocument, preconditions: Preconditions, version: XapiVersion): Promise<void> {
      await checkAccess(principal, key, true);
      const unconditional = preconditions.ifMatch === undefined && preconditions.ifNoneMatch === undefined;
      await documents.write(key, (current): DocumentDecision => {
        checkPreconditions(current, preconditions);
        // xAPI 1.0.3 §3.1: a PUT that may overwrite a profile must say what it expects: without either header,
        // 409 when the document exists, 400 when it does not (as the ADL suite checks). State documents follow
        // the same rule for an existing document from xAPI 2.0 on, and may always be created without one.
        if (unconditional && key.kind !== 'state') {
          if (current) throw conflict('document-exists', 'the document exists: send If-Match with its ETag to overwrite it', { header: 'If-Match' });
          throw invalid('precondition-missing', 'a PUT needs If-None-Match: * to create a document, or If-Match with its ETag to replace it', { header: 'If-None-Match' });
        }
        if (unconditional && current && version === '2.0.0') {
          throw conflict('document-exists', 'the state document exists: send If-Match with its ETag to overwrite it', { header: 'If-Match' });
        }
        return { action: 'put', document: stored(incoming) };
      });
    },

    /** POST: JSON objects merge property by property (xAPI 1.0.3 §2.2); otherwise a new document is stored. */
    async post(principal: LrsPrincipal, key: DocumentKey, incoming: IncomingDocument, preconditions: Preconditions): Promise<void> {
      await checkAccess(principal, key, true);
      const incomingIsJson = isJsonType(incoming.contentType);
      const posted = incomingIsJson ? parseJsonObject(incoming.content, 'the posted document') : null;
      await documents.write(key, (current): DocumentDecision => {
        checkPreconditions(current, preconditions);
        if (!current) return { action: 'put', document: stored(incoming) };
        if (!posted || !isJsonType(current.contentType)) {
          throw invalid('document-merge-types', 'only application/json documents can be merged by POST; both the stored and the posted document must be JSON objects', { header: 'Content-Type' });
        }
        const merged = { ...parseJsonObject(current.content, 'the stored document'), ...posted };
        return { action: 'put', document: stored({ contentType: 'application/json', content: incoming.content }, Buffer.from(JSON.stringify(merged))) };
      });
    },

    async delete(principal: LrsPrincipal, key: DocumentKey, preconditions: Preconditions): Promise<void> {
      await checkAccess(principal, key, true);
      await documents.write(key, (current): DocumentDecision => {
        checkPreconditions(current, preconditions);
        return current ? { action: 'delete' } : { action: 'keep' };
      });
    },

    async deleteAll(principal: LrsPrincipal, key: Omit<DocumentKey, 'documentId'>): Promise<void> {
      await checkAccess(principal, key, true);
      await documents.deleteAll(key);
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
