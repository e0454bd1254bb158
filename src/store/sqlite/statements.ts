import type { Statement as PreparedStatement } from 'better-sqlite3';
import { conflict, invalid } from '../../errors.js';
import { mergeActivityDefinition } from '../activity-definitions.js';
import type {
  AttachmentRecord,
  InsertOutcome,
  StatementFilter,
  StatementPage,
  StatementRecord,
  StatementStore,
  StoredStatement,
} from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface StatementRow {
  seq: number;
  id: string;
  body: string;
  stored_ms: number;
  voided: number;
  is_voiding: number;
  credential_id: string | null;
  fingerprint: string;
}

const toStored = (row: StatementRow): StoredStatement => ({
  sequence: row.seq,
  id: row.id,
  body: row.body,
  storedMs: row.stored_ms,
  voided: row.voided === 1,
  isVoiding: row.is_voiding === 1,
  credentialId: row.credential_id,
});

const columns = 's.seq, s.id, s.body, s.stored_ms, s.voided, s.is_voiding, s.credential_id, s.fingerprint';

/** The statement store, and its synchronous batch insert for adapters that write statements in their own transaction. */
export interface StatementStoreHooks {
  /**
   * Runs after a batch's statements are written, in the same transaction, with the records actually inserted
   * (duplicates left out): projections (DESIGN.md "The one rule") are updated with the write or not at all.
   */
  readonly afterInsert?: (inserted: readonly StatementRecord[]) => void;
}

/** The agent+verb pair key of an agent key and a verb key (`agent|<identity>`, `verb|<iri>`). */
const pairKey = (agentKey: string, verbKey: string) => `av|${agentKey.slice('agent|'.length)}|${verbKey.slice('verb|'.length)}`;

/**
 * Agent+verb pairs: every agent key of a statement with every verb key, stored as keys of their own so that the
 * commonest two-parameter query reads one index range, however common the agent and the verb are apart (walking a
 * learner's 6,000 statements for the 100 with one verb cost 24 ms at 1 M statements). With inherited keys the pairs
 * are the same cross product, so a pair matches exactly the statements the two keys match together.
 */
function pairKeys(keys: readonly string[]): string[] {
  const agents = keys.filter((key) => key.startsWith('agent|'));
  const verbs = keys.filter((key) => key.startsWith('verb|'));
  return agents.flatMap((agent) => verbs.map((verb) => pairKey(agent, verb)));
}

/** A filter's keys with an agent key and a verb key replaced by their pair key (same statements, one index range). */
export function withPairKey(keys: readonly string[]): readonly string[] {
  const agents = keys.filter((key) => key.startsWith('agent|'));
  const verbs = keys.filter((key) => key.startsWith('verb|'));
  if (agents.length !== 1 || verbs.length !== 1) return keys;
  return [pairKey(agents[0], verbs[0]), ...keys.filter((key) => key !== agents[0] && key !== verbs[0])];
}

