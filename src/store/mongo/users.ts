import type { ClientSession } from 'mongodb';
import { conflict } from '../../errors.js';
import type { PasswordTokenRecord, UserRecord, UserStore } from '../ports.js';
import {
  clearLoginFailuresUpdate,
  emailKey,
  loginFailureUpdate,
  toTokenRecord,
  toUserRecord,
  tokenDocumentOf,
  usableTokenFilter,
  userChangesUpdate,
  userDocumentOf,
} from './access-queries.js';
import { inSession, isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, type PasswordTokenDocument, type SessionDocument, type UserDocument } from './documents-model.js';

/** User and token writes usable inside another family's transaction (approving an access request). */
export function mongoUserWrites(context: MongoContext) {
  const users = () => context.collection<UserDocument>(collectionNames.users);
  const tokens = () => context.collection<PasswordTokenDocument>(collectionNames.passwordTokens);
  return {
    async insertUser(user: UserRecord, session?: ClientSession): Promise<void> {
      try {
        await users().insertOne(userDocumentOf(user), inSession(session));
      } catch (error) {
        // The unique index on emailKey decides, so two processes cannot both create the address.
        if (isDuplicateKey(error)) throw conflict('email-taken', `an account with the address ${user.email} exists`, { parameter: 'email' });
        throw error;
      }
    },
    async insertToken(token: PasswordTokenRecord, session?: ClientSession): Promise<void> {
      await tokens().insertOne(tokenDocumentOf(token), inSession(session));
    },
  };
}

export function createMongoUserStore(context: MongoContext): UserStore {
  const users = () => context.collection<UserDocument>(collectionNames.users);
  const tokens = () => context.collection<PasswordTokenDocument>(collectionNames.passwordTokens);
  const sessions = () => context.collection<SessionDocument>(collectionNames.sessions);
  const writes = mongoUserWrites(context);
  const read = async (id: string, session?: ClientSession) => {
    const found = await users().findOne({ _id: id }, inSession(session));
    return found ? toUserRecord(found) : null;
  };
  return {
    add: (user) => writes.insertUser(user),
    get: (id) => read(id),
    async findByEmail(email) {
      const found = await users().findOne({ emailKey: emailKey(email) });
      return found ? toUserRecord(found) : null;
    },
    async list() {
      return (await users().find({}, { sort: { emailKey: 1 } }).toArray()).map(toUserRecord);
    },
    count: () => users().countDocuments({}),
    update(id, changes) {
      return context.transaction(async (session) => {
        const update = userChangesUpdate(changes);
        if (update) await users().updateOne({ _id: id }, update, { session });
        if (changes.status === 'suspended') await sessions().deleteMany({ userId: id }, { session });
        return read(id, session);
      });
    },
    async recordLoginFailure(id, maxFailures, lockUntilMs) {
      const after = await users().findOneAndUpdate({ _id: id }, loginFailureUpdate(maxFailures, lockUntilMs), { returnDocument: 'after' });
      return after ? toUserRecord(after) : null;
    },
    async clearLoginFailures(id) {
      await users().updateOne({ _id: id }, clearLoginFailuresUpdate);
    },
    addPasswordToken: (token) => writes.insertToken(token),
    async findPasswordToken(tokenHash) {
      const found = await tokens().findOne({ _id: tokenHash });
      return found ? toTokenRecord(found) : null;
    },
    setPasswordWithToken(tokenHash, passwordHash, nowMs) {
      return context.transaction(async (session) => {
        const used = await tokens().findOneAndUpdate(usableTokenFilter(tokenHash, nowMs), { $set: { usedMs: nowMs } }, { session, returnDocument: 'after' });
        if (!used) return null;
        await tokens().updateMany({ userId: used.userId, usedMs: null }, { $set: { usedMs: nowMs } }, { session });
        await users().updateOne({ _id: used.userId }, { $set: { passwordHash, failedLogins: 0, lockedUntilMs: null } }, { session });
        await sessions().deleteMany({ userId: used.userId }, { session });
        return read(used.userId, session);
      });
    },
  };
}
