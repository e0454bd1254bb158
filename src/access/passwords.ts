import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { invalid } from '../errors.js';

/**
 * argon2id with the library's defaults (19 MiB, 2 passes, 1 lane): OWASP's first recommended setting.
 * `algorithm: 2` is `Algorithm.Argon2id`; the enum is a `const enum` that isolated modules cannot import.
 */
export const hashPassword = (password: string): Promise<string> => hash(password, { algorithm: 2 });

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash that matches nothing, verified against when the account is unknown so both paths take as long. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(16).toString('hex')));

export const minPasswordLength = 12;
const maxPasswordLength = 256;

/** NIST SP 800-63B §5.1.1.2: length matters, composition rules do not; very long inputs are cut off to bound hashing. */
export function checkPassword(password: unknown, parameter = 'password'): string {
  if (typeof password !== 'string' || [...password].length < minPasswordLength) {
    throw invalid('password-too-short', `the password must have at least ${minPasswordLength} characters`, { parameter, min: minPasswordLength });
  }
  if (password.length > maxPasswordLength) {
    throw invalid('password-too-long', `the password must have at most ${maxPasswordLength} characters`, { parameter, max: maxPasswordLength });
  }
  return password;
}

/** 32 random bytes, URL-safe: session ids, CSRF tokens, invitation and reset links. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Tokens are stored hashed: a leaked database gives no usable session or link. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A readable one-time password for the first admin and `cadet users add` without --password. */
export const generatePassword = (): string => randomBytes(15).toString('base64url');
