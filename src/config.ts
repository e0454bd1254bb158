import path from 'node:path';
import { getAjv } from './shared/json-schema.js';

/** The validated, frozen configuration; its schema is `schemas/config.json`. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly store: 'sqlite' | 'mongodb';
  /** MongoDB connection string (STORE=mongodb). */
  readonly mongodbUri: string;
  /** MongoDB database; '' = the one in the URI's path, else `cadet`. */
  readonly mongodbDatabase: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly maxBodyBytes: number;
  readonly statementPageSize: number;
  readonly xapiDefaultVersion: '1.0.3' | '2.0.0';
  readonly sqliteSynchronous: 'full' | 'normal';
  readonly sessionSecret: string;
  readonly packageMaxBytes: number;
  readonly contentUrl: string;
  readonly contentPort: number;
  readonly launchTokenTtlMinutes: number;
  readonly sessionTtlMinutes: number;
  readonly loginMaxFailures: number;
  readonly loginLockMinutes: number;
  readonly loginRateLimit: number;
  readonly invitationTtlHours: number;
  readonly passwordResetTtlMinutes: number;
  readonly accessRequestStaleDays: number;
  /** Mail server; '' = no delivery, mail stays in the outbox (src/access/mail). */
  readonly smtpHost: string;
  readonly smtpPort: number;
  /** '' = no AUTH. */
  readonly smtpUser: string;
  readonly smtpPassword: string;
  /** The From of every message; '' = `Cadet <no-reply@…>` at PUBLIC_URL's host. */
  readonly smtpFrom: string;
  /** Upgrade a plain connection with STARTTLS when offered ('false': never, and a password may go in clear). */
  readonly smtpStarttls: 'true' | 'false';
}

interface Setting {
  readonly key: keyof Config;
  readonly env: string;
  readonly flag: string;
  readonly type: 'string' | 'integer';
  readonly fallback: string;
}