export function createSqliteStatementStore(db: Sqlite, writes: WriteQueue, hooks: StatementStoreHooks = {}): StatementStore & { readonly insertBatch: (records: readonly StatementRecord[], attachments?: readonly AttachmentRecord[]) => InsertOutcome } {
  const sql = {
    byId: db.prepare(`SELECT ${columns} FROM statements s WHERE s.id = ?`),
    insert: db.prepare(
      `INSERT INTO statements (id, stored_ms, verb_id, registration, ref_target, is_voiding, credential_id, fingerprint, body)
       VALUES (@id, @storedMs, @verbId, @registration, @refTarget, @isVoiding, @credentialId, @fingerprint, @body)`,
    ),
    insertKey: db.prepare('INSERT OR IGNORE INTO statement_keys (key, seq) VALUES (?, ?)'),
    // A target's keys, own and inherited, pass to the statement that targets it.
    inheritKeys: db.prepare('INSERT OR IGNORE INTO statement_keys (key, seq) SELECT key, ? FROM statement_keys WHERE seq = ?'),
    // Statements already stored that target this one (directly or through a chain) receive its keys.
    passKeysToReferrers: db.prepare(`
      WITH RECURSIVE referrers(seq, id) AS (
        SELECT seq, id FROM statements WHERE ref_target = @id
        UNION
        SELECT s.seq, s.id FROM statements s JOIN referrers r ON s.ref_target = r.id
      )
      INSERT OR IGNORE INTO statement_keys (key, seq)
      SELECT k.key, r.seq FROM referrers r JOIN statement_keys k ON k.seq = @seq`),
    // A statement's agent+verb pairs from all its agent and verb keys (after it inherited some).
    pairKeysOf: db.prepare(`
      INSERT OR IGNORE INTO statement_keys (key, seq)
      SELECT 'av|' || substr(a.key, 7) || '|' || substr(v.key, 6), a.seq
      FROM statement_keys a JOIN statement_keys v ON v.seq = a.seq
      WHERE a.seq = ? AND a.key >= 'agent|' AND a.key < 'agent}' AND v.key >= 'verb|' AND v.key < 'verb}'`),
    // The same for the statements that target this one (directly or through a chain), after they received its keys.
    pairKeysOfReferrers: db.prepare(`
      WITH RECURSIVE referrers(seq, id) AS (
        SELECT seq, id FROM statements WHERE ref_target = @id
        UNION
        SELECT s.seq, s.id FROM statements s JOIN referrers r ON s.ref_target = r.id
      )
      INSERT OR IGNORE INTO statement_keys (key, seq)
      SELECT 'av|' || substr(a.key, 7) || '|' || substr(v.key, 6), a.seq
      FROM referrers r JOIN statement_keys a ON a.seq = r.seq JOIN statement_keys v ON v.seq = r.seq
      WHERE a.key >= 'agent|' AND a.key < 'agent}' AND v.key >= 'verb|' AND v.key < 'verb}'`),
    markVoided: db.prepare('UPDATE statements SET voided = 1 WHERE id = ? AND is_voiding = 0'),
    markVoidedBySeq: db.prepare('UPDATE statements SET voided = 1 WHERE seq = ?'),
    pendingVoider: db.prepare('SELECT 1 FROM statements WHERE ref_target = ? AND is_voiding = 1 LIMIT 1'),
    insertAttachment: db.prepare('INSERT OR IGNORE INTO attachments (sha2, content_type, content) VALUES (?, ?, ?)'),
    attachment: db.prepare('SELECT sha2, content_type, content FROM attachments WHERE sha2 = ?'),
    definition: db.prepare('SELECT definition FROM activities WHERE id = ?'),
    saveDefinition: db.prepare('INSERT INTO activities (id, definition) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition'),
    // How many rows a key has in a range, counted up to a bound: enough to tell a selective key from a common one.
    // A key's first `bound` rows from the end a scan starts at: how many, and the sequence of the farthest.
    headOfKeyNewest: db.prepare('SELECT count(*) AS n, MIN(seq) AS edge FROM (SELECT seq FROM statement_keys WHERE key = ? AND seq BETWEEN ? AND ? ORDER BY seq DESC LIMIT ?)'),
    headOfKeyOldest: db.prepare('SELECT count(*) AS n, MAX(seq) AS edge FROM (SELECT seq FROM statement_keys WHERE key = ? AND seq BETWEEN ? AND ? ORDER BY seq ASC LIMIT ?)'),
    latest: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM statements'),
    lastSeqAtOrBefore: db.prepare('SELECT seq FROM statements WHERE stored_ms <= ? ORDER BY stored_ms DESC, seq DESC LIMIT 1'),
  };
  const queryCache = new Map<string, PreparedStatement>();

  function lastSequenceAtOrBefore(ms: number): number {
    const row = sql.lastSeqAtOrBefore.get(ms) as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  function insertOne(record: StatementRecord, index: number): boolean {
    const existing = sql.byId.get(record.id) as StatementRow | undefined;
    if (existing) {
      if (existing.fingerprint === record.fingerprint) return false;
      throw conflict('statement-conflict', `statement ${record.id} is already stored with different content`, {
        path: `/${index}`,
        statementId: record.id,
      });
    }
    if (record.isVoiding && record.refTarget) {
      const target = sql.byId.get(record.refTarget) as StatementRow | undefined;
      if (target?.is_voiding === 1) {
        throw invalid('voiding-a-voiding-statement', `a voiding statement cannot target another voiding statement (${target.id})`, {
          path: `/${index}/object/id`,
        });
      }
    }
    const { id, body, storedMs, verbId, registration, refTarget, credentialId, fingerprint } = record;
    const seq = Number(
      sql.insert.run({ id, body, storedMs, verbId, registration, refTarget, credentialId, fingerprint, isVoiding: record.isVoiding ? 1 : 0 }).lastInsertRowid,
    );
    for (const key of record.keys) sql.insertKey.run(key, seq);
    for (const key of pairKeys(record.keys)) sql.insertKey.run(key, seq);
    if (record.refTarget) {
      const target = sql.byId.get(record.refTarget) as StatementRow | undefined;
      if (target && sql.inheritKeys.run(seq, target.seq).changes > 0) sql.pairKeysOf.run(seq);
      if (record.isVoiding) sql.markVoided.run(record.refTarget);
    }
    if (!record.isVoiding && sql.pendingVoider.get(record.id)) {
      sql.markVoidedBySeq.run(seq);
    }
    if (sql.passKeysToReferrers.run({ id: record.id, seq }).changes > 0) sql.pairKeysOfReferrers.run({ id: record.id });
    for (const { id, definition } of record.definitions) {
      const current = sql.definition.get(id) as { definition: string } | undefined;
      const merged = JSON.stringify(mergeActivityDefinition(current ? JSON.parse(current.definition) : null, definition));
      // Most statements repeat the definition their activity already has: then nothing is written (rewriting the
      // row every time was the largest single cost of an insert in the bench's profile).
      if (merged !== current?.definition) sql.saveDefinition.run(id, merged);
    }
    return true;
  }

  /** The statement store's write rules, synchronously, inside whatever transaction is open. */
  function insertBatch(records: readonly StatementRecord[], attachments: readonly AttachmentRecord[] = []): InsertOutcome {
    for (const attachment of attachments) sql.insertAttachment.run(attachment.sha2, attachment.contentType, attachment.content);
    const inserted: StatementRecord[] = [];
    records.forEach((record, index) => {
      if (insertOne(record, index)) inserted.push(record);
    });
    if (inserted.length > 0) hooks.afterInsert?.(inserted);
    return { inserted: inserted.map((record) => record.id) };
  }

  /**
   * Orders the keys so the most selective drives the scan: an agent with thousands of statements and a rare
   * verb is cheaper to find from the verb. Each key's estimate reads at most `bound` index entries from the end
   * the scan starts at: a key with fewer is counted exactly; for a larger one, the sequence of its `bound`-th entry
   * gives its density there, extrapolated over the range. (Counting up to the bound alone could not tell two
   * large keys apart, and walking the wrong one — a learner's 50,000 statements for a verb that is 1 % of them —
   * was the slowest agent+verb query at 1 M statements.)
   */
  function driverFirst(keys: readonly string[], low: number, high: number, ascending: boolean): readonly string[] {
    if (keys.length < 2) return keys;
    const bound = 2000;
    const span = high - low + 1;
    const estimated = keys.map((key) => {
      const head = (ascending ? sql.headOfKeyOldest : sql.headOfKeyNewest).get(key, low, high, bound) as { n: number; edge: number | null };
      if (head.n < bound || head.edge === null) return { key, rows: head.n };
      const covered = ascending ? head.edge - low + 1 : high - head.edge + 1;
      return { key, rows: (bound * span) / covered };
    });
    return estimated.sort((a, b) => a.rows - b.rows).map((entry) => entry.key);
  }

  /** Builds (once per shape) the query for a filter: the first key drives the scan through its index. */
  function prepareQuery(filter: StatementFilter): PreparedStatement {
    const order = filter.ascending ? 'ASC' : 'DESC';
    const driver = filter.keys.length > 0 ? 'k0.seq' : 's.seq';
    const shape = [filter.keys.length, filter.credentialId !== undefined, filter.afterSequence !== undefined, order].join(':');
    const cached = queryCache.get(shape);
    if (cached) return cached;
    const joins: string[] = [];
    const where: string[] = [];
    if (filter.keys.length > 0) {
      // CROSS JOIN fixes the loop order: walk the first key's index in sequence order, probe the others.
      joins.push('statement_keys k0');
      for (let i = 1; i < filter.keys.length; i++) joins.push(`CROSS JOIN statement_keys k${i}`);
      joins.push('CROSS JOIN statements s');
      where.push('k0.key = @key0', 's.seq = k0.seq');
      for (let i = 1; i < filter.keys.length; i++) where.push(`k${i}.key = @key${i}`, `k${i}.seq = k0.seq`);
    } else {
      joins.push('statements s');
    }
    where.push(`${driver} BETWEEN @low AND @high`, 's.voided = 0');
    if (filter.credentialId !== undefined) where.push('s.credential_id = @credentialId');
    const text = `SELECT ${columns} FROM ${joins.join(' ')} WHERE ${where.join(' AND ')} ORDER BY ${driver} ${order} LIMIT @limit`;
    const prepared = db.prepare(text);
    queryCache.set(shape, prepared);
    return prepared;
  }

  return {
    insertBatch,
    insert(records, attachments = []) {
      return writes.run(() => insertBatch(records, attachments));
    },

    async get(id) {
      const row = sql.byId.get(id) as StatementRow | undefined;
      return row ? toStored(row) : null;
    },

    async query(filter): Promise<StatementPage> {
      // since/until become a sequence range: `stored` never decreases as `seq` grows (the LRS assigns both).
      let low = 1;
      let high = filter.throughSequence;
      if (filter.sinceMs !== undefined) low = lastSequenceAtOrBefore(filter.sinceMs) + 1;
      if (filter.untilMs !== undefined) high = Math.min(high, lastSequenceAtOrBefore(filter.untilMs));
      if (filter.afterSequence !== undefined) {
        if (filter.ascending) low = Math.max(low, filter.afterSequence + 1);
        else high = Math.min(high, filter.afterSequence - 1);
      }
      if (low > high) return { statements: [], hasMore: false };
      const params: Record<string, unknown> = { low, high, limit: filter.limit + 1 };
      const keys = withPairKey(filter.keys);
      driverFirst(keys, low, high, filter.ascending).forEach((key, i) => (params[`key${i}`] = key));
      if (filter.credentialId !== undefined) params.credentialId = filter.credentialId;
      const rows = prepareQuery({ ...filter, keys }).all(params) as StatementRow[];
      const hasMore = rows.length > filter.limit;
      return { statements: rows.slice(0, filter.limit).map(toStored), hasMore };
    },

    async attachments(sha2s) {
      return sha2s.flatMap((sha2) => {
        const row = sql.attachment.get(sha2) as { sha2: string; content_type: string; content: Buffer } | undefined;
        return row ? [{ sha2: row.sha2, contentType: row.content_type, content: row.content }] : [];
      });
    },

    async latestSequence() {
      return (sql.latest.get() as { seq: number }).seq;
    },
  };
}
