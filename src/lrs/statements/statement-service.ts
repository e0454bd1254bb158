import { randomUUID } from 'node:crypto';
import { hasScope, type LrsPrincipal } from '../../access/index.js';
import { forbidden, invalid, notFound } from '../../errors.js';
import type { AttachmentRecord, StatementRecord, StatementStore, StoredStatement } from '../../store/ports.js';
import type { MultipartPart } from './multipart.js';
import { collectAttachments, declaredHashes } from './statement-attachments.js';
import { normalizeStatement } from './normalize.js';
import { actorIdentity } from './statement-keys.js';
import { formatStatement } from './statement-format.js';
import { decodeCursor, encodeCursor, type StatementFormat, type StatementQuery, type StatementRequest } from './statement-query.js';
import type { Statement } from './statement-types.js';
import { validateStatement, type XapiVersion } from './statement-validator.js';

export interface StatementServiceDeps {
  readonly statements: StatementStore;
  /** Largest page served; `limit=0` or a larger limit gets this many. */
  readonly pageSize: number;
  /** URL path of the statements resource as clients reach it, for `more` links (e.g. `/xapi/statements`). */
  readonly statementsPath: string;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export interface StatementResult {
  /** The statements as JSON text, already in the requested format. */
  readonly statements: readonly string[];
  /** Relative URL of the next page, or '' when this is the last. */
  readonly more: string;
  /** `stored` of the newest statement returned, for Last-Modified. */
  readonly lastStoredMs: number | null;
  /** Whether the query asked for `attachments=true` (then the answer is multipart/mixed). */
  readonly withAttachments: boolean;
  /** With `attachments=true`: the content of every attachment the statements declare. */
  readonly attachments: readonly AttachmentRecord[];
}

export interface SingleStatementResult {
  readonly statement: string;
  readonly storedMs: number;
  readonly attachments: readonly AttachmentRecord[];
}

/**
 * The one write path for statements, and their reads. A pipeline:
 * check scopes → validate (each statement, path-prefixed) → check the batch → normalise → store atomically.
 */
export function createStatementService({ statements, pageSize, statementsPath, now = Date.now, newId = randomUUID }: StatementServiceDeps) {
  // `stored` never goes backwards, even if the wall clock does: since/until rely on it (see store/ports.ts).
  let lastStoredMs = 0;
  const nextStoredMs = () => (lastStoredMs = Math.max(now(), lastStoredMs));

  /** xAPI 1.0.3 §2.1.1: a batch must not hold the same id twice. */
  function checkDuplicateIds(batch: readonly Statement[]): void {
    const seen = new Map<string, number>();
    batch.forEach((statement, index) => {
      if (statement.id === undefined) return;
      const key = statement.id.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        throw invalid('duplicate-statement-id', `statements ${earlier} and ${index} of the batch have the same id ${statement.id}`, { path: `/${index}/id` });
      }
      seen.set(key, index);
    });
  }

  function readRestriction(principal: LrsPrincipal): string | undefined {
    if (hasScope(principal, 'statements/read')) return undefined;
    if (hasScope(principal, 'statements/read/mine')) return principal.credentialId;
    throw forbidden('scope-statements-read', 'this credential may not read statements (needs statements/read or statements/read/mine)');
  }

  async function attachmentsOf(rows: readonly StoredStatement[], wanted: boolean): Promise<readonly AttachmentRecord[]> {
    if (!wanted) return [];
    return statements.attachments([...new Set(rows.flatMap((row) => declaredHashes(row.body)))]);
  }

  async function queryPage(query: StatementQuery, throughSequence: number, afterSequence: number | undefined, principal: LrsPrincipal, languages: readonly string[]): Promise<StatementResult> {
    const credentialId = readRestriction(principal);
    const limit = query.limit === 0 ? pageSize : Math.min(query.limit, pageSize);
    const page = await statements.query({
      keys: query.keys,
      ...(query.sinceMs !== undefined && { sinceMs: query.sinceMs }),
      ...(query.untilMs !== undefined && { untilMs: query.untilMs }),
      ...(credentialId !== undefined && { credentialId }),
      ...(afterSequence !== undefined && { afterSequence }),
      ascending: query.ascending,
      limit,
      throughSequence,
    });
    const last = page.statements.at(-1);
    const more = page.hasMore && last ? `${statementsPath}?more=${encodeCursor({ query, throughSequence, afterSequence: last.sequence })}` : '';
    return {
      statements: page.statements.map((row) => formatStatement(row.body, query.format, languages)),
      more,
      lastStoredMs: page.statements.reduce<number | null>((max, row) => (max === null || row.storedMs > max ? row.storedMs : max), null),
      withAttachments: query.attachments,
      attachments: await attachmentsOf(page.statements, query.attachments),
    };
  }

