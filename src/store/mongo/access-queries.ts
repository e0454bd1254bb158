/**
 * Pure mappings and update documents for the access context's collections (users, password tokens, sessions,
 * access requests, audit trail, mail outbox) and LRS credentials.
 */
import type {
  AccessRequestRecord,
  AuditRecord,
  CredentialRecord,
  MailRecord,
  PasswordTokenRecord,
  SessionRecord,
  StoredAuditRecord,
  UserChanges,
  UserRecord,
} from '../ports.js';
import type {
  AccessRequestDocument,
  AuditDocument,
  CredentialDocument,
  MailDocument,
  PasswordTokenDocument,
  SessionDocument,
  UserDocument,
} from './documents-model.js';

/** The address as uniqueness sees it (the same rule as SQLite's `email_key`). */
export const emailKey = (email: string) => email.trim().toLowerCase();

export const credentialDocumentOf = (record: CredentialRecord): CredentialDocument => ({
  _id: record.key,
  name: record.name,
  secretHash: record.secretHash,
  scopes: [...record.scopes],
  createdMs: record.createdMs,
  revokedMs: record.revokedMs,
});

export const toCredentialRecord = (doc: CredentialDocument): CredentialRecord => ({
  key: doc._id,
  name: doc.name,
  secretHash: doc.secretHash,
  scopes: doc.scopes,
  createdMs: doc.createdMs,
  revokedMs: doc.revokedMs,
});

export const userDocumentOf = (user: UserRecord): UserDocument => ({
  _id: user.id,
  email: user.email.trim(),
  emailKey: emailKey(user.email),
  name: user.name,
  country: user.country,
  agency: user.agency,
  language: user.language,
  roles: user.roles.map((grant) => ({ ...grant, ...(grant.countries && { countries: [...grant.countries] }) })),
  status: user.status,
  passwordHash: user.passwordHash,
  failedLogins: user.failedLogins,
  lockedUntilMs: user.lockedUntilMs,
  createdMs: user.createdMs,
});

export const toUserRecord = (doc: UserDocument): UserRecord => ({
  id: doc._id,
  email: doc.email,
  name: doc.name,
  country: doc.country,
  agency: doc.agency,
  language: doc.language,
  roles: doc.roles,
  status: doc.status,
  passwordHash: doc.passwordHash,
  failedLogins: doc.failedLogins,
  lockedUntilMs: doc.lockedUntilMs,
  createdMs: doc.createdMs,
});

/** `$set` of the given changes (undefined ones left alone). */
export function userChangesUpdate(changes: UserChanges): Record<string, unknown> | null {
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) if (value !== undefined) set[field] = value;
  return Object.keys(set).length > 0 ? { $set: set } : null;
}

/**
 * One failed sign-in as a pipeline update (atomic on the one document): at `maxFailures` the account locks
 * until `lockUntilMs` and the count restarts from zero.
 */
export function loginFailureUpdate(maxFailures: number, lockUntilMs: number) {
  const reached = { $gte: [{ $add: ['$failedLogins', 1] }, maxFailures] };
  return [
    {
      $set: {
        lockedUntilMs: { $cond: [reached, lockUntilMs, '$lockedUntilMs'] },
        failedLogins: { $cond: [reached, 0, { $add: ['$failedLogins', 1] }] },
      },
    },
  ];
}

export const clearLoginFailuresUpdate = { $set: { failedLogins: 0, lockedUntilMs: null } } as const;

export const tokenDocumentOf = (token: PasswordTokenRecord): PasswordTokenDocument => ({
  _id: token.tokenHash,
  userId: token.userId,
  purpose: token.purpose,
  createdMs: token.createdMs,
  expiresMs: token.expiresMs,
  usedMs: token.usedMs,
});

export const toTokenRecord = (doc: PasswordTokenDocument): PasswordTokenRecord => ({
  tokenHash: doc._id,
  userId: doc.userId,
  purpose: doc.purpose,
  createdMs: doc.createdMs,
  expiresMs: doc.expiresMs,
  usedMs: doc.usedMs,
});

/** The token, only while it is unused and unexpired: the filter of the single-use update. */
export const usableTokenFilter = (tokenHash: string, nowMs: number) => ({ _id: tokenHash, usedMs: null, expiresMs: { $gt: nowMs } });