/** Every setting, its environment variable and its command-line flag. README.md documents the same table. */
export const settings: readonly Setting[] = [
  { key: 'host', env: 'HOST', flag: 'host', type: 'string', fallback: '127.0.0.1' },
  { key: 'port', env: 'PORT', flag: 'port', type: 'integer', fallback: '8080' },
  { key: 'publicUrl', env: 'PUBLIC_URL', flag: 'public-url', type: 'string', fallback: 'http://localhost:8080' },
  { key: 'dataDir', env: 'DATA_DIR', flag: 'data-dir', type: 'string', fallback: './data' },
  { key: 'store', env: 'STORE', flag: 'store', type: 'string', fallback: 'sqlite' },
  { key: 'mongodbUri', env: 'MONGODB_URI', flag: 'mongodb-uri', type: 'string', fallback: '' },
  { key: 'mongodbDatabase', env: 'MONGODB_DATABASE', flag: 'mongodb-database', type: 'string', fallback: '' },
  { key: 'logLevel', env: 'LOG_LEVEL', flag: 'log-level', type: 'string', fallback: 'info' },
  { key: 'maxBodyBytes', env: 'MAX_BODY_BYTES', flag: 'max-body-bytes', type: 'integer', fallback: String(20 * 1024 * 1024) },
  { key: 'statementPageSize', env: 'STATEMENT_PAGE_SIZE', flag: 'statement-page-size', type: 'integer', fallback: '100' },
  { key: 'xapiDefaultVersion', env: 'XAPI_DEFAULT_VERSION', flag: 'xapi-default-version', type: 'string', fallback: '1.0.3' },
  { key: 'sqliteSynchronous', env: 'SQLITE_SYNCHRONOUS', flag: 'sqlite-synchronous', type: 'string', fallback: 'full' },
  { key: 'contentUrl', env: 'CONTENT_URL', flag: 'content-url', type: 'string', fallback: 'http://localhost:8081' },
  { key: 'contentPort', env: 'CONTENT_PORT', flag: 'content-port', type: 'integer', fallback: '8081' },
  { key: 'launchTokenTtlMinutes', env: 'LAUNCH_TOKEN_TTL_MINUTES', flag: 'launch-token-ttl-minutes', type: 'integer', fallback: '480' },
  { key: 'packageMaxBytes', env: 'PACKAGE_MAX_BYTES', flag: 'package-max-bytes', type: 'integer', fallback: String(1024 * 1024 * 1024) },
  { key: 'sessionSecret', env: 'SESSION_SECRET', flag: 'session-secret', type: 'string', fallback: '' },
  { key: 'sessionTtlMinutes', env: 'SESSION_TTL_MINUTES', flag: 'session-ttl-minutes', type: 'integer', fallback: '720' },
  { key: 'loginMaxFailures', env: 'LOGIN_MAX_FAILURES', flag: 'login-max-failures', type: 'integer', fallback: '5' },
  { key: 'loginLockMinutes', env: 'LOGIN_LOCK_MINUTES', flag: 'login-lock-minutes', type: 'integer', fallback: '15' },
  { key: 'loginRateLimit', env: 'LOGIN_RATE_LIMIT', flag: 'login-rate-limit', type: 'integer', fallback: '30' },
  { key: 'invitationTtlHours', env: 'INVITATION_TTL_HOURS', flag: 'invitation-ttl-hours', type: 'integer', fallback: '72' },
  { key: 'passwordResetTtlMinutes', env: 'PASSWORD_RESET_TTL_MINUTES', flag: 'password-reset-ttl-minutes', type: 'integer', fallback: '60' },
  { key: 'accessRequestStaleDays', env: 'ACCESS_REQUEST_STALE_DAYS', flag: 'access-request-stale-days', type: 'integer', fallback: '7' },
  { key: 'smtpHost', env: 'SMTP_HOST', flag: 'smtp-host', type: 'string', fallback: '' },
  { key: 'smtpPort', env: 'SMTP_PORT', flag: 'smtp-port', type: 'integer', fallback: '587' },
  { key: 'smtpUser', env: 'SMTP_USER', flag: 'smtp-user', type: 'string', fallback: '' },
  { key: 'smtpPassword', env: 'SMTP_PASSWORD', flag: 'smtp-password', type: 'string', fallback: '' },
  { key: 'smtpFrom', env: 'SMTP_FROM', flag: 'smtp-from', type: 'string', fallback: '' },
  { key: 'smtpStarttls', env: 'SMTP_STARTTLS', flag: 'smtp-starttls', type: 'string', fallback: 'true' },
];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds the configuration from flags (highest precedence), then environment variables,
 * then defaults, and validates it against `schemas/config.json`.
 * Throws `ConfigError` naming the variable and what is wrong with it.
 */
export function loadConfig(
  flags: Readonly<Record<string, string | undefined>> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config {
  const raw: Record<string, unknown> = {};
  for (const setting of settings) {
    const given = flags[setting.flag] ?? env[setting.env];
    const text = given === undefined || given === '' ? setting.fallback : given;
    if (setting.type === 'integer') {
      if (!/^-?\d+$/.test(text.trim())) {
        throw new ConfigError(`${setting.env} (--${setting.flag}) must be an integer, got "${text}"`);
      }
      raw[setting.key] = Number(text.trim());
    } else {
      raw[setting.key] = text;
    }
  }
  raw.publicUrl = String(raw.publicUrl).replace(/\/+$/, '');
  raw.contentUrl = String(raw.contentUrl).replace(/\/+$/, '');
  raw.dataDir = path.resolve(String(raw.dataDir));
  const validate = getAjv().getSchema('https://cadet.dev/schemas/config.json');
  if (!validate) throw new Error('schemas/config.json is not loaded');
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    const key = error?.instancePath.slice(1) ?? '';
    const setting = settings.find((s) => s.key === key);
    const allowed = error?.params && 'allowedValues' in error.params ? `: one of ${(error.params.allowedValues as string[]).join(', ')}` : '';
    const name = setting ? `${setting.env} (--${setting.flag})` : key || 'configuration';
    throw new ConfigError(`${name} ${error?.message ?? 'is invalid'}${allowed}, got "${String(raw[key])}"`);
  }
  return Object.freeze(raw as unknown as Config);
}
