/**
 * A stand-in for the slice of the MongoDB driver the adapter uses, evaluated in memory by mingo (which
 * implements MongoDB's query, update and aggregation languages). It lets the contract suite run the MongoDB
 * adapter's own logic (its filters, updates, transactions and error mapping) on every CI run, without a server.
 *
 * What it is not: a server. Transactions are serialised by one lock and rolled back from a snapshot (no write
 * conflicts, no snapshot isolation for readers outside them); unique indexes (partial ones included) are
 * enforced, other indexes are not used. GridFS works through the driver's own `GridFSBucket` code over these
 * collections (cursors with `next`, `sort`, `limit`; `listIndexes`, `createIndex`), which checks how the adapter
 * uses it, not the server's storage. The contract suite runs against a real server when MONGODB_URI is set; this
 * stand-in never replaces that run.
 */
import { Aggregator, Query, update as applyModifier } from 'mingo';
import type { MongoClient } from 'mongodb';

type Doc = Record<string, any>;

function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(clone) as T;
  // BSON values (ObjectId, Binary…) are immutable: shared, with their class.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
}

const getPath = (doc: Doc, path: string): unknown => path.split('.').reduce<any>((value, part) => (value == null ? undefined : value[part]), doc);

interface UniqueIndex {
  readonly key: Record<string, unknown>;
  readonly partial?: Doc;
}

function duplicateKey(collection: string, keyPattern: Record<string, unknown>): Error {
  return Object.assign(new Error(`E11000 duplicate key error collection: ${collection} index: ${Object.keys(keyPattern).join('_')}`), { code: 11000, keyPattern });
}

interface CursorOptions {
  sort?: Doc;
  limit?: number;
  projection?: Doc;
}

/** A cursor: `toArray`, or `next` one document at a time (GridFS downloads), with `sort` and `limit` chained. */
class Cursor {
  private options: CursorOptions;
  private pending: Doc[] | null = null;
  constructor(private readonly produce: (options: CursorOptions) => Doc[], options: CursorOptions = {}) {
    this.options = { ...options };
  }
  sort(sort: Doc): this {
    this.options.sort = sort;
    return this;
  }
  limit(limit: number): this {
    this.options.limit = limit;
    return this;
  }
  withReadPreference(): this {
    return this;
  }
  async toArray(): Promise<Doc[]> {
    return this.produce(this.options);
  }
  async next(): Promise<Doc | null> {
    this.pending ??= this.produce(this.options);
    return this.pending.shift() ?? null;
  }
  async close(): Promise<void> {
    this.pending = [];
  }
}

export class InMemoryCollection {
  docs: Doc[] = [];
  private readonly unique: UniqueIndex[] = [];

  constructor(readonly name: string, private readonly db: InMemoryDb) {}

