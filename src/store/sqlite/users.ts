import { conflict } from '../../errors.js';
import type { PasswordTokenRecord, RoleGrant, UserChanges, UserRecord, UserStatus, UserStore, PasswordTokenPurpose } from '../ports.js';
import type { Sqlite, WriteQueue } from './database.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  country: string;
  agency: string;
  language: string;
  roles: string;
  status: string;
  password_hash: string | null;
  failed_logins: number;
  locked_until_ms: number | null;
  created_ms: number;
}

interface TokenRow {
  token_hash: string;
  user_id: string;
  purpose: string;
  created_ms: number;
  expires_ms: number;
  used_ms: number | null;
}

export const emailKey = (email: string) => email.trim().toLowerCase();

export const toUserRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  email: row.email,
  name: row.name,
  country: row.country,
  agency: row.agency,
  language: row.language,
  roles: JSON.parse(row.roles) as RoleGrant[],
  status: row.status as UserStatus,
  passwordHash: row.password_hash,
  failedLogins: row.failed_logins,
  lockedUntilMs: row.locked_until_ms,
  createdMs: row.created_ms,
});

const toTokenRecord = (row: TokenRow): PasswordTokenRecord => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  purpose: row.purpose as PasswordTokenPurpose,
  createdMs: row.created_ms,
  expiresMs: row.expires_ms,
  usedMs: row.used_ms,
});

/**
 * The user and token writes as synchronous steps, so another adapter's transaction (approving an access request)
 * can include them. Each must run inside a `WriteQueue` job.
 */
export function prepareUserWrites(db: Sqlite) {
  const sql = {
    byEmail: db.prepare('SELECT id FROM users WHERE email_key = ?'),
    insert: db.prepare(
      `INSERT INTO users (id, email, email_key, name, country, agency, language, roles, status, password_hash, failed_logins, locked_until_ms, created_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertToken: db.prepare('INSERT INTO password_tokens (token_hash, user_id, purpose, created_ms, expires_ms, used_ms) VALUES (?, ?, ?, ?, ?, ?)'),
  };
  return {
    insertUser(user: UserRecord): void {
      if (sql.byEmail.get(emailKey(user.email))) {
        throw conflict('email-taken', `an account with the address ${user.email} exists`, { parameter: 'email' });
      }
      sql.insert.run(
        user.id, user.email.trim(), emailKey(user.email), user.name, user.country, user.agency, user.language,
        JSON.stringify(user.roles), user.status, user.passwordHash, user.failedLogins, user.lockedUntilMs, user.createdMs,
      );
    },
    insertToken(token: PasswordTokenRecord): void {
      sql.insertToken.run(token.tokenHash, token.userId, token.purpose, token.createdMs, token.expiresMs, token.usedMs);
    },
  };
}

const columnOf: Readonly<Record<keyof UserChanges, string>> = {
  name: 'name',
  country: 'country',
  agency: 'agency',
  language: 'language',
  roles: 'roles',
  status: 'status',
  passwordHash: 'password_hash',
};

export function createSqliteUserStore(db: Sqlite, writes: WriteQueue): UserStore {
  const steps = prepareUserWrites(db);
  const sql = {
    byId: db.prepare('SELECT * FROM users WHERE id = ?'),
    byEmail: db.prepare('SELECT * FROM users WHERE email_key = ?'),
    all: db.prepare('SELECT * FROM users ORDER BY email_key'),
    count: db.prepare('SELECT COUNT(*) AS n FROM users'),
    fail: db.prepare(
      `UPDATE users SET
         locked_until_ms = CASE WHEN failed_logins + 1 >= @max THEN @lockUntil ELSE locked_until_ms END,
         failed_logins = CASE WHEN failed_logins + 1 >= @max THEN 0 ELSE failed_logins + 1 END
       WHERE id = @id`,
    ),
    clear: db.prepare('UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = ?'),
    endSessions: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    token: db.prepare('SELECT * FROM password_tokens WHERE token_hash = ?'),
    useToken: db.prepare('UPDATE password_tokens SET used_ms = ? WHERE token_hash = ? AND used_ms IS NULL AND expires_ms > ?'),
    useOtherTokens: db.prepare('UPDATE password_tokens SET used_ms = ? WHERE user_id = ? AND used_ms IS NULL'),
    setPassword: db.prepare('UPDATE users SET password_hash = ?, failed_logins = 0, locked_until_ms = NULL WHERE id = ?'),
  };
  const read = (id: string) => {
    const row = sql.byId.get(id) as UserRow | undefined;
    return row ? toUserRecord(row) : null;
  };
  return {
    add: (user) => writes.run(() => steps.insertUser(user)),
    async get(id) {
      return read(id);
    },
    async findByEmail(email) {
      const row = sql.byEmail.get(emailKey(email)) as UserRow | undefined;
      return row ? toUserRecord(row) : null;
    },
    async list() {
      return (sql.all.all() as UserRow[]).map(toUserRecord);
    },
    async count() {
      return (sql.count.get() as { n: number }).n;
    },
    update(id, changes) {
      return writes.run(() => {
        const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as Array<[keyof UserChanges, unknown]>;
        if (entries.length > 0) {
          const assignments = entries.map(([key]) => `${columnOf[key]} = ?`).join(', ');
          const values = entries.map(([key, value]) => (key === 'roles' ? JSON.stringify(value) : value));
          db.prepare(`UPDATE users SET ${assignments} WHERE id = ?`).run(...values, id);
        }
        if (changes.status === 'suspended') sql.endSessions.run(id);
        return read(id);
      });
    },
    recordLoginFailure(id, maxFailures, lockUntilMs) {
      return writes.run(() => {
        sql.fail.run({ id, max: maxFailures, lockUntil: lockUntilMs });
        return read(id);
      });
    },
    clearLoginFailures(id) {
      return writes.run(() => {
        sql.clear.run(id);
      });
    },
    addPasswordToken: (token) => writes.run(() => steps.insertToken(token)),
    async findPasswordToken(tokenHash) {
      const row = sql.token.get(tokenHash) as TokenRow | undefined;
      return row ? toTokenRecord(row) : null;
    },
    setPasswordWithToken(tokenHash, passwordHash, nowMs) {
      return writes.run(() => {
        if (sql.useToken.run(nowMs, tokenHash, nowMs).changes === 0) return null;
        const token = toTokenRecord(sql.token.get(tokenHash) as TokenRow);
        sql.useOtherTokens.run(nowMs, token.userId);
        sql.setPassword.run(passwordHash, token.userId);
        sql.endSessions.run(token.userId);
        return read(token.userId);
      });
    },
  };
}
