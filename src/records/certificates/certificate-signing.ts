/**
 * The academy's certificate signing key (Ed25519, RFC 8032) and the canonical payload it signs.
 *
 * The key pair is generated once and kept by the store (`CertificateStore.signingKey`: with SQLite the file
 * `DATA_DIR/certificate-signing-key.pem`, PKCS #8, mode 0600; with MongoDB the `keys` collection, so every app
 * process signs with the same key) and never leaves the server; its public half is published
 * (`/certificates/public-key.pem`, and as a JWK at `/.well-known/cadet-certificates.json`). Offline verification needs only that public key and the payload printed
 * on the certificate: `openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in payload.txt -sigfile sig.bin`.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SIGNING_KEY_FILE = 'certificate-signing-key.pem';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI, PEM. */
  readonly publicPem: string;
  /** RFC 8037 OKP key with its id (RFC 7638 thumbprint), `alg` and `use`. */
  readonly jwk: { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string; readonly kid: string; readonly alg: 'EdDSA'; readonly use: 'sig' };
  readonly keyId: string;
}

function fromPrivateKey(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${SIGNING_KEY_FILE} holds a ${privateKey.asymmetricKeyType} key, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
  // RFC 7638 §3.2: the required members, lexicographic order, no whitespace.
  const keyId = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { kty: 'OKP', crv: 'Ed25519', x, kid: keyId, alg: 'EdDSA', use: 'sig' },
    keyId,
  };
}

/** A fresh Ed25519 key as PKCS #8 PEM (what `CertificateStore.signingKey` stores when it has none). */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The key of a PKCS #8 PEM, with its public half, JWK and key id; throws when it is not an Ed25519 private key. */
export function signingKeyFromPem(pem: string): SigningKey {
  return fromPrivateKey(createPrivateKey(pem));
}

/**
 * The PEM in `dataDir/certificate-signing-key.pem`, written from `generate()` on first use. Safe when several
 * processes start at once: the key is written to a private temporary file and linked into place, so a reader never
 * sees a half-written file and exactly one key wins. Used by the SQLite store's `signingKey`.
 */
export function readOrCreateSigningKeyFile(dataDir: string, generate: () => string = generateSigningKeyPem): string {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(temporary, generate(), { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(temporary, { force: true });
    }
  }
  // A key readable by others is no longer the academy's alone: take the permissions back to the owner.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return fs.readFileSync(file, 'utf8');
}

/**
 * The key under `dataDir`, made on first use (`readOrCreateSigningKeyFile`). `:memory:` gets a key that lives as
 * long as the call's result. The app gets its key from the store instead (`CertificateStore.signingKey`).
 */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  if (dataDir === ':memory:') return signingKeyFromPem(generateSigningKeyPem());
  return signingKeyFromPem(readOrCreateSigningKeyFile(dataDir));
}

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as RFC 8785), no whitespace, and every character outside
 * printable ASCII written as a `\uXXXX` escape, so the signed bytes are ASCII and survive being printed in any font,
 * copied from a PDF or typed. `JSON.parse` gives the values back unchanged.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonical JSON has no non-finite numbers');
    return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${canonicalJson(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** Ed25519 signature of the payload's bytes (ASCII, see `canonicalJson`), base64url without padding. */
export function signPayload(key: Pick<SigningKey, 'privateKey'>, payload: string): string {
  return sign(null, Buffer.from(payload, 'utf8'), key.privateKey).toString('base64url');
}

/** Whether a signature (base64url) is the key's over exactly these bytes. */
export function verifyPayload(publicKey: KeyObject | string, payload: string, signature: string): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  try {
    return verify(null, Buffer.from(payload, 'utf8'), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