  private select(filter: Doc, options: { sort?: Doc; limit?: number; projection?: Doc } = {}): Doc[] {
    let cursor = new Query(filter).find(this.docs);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.limit) cursor = cursor.limit(options.limit);
    const found = cursor.all() as Doc[];
    if (!options.projection) return found.map(clone);
    return (new Query({}).find(found, options.projection).all() as Doc[]).map(clone);
  }

  private check(candidate: Doc, except?: Doc): void {
    for (const other of this.docs) {
      if (other === except) continue;
      if (other._id === candidate._id) throw duplicateKey(this.name, { _id: 1 });
    }
    for (const index of this.unique) {
      if (index.partial && !new Query(index.partial).test(candidate)) continue;
      const fields = Object.keys(index.key);
      const value = JSON.stringify(fields.map((field) => getPath(candidate, field) ?? null));
      for (const other of this.docs) {
        if (other === except || (index.partial && !new Query(index.partial).test(other))) continue;
        if (JSON.stringify(fields.map((field) => getPath(other, field) ?? null)) === value) throw duplicateKey(this.name, index.key);
      }
    }
  }

  private modified(doc: Doc, update: Doc | Doc[], inserting: boolean): Doc {
    if (Array.isArray(update)) return new Aggregator(update).run([doc])[0] as Doc;
    const { $setOnInsert, ...modifier } = update;
    const next = doc;
    if (Object.keys(modifier).length > 0) applyModifier(next, clone(modifier), [], undefined, { cloneMode: 'none' });
    if (inserting && $setOnInsert) applyModifier(next, { $set: clone($setOnInsert) }, [], undefined, { cloneMode: 'none' });
    return next;
  }

  /** The document an upsert starts from: the filter's plain equalities. */
  private seed(filter: Doc): Doc {
    const seed: Doc = {};
    for (const [key, value] of Object.entries(filter)) {
      if (key.startsWith('$') || key.includes('.')) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && Object.keys(value).some((k) => k.startsWith('$'))) continue;
      seed[key] = clone(value);
    }
    return seed;
  }

  private writeOne(filter: Doc, update: Doc | Doc[], upsert: boolean, sort?: Doc): { before: Doc | null; after: Doc | null; upserted: boolean } {
    // With a sort, the first matching document in that order (findOneAndUpdate's `sort`), as the server picks it.
    const target = sort ? (new Query(filter).find(this.docs).sort(sort).all()[0] as Doc | undefined) : this.docs.find((doc) => new Query(filter).test(doc));
    if (!target) {
      if (!upsert) return { before: null, after: null, upserted: false };
      const created = this.modified(this.seed(filter), update, true);
      if (created._id === undefined) created._id = `${Date.now()}-${Math.random()}`;
      this.check(created);
      this.docs.push(created);
      return { before: null, after: clone(created), upserted: true };
    }
    const next = this.modified(clone(target), update, false);
    this.check(next, target);
    this.docs[this.docs.indexOf(target)] = next;
    return { before: clone(target), after: clone(next), upserted: false };
  }

  private readonly indexes: Array<{ key: Doc; name: string }> = [{ key: { _id: 1 }, name: '_id_' }];

  async createIndexes(specs: Array<{ key: Doc; unique?: boolean; partialFilterExpression?: Doc }>): Promise<string[]> {
    for (const spec of specs) {
      if (spec.unique) this.unique.push({ key: spec.key, ...(spec.partialFilterExpression && { partial: spec.partialFilterExpression }) });
      this.indexes.push({ key: spec.key, name: JSON.stringify(spec.key) });
    }
    return specs.map((spec) => JSON.stringify(spec.key));
  }
  async createIndex(key: Doc, options: { unique?: boolean } = {}): Promise<string> {
    const [name] = await this.createIndexes([{ key, ...(options.unique && { unique: true }) }]);
    return name as string;
  }
  listIndexes(): Cursor {
    return new Cursor(() => this.indexes.map((index) => clone(index)));
  }
  async findOne(filter: Doc, options: { sort?: Doc; projection?: Doc } = {}): Promise<Doc | null> {
    return this.select(filter, { ...options, limit: 1 })[0] ?? null;
  }
  find(filter: Doc, options: { sort?: Doc; limit?: number; projection?: Doc } = {}): Cursor {
    return new Cursor((chained) => this.select(filter, chained), options);
  }
  async countDocuments(filter: Doc): Promise<number> {
    return this.select(filter).length;
  }
  async insertOne(doc: Doc): Promise<{ insertedId: unknown }> {
    const copy = clone(doc);
    this.check(copy);
    this.docs.push(copy);
    return { insertedId: copy._id };
  }
  async insertMany(docs: Doc[]): Promise<{ insertedCount: number }> {
    for (const doc of docs) await this.insertOne(doc);
    return { insertedCount: docs.length };
  }
  async updateOne(filter: Doc, update: Doc | Doc[], options: { upsert?: boolean } = {}) {
    const { before, after, upserted } = this.writeOne(filter, update, options.upsert === true);
    return { matchedCount: before ? 1 : 0, modifiedCount: before && JSON.stringify(before) !== JSON.stringify(after) ? 1 : 0, upsertedCount: upserted ? 1 : 0 };
  }
  async updateMany(filter: Doc, update: Doc | Doc[]) {
    const targets = this.docs.filter((doc) => new Query(filter).test(doc));
    for (const target of targets) {
      const next = this.modified(clone(target), update, false);
      this.check(next, target);
      this.docs[this.docs.indexOf(target)] = next;
    }
    return { matchedCount: targets.length, modifiedCount: targets.length };
  }
  async replaceOne(filter: Doc, replacement: Doc, options: { upsert?: boolean } = {}) {
    const target = this.docs.find((doc) => new Query(filter).test(doc));
    const next = clone(replacement);
    // A replacement without `_id` keeps the document's, or takes the filter's on upsert (as the server does).
    if (next._id === undefined) {
      const _id = target ? target._id : this.seed(filter)._id;
      if (_id !== undefined) next._id = _id;
    }
    if (!target) {
      if (!options.upsert) return { matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };
      this.check(next);
      this.docs.push(next);
      return { matchedCount: 0, modifiedCount: 0, upsertedCount: 1 };
    }
    this.check(next, target);
    this.docs[this.docs.indexOf(target)] = next;
    return { matchedCount: 1, modifiedCount: 1, upsertedCount: 0 };
  }
  async findOneAndUpdate(filter: Doc, update: Doc | Doc[], options: { upsert?: boolean; returnDocument?: 'before' | 'after'; sort?: Doc } = {}) {
    const { before, after } = this.writeOne(filter, update, options.upsert === true, options.sort);
    return options.returnDocument === 'after' ? after : before;
  }
  async bulkWrite(operations: Array<{ replaceOne?: { filter: Doc; replacement: Doc; upsert?: boolean } }>) {
    for (const operation of operations) {
      if (!operation.replaceOne) throw new Error('the stand-in supports replaceOne bulk operations only');
      await this.replaceOne(operation.replaceOne.filter, operation.replaceOne.replacement, { upsert: operation.replaceOne.upsert === true });
    }
    return { ok: 1 };
  }
  async deleteOne(filter: Doc) {
    const index = this.docs.findIndex((doc) => new Query(filter).test(doc));
    if (index >= 0) this.docs.splice(index, 1);
    return { deletedCount: index >= 0 ? 1 : 0 };
  }
  async deleteMany(filter: Doc) {
    const before = this.docs.length;
    this.docs = this.docs.filter((doc) => !new Query(filter).test(doc));
    return { deletedCount: before - this.docs.length };
  }
  aggregate(pipeline: Doc[]): Cursor {
    return new Cursor(() => (new Aggregator(pipeline, { collectionResolver: (name: string) => this.db.collection(name).docs }).run(this.docs) as Doc[]).map(clone));
  }
}