export const sessionDocumentOf = (record: SessionRecord): SessionDocument => ({
  _id: record.idHash,
  userId: record.userId,
  csrfToken: record.csrfToken,
  createdMs: record.createdMs,
  expiresMs: record.expiresMs,
  expiresAt: new Date(record.expiresMs),
});

export const toSessionRecord = (doc: SessionDocument): SessionRecord => ({
  idHash: doc._id,
  userId: doc.userId,
  csrfToken: doc.csrfToken,
  createdMs: doc.createdMs,
  expiresMs: doc.expiresMs,
});

export const liveSessionFilter = (idHash: string, nowMs: number) => ({ _id: idHash, expiresMs: { $gt: nowMs } });
export const expiredSessionsFilter = (beforeMs: number) => ({ expiresMs: { $lte: beforeMs } });

export const accessRequestDocumentOf = (record: AccessRequestRecord): AccessRequestDocument => ({
  _id: record.id,
  name: record.name,
  email: record.email.trim(),
  emailKey: emailKey(record.email),
  agency: record.agency,
  country: record.country,
  position: record.position,
  reason: record.reason,
  language: record.language,
  status: record.status,
  createdMs: record.createdMs,
  decidedMs: record.decidedMs,
  decidedBy: record.decidedBy,
  rejectionReason: record.rejectionReason,
  userId: record.userId,
});

export const toAccessRequestRecord = (doc: AccessRequestDocument): AccessRequestRecord => ({
  id: doc._id,
  name: doc.name,
  email: doc.email,
  agency: doc.agency,
  country: doc.country,
  position: doc.position,
  reason: doc.reason,
  language: doc.language,
  status: doc.status,
  createdMs: doc.createdMs,
  decidedMs: doc.decidedMs,
  decidedBy: doc.decidedBy,
  rejectionReason: doc.rejectionReason,
  userId: doc.userId,
});

export function accessRequestListFilter(filter: { readonly status?: string; readonly countries?: readonly string[] }): Record<string, unknown> {
  return {
    ...(filter.status !== undefined && { status: filter.status }),
    ...(filter.countries !== undefined && { country: { $in: [...filter.countries] } }),
  };
}

export const accessRequestListSort = { createdMs: 1, _id: 1 } as const;

/** Decides a request only while it is pending (the filter), so two approvers cannot both decide it. */
export const decideRequest = (id: string, set: Pick<AccessRequestDocument, 'status' | 'decidedMs' | 'decidedBy' | 'rejectionReason' | 'userId'>) => ({
  filter: { _id: id, status: 'pending' as const },
  update: { $set: set },
});

export const auditDocumentOf = (seq: number, record: AuditRecord): AuditDocument => ({
  _id: seq,
  atMs: record.atMs,
  actorId: record.actorId,
  action: record.action,
  subject: record.subject,
  ip: record.ip,
  detail: JSON.stringify(record.detail),
});

export const toAuditRecord = (doc: AuditDocument): StoredAuditRecord => ({
  seq: doc._id,
  atMs: doc.atMs,
  actorId: doc.actorId,
  action: doc.action,
  subject: doc.subject,
  ip: doc.ip,
  detail: JSON.parse(doc.detail) as Record<string, unknown>,
});

export function auditListPlan(query: { readonly limit: number; readonly beforeSeq?: number; readonly subject?: string }) {
  return {
    filter: {
      ...(query.beforeSeq !== undefined && { _id: { $lt: query.beforeSeq } }),
      ...(query.subject !== undefined && { subject: query.subject }),
    },
    sort: { _id: -1 } as const,
    limit: query.limit,
  };
}

export const mailDocumentOf = (seq: number, message: MailRecord): MailDocument => ({
  _id: message.id,
  to: message.to,
  subject: message.subject,
  text: message.text,
  kind: message.kind,
  createdMs: message.createdMs,
  seq,
  // Due for delivery at once (MailOutbox.enqueue), as SQLite's insert sets `next_attempt_ms = created_ms`.
  deliveryStatus: 'pending',
  attempts: 0,
  lastError: null,
  lastAttemptMs: null,
  nextAttemptMs: message.createdMs,
  sentMs: null,
});

export const toMailRecord = (doc: MailDocument): MailRecord => ({
  id: doc._id,
  to: doc.to,
  subject: doc.subject,
  text: doc.text,
  kind: doc.kind,
  createdMs: doc.createdMs,
});

export const mailListSort = { createdMs: -1, seq: -1 } as const;
