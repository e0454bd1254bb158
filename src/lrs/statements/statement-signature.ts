import { X509Certificate, createPublicKey, verify } from 'node:crypto';
import { comparableStatement } from './statement-comparison.js';
import type { Statement } from './statement-types.js';

export const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

const digests: Readonly<Record<string, string>> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

/**
 * Checks a signed statement's JWS (compact serialisation): RS256/384/512, a payload that is the statement as it
 * was before the signature was attached, and, when the header carries an `x5c` certificate chain, a signature
 * that verifies with its first certificate. Returns a problem message, or null when the signature is acceptable.
 */
export function checkStatementSignature(statement: Statement, jws: string): string | null {
  const segments = jws.trim().split('.');
  if (segments.length !== 3) return 'the signature is not a JWS in compact serialisation';
  const [headerPart, payloadPart, signaturePart] = segments;
  let header: { alg?: unknown; x5c?: unknown };
  let payload: unknown;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
  } catch {
    return 'the JWS header is not valid JSON';
  }
  const digest = typeof header.alg === 'string' ? digests[header.alg] : undefined;
  if (!digest) return `the JWS algorithm must be RS256, RS384 or RS512, not ${JSON.stringify(header.alg)}`;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return 'the JWS payload is not valid JSON';
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return 'the JWS payload is not a statement';
  const signed = payload as Record<string, unknown>;
  // The signature was made before the LRS set anything and before the signature was attached (xAPI 1.0.3 §2.6).
  const ignore = signed.id === undefined ? ['attachments', 'id'] : ['attachments'];
  if (comparableStatement(signed, ignore) !== comparableStatement(statement, ignore)) {
    return 'the JWS payload differs from the statement it signs';
  }
  if (Array.isArray(header.x5c) && typeof header.x5c[0] === 'string') {
    try {
      const certificate = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
      const key = createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' }));
      const ok = verify(digest, Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
      if (!ok) return 'the JWS signature does not verify with the certificate in its x5c header';
    } catch {
      return 'the certificate in the JWS x5c header cannot be read';
    }
  }
  return null;
}