  function prepare(
    body: unknown,
    principal: LrsPrincipal,
    options: { statementId?: string; version?: XapiVersion; parts?: readonly MultipartPart[] } = {},
  ): { records: StatementRecord[]; attachments: AttachmentRecord[] } {
    if (!hasScope(principal, 'statements/write')) {
      throw forbidden('scope-statements-write', 'this credential may not write statements (needs statements/write)');
    }
    const version = options.version ?? '1.0.3';
    let batch: unknown[];
    if (options.statementId !== undefined) {
      if (Array.isArray(body) || body === null || typeof body !== 'object') {
        throw invalid('invalid-statement', 'PUT takes one statement object', { path: '' });
      }
      const given = (body as { id?: unknown }).id;
      if (given !== undefined && typeof given === 'string' && given.toLowerCase() !== options.statementId.toLowerCase()) {
        throw invalid('statement-id-mismatch', `the statement's id ${given} differs from statementId ${options.statementId}`, { path: '/id', parameter: 'statementId' });
      }
      batch = [{ ...(body as object), id: given ?? options.statementId }];
    } else {
      batch = Array.isArray(body) ? body : [body];
      if (batch.length === 0) throw invalid('empty-batch', 'the batch holds no statement', { path: '' });
    }
    const checked = batch.map((candidate, index) => {
      const problem = validateStatement(candidate, version);
      if (problem) {
        const prefix = Array.isArray(body) ? `/${index}` : '';
        throw invalid('invalid-statement', problem.message, { path: `${prefix}${problem.path}` });
      }
      return candidate as Statement;
    });
    checkDuplicateIds(checked);
    if (principal.actorIdentity !== undefined) {
      checked.forEach((statement, index) => {
        if (actorIdentity(statement.actor) !== principal.actorIdentity) {
          throw forbidden('launch-actor', 'content may only send statements about the learner who launched it', { path: `${Array.isArray(body) ? `/${index}` : ''}/actor` });
        }
      });
    }
    const attachments = collectAttachments(checked, options.parts ?? [], Array.isArray(body));
    const storedMs = nextStoredMs();
    const mayDefine = hasScope(principal, 'define');
    const records = checked.map((statement) =>
      normalizeStatement(statement, { storedMs, authority: principal.authority, credentialId: principal.credentialId, newId, mayDefine, defaultVersion: version === '2.0.0' ? '2.0.0' : '1.0.0' }),
    );
    return { records, attachments };
  }

  return {
    /**
     * The write path's checks without the write: scopes, validation, the batch rules, normalisation.
     * For internal callers (the SCORM runtime) that store the records in a transaction of their own.
     */
    prepare,

    /**
     * Stores one statement (PUT, with `statementId`) or a batch (POST), all or nothing.
     * Returns the ids in the order given, including those already stored with the same content.
     */
    async store(
      body: unknown,
      principal: LrsPrincipal,
      options: { statementId?: string; version?: XapiVersion; parts?: readonly MultipartPart[] } = {},
    ): Promise<string[]> {
      const { records, attachments } = prepare(body, principal, options);
      if (principal.storeStatements) await principal.storeStatements(Array.isArray(body) ? body : [body], records);
      else await statements.insert(records, attachments);
      return records.map((record) => record.id);
    },

    /** GET /statements: one statement, or a query page. */
    async read(request: StatementRequest, principal: LrsPrincipal, languages: readonly string[]): Promise<SingleStatementResult | StatementResult> {
      if (request.kind === 'single') {
        const restriction = readRestriction(principal);
        const row: StoredStatement | null = await statements.get(request.id);
        // statementId never returns a voided statement; voidedStatementId returns only voided ones (xAPI 1.0.3 §2.1.3).
        if (!row || row.voided !== request.voided || (restriction !== undefined && row.credentialId !== restriction)) {
          throw notFound('statement-not-found', `no ${request.voided ? 'voided ' : ''}statement with id ${request.id}`, { parameter: request.voided ? 'voidedStatementId' : 'statementId' });
        }
        return {
          statement: formatStatement(row.body, request.format, languages),
          storedMs: row.storedMs,
          attachments: await attachmentsOf([row], request.attachments),
        };
      }
      const throughSequence = await statements.latestSequence();
      return queryPage(request.query, throughSequence, undefined, principal, languages);
    },

    /** Follows a `more` link. */
    async more(token: string, principal: LrsPrincipal, languages: readonly string[]): Promise<StatementResult> {
      const cursor = decodeCursor(token);
      return queryPage(cursor.query, cursor.throughSequence, cursor.afterSequence, principal, languages);
    },
  };
}

export type StatementService = ReturnType<typeof createStatementService>;
export type { StatementFormat };
