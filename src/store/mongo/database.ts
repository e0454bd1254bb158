/**
 * The connection, the transaction helper and the counters shared by every MongoDB adapter file.
 *
 * Writes: `w: "majority"` (a write acknowledged to a client survives the loss of the primary), retryable
 * writes and reads (a primary step-down during an election is retried once by the driver). Every operation
 * that must be all-or-nothing runs in `transaction`, a multi-document transaction (`session.withTransaction`,
 * which retries the whole callback on transient errors such as write conflicts, so callbacks never swallow a
 * driver error and only do idempotent work).
 */
import { MongoClient, type ClientSession, type Collection, type Db, type Document, type MongoClientOptions } from 'mongodb';
import { collectionNames, type CollectionName, type CounterDocument } from './documents-model.js';
import { driverIndexSpecs, indexSpecs } from './indexes.js';

export interface MongoConnectOptions {
  /** `mongodb://host1,host2,host3/?replicaSet=rs0` (a replica set or a mongos: transactions need one). */
  readonly uri: string;
  /** The database to use; default: the one in the URI's path, else `cadet`. */
  readonly database?: string;
  /** How long to look for a usable server before giving up (default 30 s; tests use less). */
  readonly serverSelectionTimeoutMS?: number;
}

export const clientOptions = (serverSelectionTimeoutMS?: number): MongoClientOptions => ({
  appName: 'cadet',
  writeConcern: { w: 'majority' },
  readConcern: { level: 'majority' },
  retryWrites: true,
  retryReads: true,
  // Attachment and document content comes back as Buffer, as the ports type it (not bson Binary).
  promoteBuffers: true,
  ...(serverSelectionTimeoutMS !== undefined && { serverSelectionTimeoutMS }),
});

/**
 * The hosts of a connection string, credentials left out, for error messages and logs:
 * `mongodb://u:p@a:27017,b/db?x` → `a:27017,b`.
 */
export function describeMongoUri(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/i.exec(uri.trim());
  return match?.[1] ? match[1] : '(not a mongodb:// URI)';
}

/** The database name: explicit, else the URI's path, else `cadet`. */
export function databaseNameOf(uri: string, explicit?: string): string {
  if (explicit) return explicit;
  const match = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/i.exec(uri.trim());
  return match?.[1] ? decodeURIComponent(match[1]) : 'cadet';
}

export class MongoConnectionError extends Error {
  override readonly name = 'MongoConnectionError';
}

/** Connects and checks the server answers; rejects with an error naming the hosts (never the password). */
export async function connectMongo(options: MongoConnectOptions): Promise<MongoClient> {
  const hosts = describeMongoUri(options.uri);
  let client: MongoClient;
  try {
    client = new MongoClient(options.uri, clientOptions(options.serverSelectionTimeoutMS));
  } catch (error) {
    throw new MongoConnectionError(`MONGODB_URI is not a usable connection string (hosts ${hosts}): ${(error as Error).message}`, { cause: error });
  }
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (error) {
    await client.close().catch(() => {});
    throw new MongoConnectionError(`cannot reach MongoDB at ${hosts}: ${(error as Error).message}`, { cause: error });
  }
}

/** What every adapter file receives: the database, typed collections and the transaction helper. */
export interface MongoContext {
  readonly client: MongoClient;
  readonly db: Db;
  collection<T extends Document>(name: CollectionName): Collection<T>;
  /** Runs `work` in one multi-document transaction (snapshot reads, majority commit); may call it again on transient errors. */
  transaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T>;
  /** Reserves `count` numbers of a counter (inside the caller's transaction when given); resolves with the first. */
  reserve(counter: string, count: number, session?: ClientSession): Promise<number>;
  /** The last number a counter gave (0 when never used). */
  current(counter: string, session?: ClientSession): Promise<number>;
  /**
   * Runs `callback` once the transaction of `session` has committed (never when it aborts); at once (on the next
   * turn) without a session. For notifications about writes, such as new mail for the sender.
   */
  afterCommit(session: ClientSession | undefined, callback: () => void): void;
}

export function createMongoContext(client: MongoClient, databaseName: string): MongoContext {
  const db = client.db(databaseName);
  const counters = () => db.collection<CounterDocument>(collectionNames.counters);
  /** Callbacks waiting for the commit of each open transaction. */
  const committed = new WeakMap<ClientSession, Array<() => void>>();
  return {
    client,
    db,
    collection: <T extends Document>(name: CollectionName) => db.collection<T>(name),
    async transaction(work) {
      const session = client.startSession();
      try {
        let result: Awaited<ReturnType<typeof work>> | undefined;
        await session.withTransaction(
          async () => {
            // A retried callback starts again: callbacks of an aborted run are dropped.
            committed.set(session, []);
            result = await work(session);
          },
          { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' },
        );
        const callbacks = committed.get(session) ?? [];
        committed.delete(session);
        for (const callback of callbacks) setImmediate(callback);
        return result as Awaited<ReturnType<typeof work>>;
      } finally {
        committed.delete(session);
        await session.endSession();
      }
    },
    async reserve(counter, count, session) {
      const after = await counters().findOneAndUpdate(
        { _id: counter },
        { $inc: { seq: count } },
        { upsert: true, returnDocument: 'after', ...(session && { session }) },
      );
      return (after as CounterDocument).seq - count + 1;
    },
    afterCommit(session, callback) {
      const waiting = session ? committed.get(session) : undefined;
      if (waiting) waiting.push(callback);
      else setImmediate(callback);
    },
    async current(counter, session) {
      const found = await counters().findOne({ _id: counter }, session ? { session } : {});
      return found?.seq ?? 0;
    },
  };
}

/**
 * Creates the collections (a transaction may not create one on a sharded cluster) and their indexes;
 * idempotent, run on start by each process.
 */
export async function ensureIndexes(context: Pick<MongoContext, 'collection' | 'db'>): Promise<void> {
  const existing = new Set((await context.db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name));
  for (const name of Object.values(collectionNames)) {
    if (!existing.has(name)) await context.db.createCollection(name).catch((error: unknown) => {
      // Another process created it meanwhile (NamespaceExists).
      if ((error as { code?: number }).code !== 48) throw error;
    });
  }
  for (const [name, specs] of Object.entries(indexSpecs)) {
    if (specs && specs.length > 0) await context.collection(name as CollectionName).createIndexes(driverIndexSpecs(specs));
  }
}

/** MongoDB's duplicate key error (a unique index refused a write). */
export const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

/** Only when given: `{ session }` for the driver's options, so calls outside a transaction pass nothing. */
export const inSession = (session?: ClientSession) => (session ? { session } : {});
