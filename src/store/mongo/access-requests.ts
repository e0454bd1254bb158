import { conflict, notFound } from '../../errors.js';
import type { ClientSession } from 'mongodb';
import type { AccessRequestRecord, AccessRequestStore } from '../ports.js';
import {
  accessRequestDocumentOf,
  accessRequestListFilter,
  accessRequestListSort,
  decideRequest,
  emailKey,
  toAccessRequestRecord,
} from './access-queries.js';
import { mongoAuditAppend } from './audit.js';
import { inSession, isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, type AccessRequestDocument } from './documents-model.js';
import { mongoMailEnqueue } from './mail.js';
import { mongoUserWrites } from './users.js';

/** Approval writes the user, the token, the mail and the audit record with the decision: one transaction. */
export function createMongoAccessRequestStore(context: MongoContext): AccessRequestStore {
  const requests = () => context.collection<AccessRequestDocument>(collectionNames.accessRequests);
  const users = mongoUserWrites(context);
  const audit = mongoAuditAppend(context);
  const mail = mongoMailEnqueue(context);
  const read = async (id: string, session?: ClientSession) => {
    const found = await requests().findOne({ _id: id }, inSession(session));
    return found ? toAccessRequestRecord(found) : null;
  };
  const pendingOrThrow = async (id: string, session: ClientSession) => {
    const current = await read(id, session);
    if (!current) throw notFound('access-request-not-found', `no access request ${id}`);
    if (current.status !== 'pending') {
      throw conflict('access-request-decided', `access request ${id} was already ${current.status}`, { status: current.status });
    }
    return current;
  };
  return {
    async add(record) {
      try {
        // The partial unique index (emailKey where pending) refuses a second pending request for the address.
        await requests().insertOne(accessRequestDocumentOf({ ...record, status: 'pending', decidedMs: null, decidedBy: null, rejectionReason: null, userId: null }));
      } catch (error) {
        if (isDuplicateKey(error)) {
          throw conflict('access-request-pending', `a request for ${record.email} is already waiting for a decision`, { parameter: 'email' });
        }
        throw error;
      }
    },
    get: (id) => read(id),
    async findPending(email) {
      const found = await requests().findOne({ emailKey: emailKey(email), status: 'pending' });
      return found ? toAccessRequestRecord(found) : null;
    },
    async list(filter) {
      return (await requests().find(accessRequestListFilter(filter), { sort: accessRequestListSort }).toArray()).map(toAccessRequestRecord);
    },
    approve(approval) {
      return context.transaction(async (session) => {
        await pendingOrThrow(approval.requestId, session);
        await users.insertUser(approval.user, session);
        await users.insertToken(approval.token, session);
        await mail(approval.mail, session);
        await audit(approval.audit, session);
        const { filter, update } = decideRequest(approval.requestId, {
          status: 'approved', decidedMs: approval.decidedMs, decidedBy: approval.decidedBy, rejectionReason: null, userId: approval.user.id,
        });
        await requests().updateOne(filter, update, { session });
        return (await read(approval.requestId, session)) as AccessRequestRecord;
      });
    },
    reject(rejection) {
      return context.transaction(async (session) => {
        await pendingOrThrow(rejection.requestId, session);
        if (rejection.mail) await mail(rejection.mail, session);
        await audit(rejection.audit, session);
        const { filter, update } = decideRequest(rejection.requestId, {
          status: 'rejected', decidedMs: rejection.decidedMs, decidedBy: rejection.decidedBy, rejectionReason: rejection.reason, userId: null,
        });
        await requests().updateOne(filter, update, { session });
        return (await read(rejection.requestId, session)) as AccessRequestRecord;
      });
    },
  };
}