export class InMemoryDb {
  readonly collections = new Map<string, InMemoryCollection>();
  constructor(readonly name: string) {}
  collection(name: string): InMemoryCollection {
    let found = this.collections.get(name);
    if (!found) this.collections.set(name, (found = new InMemoryCollection(name, this)));
    return found;
  }
  listCollections() {
    return new Cursor(() => [...this.collections.keys()].map((name) => ({ name })));
  }
  async createCollection(name: string) {
    return this.collection(name);
  }
  async command() {
    return { ok: 1 };
  }
}

class InMemorySession {
  constructor(private readonly client: InMemoryMongoClient) {}
  async withTransaction(work: () => Promise<unknown>): Promise<unknown> {
    return this.client.exclusively(async () => {
      const snapshot = this.client.snapshot();
      try {
        return await work();
      } catch (error) {
        this.client.restore(snapshot);
        throw error;
      }
    });
  }
  async endSession() {}
}

export class InMemoryMongoClient {
  private readonly dbs = new Map<string, InMemoryDb>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Transactions committed and aborted, for tests that check what ran in one. */
  transactions = 0;

  db(name: string): InMemoryDb {
    let found = this.dbs.get(name);
    if (!found) this.dbs.set(name, (found = new InMemoryDb(name)));
    return found;
  }
  startSession() {
    return new InMemorySession(this);
  }
  async close() {}

  exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    this.transactions += 1;
    return run;
  }
  snapshot(): Map<InMemoryCollection, Doc[]> {
    const copy = new Map<InMemoryCollection, Doc[]>();
    for (const db of this.dbs.values()) for (const collection of db.collections.values()) copy.set(collection, collection.docs.map(clone));
    return copy;
  }
  restore(snapshot: Map<InMemoryCollection, Doc[]>): void {
    for (const db of this.dbs.values()) for (const collection of db.collections.values()) collection.docs = snapshot.get(collection) ?? [];
  }
  /** Typed as the driver's client for the adapter; only the methods above exist. */
  asDriverClient(): MongoClient {
    return this as unknown as MongoClient;
  }
}
