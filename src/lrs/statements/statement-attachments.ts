import { createHash } from 'node:crypto';
import { invalid } from '../../errors.js';
import type { AttachmentRecord } from '../../store/ports.js';
import type { MultipartPart } from './multipart.js';
import { SIGNATURE_USAGE, checkStatementSignature } from './statement-signature.js';
import type { Statement } from './statement-types.js';

interface AttachmentDeclaration {
  usageType: string;
  contentType: string;
  sha2: string;
  fileUrl?: string;
}

/** sha2 is hex of SHA-224, -256, -384 or -512; its length tells which. */
const algorithmByLength: Readonly<Record<number, string>> = { 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

/**
 * Matches the attachment parts of a multipart/mixed request to the statements' attachment declarations
 * (xAPI 1.0.3 §2.4.11, §2.1.11): every declaration without `fileUrl` needs a part with its hash, every part
 * must be declared, each part says `Content-Transfer-Encoding: binary` and carries a hash its bytes match.
 * Signature attachments are checked as JWS. Returns the attachments to store.
 */
export function collectAttachments(statements: readonly Statement[], parts: readonly MultipartPart[], batchPaths: boolean): AttachmentRecord[] {
  const byHash = new Map<string, MultipartPart>();
  parts.forEach((part, index) => {
    const where = `attachment part ${index + 2}`;
    const hash = part.headers['x-experience-api-hash'];
    if (!hash) throw invalid('attachment-hash-missing', `${where} has no X-Experience-API-Hash header`, { header: 'X-Experience-API-Hash' });
    const encoding = part.headers['content-transfer-encoding'];
    if (encoding?.toLowerCase() !== 'binary') {
      throw invalid('attachment-encoding', `${where} must have Content-Transfer-Encoding: binary`, { header: 'Content-Transfer-Encoding' });
    }
    const algorithm = algorithmByLength[hash.length];
    if (!algorithm || createHash(algorithm).update(part.body).digest('hex') !== hash.toLowerCase()) {
      throw invalid('attachment-hash-mismatch', `the content of ${where} does not match its X-Experience-API-Hash ${hash}`, { header: 'X-Experience-API-Hash' });
    }
    byHash.set(hash.toLowerCase(), part);
  });

  const used = new Set<string>();
  const records = new Map<string, AttachmentRecord>();
  statements.forEach((statement, index) => {
    const declarations = (statement.attachments ?? []) as unknown as AttachmentDeclaration[];
    declarations.forEach((declaration, position) => {
      const path = `${batchPaths ? `/${index}` : ''}/attachments/${position}`;
      const sha2 = declaration.sha2.toLowerCase();
      const part = byHash.get(sha2);
      if (!part) {
        if (declaration.fileUrl !== undefined && declaration.usageType !== SIGNATURE_USAGE) return;
        throw invalid('attachment-missing', `no multipart part carries the attachment with sha2 ${declaration.sha2}`, { path: `${path}/sha2` });
      }
      used.add(sha2);
      if (declaration.usageType === SIGNATURE_USAGE) {
        if (declaration.contentType.split(';')[0].trim().toLowerCase() !== 'application/octet-stream') {
          throw invalid('signature-content-type', 'a signature attachment must have contentType application/octet-stream', { path: `${path}/contentType` });
        }
        const problem = checkStatementSignature(statement, part.body.toString('utf8'));
        if (problem) throw invalid('invalid-signature', problem, { path });
      }
      records.set(sha2, { sha2, contentType: part.headers['content-type'] ?? declaration.contentType, content: part.body });
    });
  });
  const extra = [...byHash.keys()].find((hash) => !used.has(hash));
  if (extra) throw invalid('attachment-undeclared', `a multipart part (hash ${extra}) matches no attachment of the statements`, { header: 'X-Experience-API-Hash' });
  return [...records.values()];
}

/** The sha2 of every attachment a statement body declares, for `attachments=true` answers. */
export function declaredHashes(body: string): string[] {
  const statement = JSON.parse(body) as { attachments?: Array<{ sha2: string }> };
  return (statement.attachments ?? []).map((attachment) => attachment.sha2.toLowerCase());
}
