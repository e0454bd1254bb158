/**
 * Certificates: issued by the store when a registration meets its course's rule (this service is the issuer it
 * calls), signed with the academy's Ed25519 key, listed, printed, verified by anyone, revoked by admins.
 *
 * Who may see a learner's certificates is the transcripts' rule (`records.read`, narrowed by `learnerFor`); the
 * verification page and its JSON twin are public and show only the name, the course and the date (plus the signed
 * payload the holder already has on paper).
 */
import { randomUUID } from 'node:crypto';
import type { Grant, LrsPrincipal } from '../../access/index.js';
import { AppError, invalid, notFound } from '../../errors.js';
import type {
  CatalogStore,
  CertificateIssuer,
  CertificateRecord,
  CertificateRule,
  CertificateStore,
  StatementRecord,
  UserRecord,
} from '../../store/ports.js';
import { pickLanguage, type TranscriptService } from '../transcript-service.js';
import { parseCertificateNumber, newCertificateNumber } from './certificate-number.js';
import { renderCertificatePdf } from './certificate-pdf.js';
import { canonicalJson, signPayload, type SigningKey } from './certificate-signing.js';
import { certificatesPrincipal, earnedStatement, retractedStatement } from './certificate-statements.js';
import { defaultCertificateRule, ruleFitsFormat } from './completion-rule.js';

export interface CertificateServiceDeps {
  readonly certificates: CertificateStore;
  readonly catalog: Pick<CatalogStore, 'courseById' | 'courseBySlug'>;
  readonly learners: Pick<TranscriptService, 'learnerFor'>;
  /** The LRS write path's checks and normalisation (statement-service `prepare`), synchronous. */
  readonly prepareStatements: (statements: unknown[], principal: LrsPrincipal) => { records: StatementRecord[] };
  readonly key: SigningKey;
  readonly publicUrl: string;
  readonly now?: () => number;
  readonly newId?: () => string;
  /** Told when an issue failed (it is tried again with the registration's next statement). */
  readonly onIssueFailed?: (error: unknown, registrationId: string) => void;
}

export type CertificateStatus = 'valid' | 'revoked';

/** What the signature covers. `score`: percent, two decimals at most. Dates are UTC calendar days. */
export interface CertificatePayload {
  readonly v: 1;
  readonly issuer: string;
  readonly key: string;
  readonly number: string;
  readonly learner: string;
  readonly course: string;
  readonly issued: string;
  readonly score: number | null;
  readonly status: CertificateStatus;
  readonly revoked?: string;
  readonly reason?: string;
}

export interface CertificateSummary {
  readonly number: string;
  readonly course: { readonly id: string; readonly title: string };
  readonly issued: string;
  readonly score: number | null;
  readonly status: CertificateStatus;
  readonly verifyUrl: string;
  readonly pdfUrl: string;
}

export interface CertificateVerification {
  readonly number: string;
  readonly status: CertificateStatus;
  readonly learner: string;
  readonly course: string;
  readonly issued: string;
  readonly revoked: { readonly date: string; readonly reason: string } | null;
  readonly verifyUrl: string;
  /** The current statement of the certificate, signed: `status` "valid", or "revoked" with date and reason. */
  readonly signed: { readonly payload: string; readonly signature: string; readonly algorithm: 'Ed25519'; readonly keyId: string; readonly publicKeyUrl: string; readonly jwksUrl: string };
  /** What the certificate itself prints (status "valid"), when that is no longer the current statement. */
  readonly printed: { readonly payload: string; readonly signature: string } | null;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const percent = (score: number | null) => (score === null ? null : Math.round(score * 10_000) / 100);
const MAX_REASON = 500;

export function createCertificateService(deps: CertificateServiceDeps) {
  const { certificates, key } = deps;
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const base = deps.publicUrl.replace(/\/+$/, '');
  const principal = certificatesPrincipal(deps.publicUrl);
  const urls = {
    certificate: (number: string) => `${base}/certificates/${number}`,
    verify: (number: string) => `${base}/verify/${number}`,
    pdf: (number: string) => `${base}/api/certificates/${number}.pdf`,
    publicKey: `${base}/certificates/public-key.pem`,
    jwks: `${base}/.well-known/cadet-certificates.json`,
  };

  const payloadOf = (fields: Omit<CertificatePayload, 'v' | 'issuer' | 'key'>): string => canonicalJson({ v: 1, issuer: base, key: key.keyId, ...fields });

  /** A number as typed (case, hyphens and Crockford's look-alikes forgiven), or a client error naming it. */
  function numberOf(input: string): string {
    const number = parseCertificateNumber(input);
    if (!number) throw invalid('certificate-number-invalid', `${input} is not a certificate number (like CAD-2026-7KQ4-M2XD): check it for a typing mistake`, { parameter: 'number' });
    return number;
  }

  async function find(input: string): Promise<CertificateRecord> {
    const number = numberOf(input);
    const found = await certificates.get(number);
    if (!found) throw notFound('certificate-not-found', `no certificate has the number ${number}`, { parameter: 'number' });
    return found;
  }

  const issuer: CertificateIssuer = {
    issue(completion) {
      const issuedMs = now();
      const number = newCertificateNumber(issuedMs);
      const courseTitle = pickLanguage(completion.courseTitle, completion.learnerLanguage || 'en') || completion.courseSlug;
      const payload = payloadOf({
        number,
        learner: completion.learnerName,
        course: courseTitle,
        issued: day(issuedMs),
        score: percent(completion.score),
        status: 'valid',
      });
      const statementId = newId();
      const statement = earnedStatement({
        id: statementId,
        publicUrl: deps.publicUrl,
        certificateIri: urls.certificate(number),
        number,
        learner: { id: completion.userId, name: completion.learnerName },
        registrationId: completion.registrationId,
        courseActivityId: completion.courseActivityId,
        completedMs: completion.completedMs,
        score: completion.score,
      });
      const { records } = deps.prepareStatements([statement], principal);
      return {
        certificate: {
          number,
          registrationId: completion.registrationId,
          userId: completion.userId,
          courseId: completion.courseId,
          learnerName: completion.learnerName,
          courseTitle,
          score: completion.score,
          completedMs: completion.completedMs,
          issuedMs,
          keyId: key.keyId,
          payload,
          signature: signPayload(key, payload),
          statementId,
          revocation: null,
        },
        statements: records,
      };
    },
    failed: (error, registrationId) => deps.onIssueFailed?.(error, registrationId),
  };

  function summaryOf(certificate: CertificateRecord): CertificateSummary {
    return {
      number: certificate.number,
      course: { id: certificate.courseId, title: certificate.courseTitle },
      issued: day(certificate.issuedMs),
      score: percent(certificate.score),
      status: certificate.revocation ? 'revoked' : 'valid',
      verifyUrl: urls.verify(certificate.number),
      pdfUrl: urls.pdf(certificate.number),
    };
  }

  function verificationOf(certificate: CertificateRecord): CertificateVerification {
    const revocation = certificate.revocation;
    const signed = revocation ? { payload: revocation.payload, signature: revocation.signature } : { payload: certificate.payload, signature: certificate.signature };
    return {
      number: certificate.number,
      status: revocation ? 'revoked' : 'valid',
      learner: certificate.learnerName,
      course: certificate.courseTitle,
      issued: day(certificate.issuedMs),
      revoked: revocation ? { date: day(revocation.atMs), reason: revocation.reason } : null,
      verifyUrl: urls.verify(certificate.number),
      signed: { ...signed, algorithm: 'Ed25519', keyId: certificate.keyId, publicKeyUrl: urls.publicKey, jwksUrl: urls.jwks },
      printed: revocation ? { payload: certificate.payload, signature: certificate.signature } : null,
    };
  }

  async function courseOfSlug(slug: string) {
    const course = await deps.catalog.courseBySlug(slug);
    if (!course) throw notFound('course-not-found', `no course ${slug}`, { parameter: 'slug' });
    return course;
  }

  return {
    /** Installed in the store by `createCertificates`; exposed for tests. */
    issuer,
    urls,
    publicKeyPem: key.publicPem,

    /** The JWK Set the verification instructions point to (RFC 7517 §5), with how payloads are made. */
    keySet() {
      return {
        issuer: base,
        keys: [key.jwk],
        payload: 'canonical JSON: keys sorted, no whitespace, characters outside printable ASCII as \\uXXXX escapes; the signature (base64url) is Ed25519 over its bytes',
        verification: `${base}/api/certificates/{number}/verification`,
      };
    },

    /** A learner's certificates, if the reader may see their records. */
    async list(reader: Pick<UserRecord, 'id'>, grant: Grant, userId: string): Promise<CertificateSummary[]> {
      const learner = await deps.learners.learnerFor(reader, grant, userId);
      return (await certificates.ofUser(learner.id)).map(summaryOf);
    },

    /** The PDF of a certificate, for its owner or a reader of their records. */
    async pdf(reader: Pick<UserRecord, 'id'>, grant: Grant, numberInput: string): Promise<{ number: string; pdf: Buffer }> {
      const certificate = await find(numberInput);
      await deps.learners.learnerFor(reader, grant, certificate.userId);
      const revocation = certificate.revocation;
      const pdf = renderCertificatePdf({
        number: certificate.number,
        learnerName: certificate.learnerName,
        courseTitle: certificate.courseTitle,
        issuedMs: certificate.issuedMs,
        scorePercent: percent(certificate.score),
        verifyUrl: urls.verify(certificate.number),
        publicKeyUrl: urls.publicKey,
        keyId: certificate.keyId,
        payload: certificate.payload,
        signature: certificate.signature,
        revoked: revocation ? { date: day(revocation.atMs), reason: revocation.reason } : null,
      });
      return { number: certificate.number, pdf };
    },

    /** Public: what anyone holding the number may learn. */
    async verification(numberInput: string): Promise<CertificateVerification> {
      return verificationOf(await find(numberInput));
    },

    /** Withdraws a certificate (admins): signed anew with `status: "revoked"`, recorded as a statement, audited. */
    async revoke(admin: Pick<UserRecord, 'id' | 'name'>, numberInput: string, reasonInput: string, ip: string | null): Promise<CertificateVerification> {
      const reason = reasonInput.trim().replace(/\s+/g, ' ');
      if (reason === '') throw invalid('reason-required', 'say why the certificate is revoked: the reason is shown on its verification page', { parameter: 'reason' });
      if (reason.length > MAX_REASON) throw invalid('reason-too-long', `the reason has at most ${MAX_REASON} characters`, { parameter: 'reason' });
      const certificate = await find(numberInput);
      if (certificate.revocation) throw new AppError('conflict', 'certificate-revoked', `certificate ${certificate.number} is already revoked`, { parameter: 'number' });
      const atMs = now();
      const payload = payloadOf({
        number: certificate.number,
        learner: certificate.learnerName,
        course: certificate.courseTitle,
        issued: day(certificate.issuedMs),
        score: percent(certificate.score),
        status: 'revoked',
        revoked: day(atMs),
        reason,
      });
      const statementId = newId();
      const course = await deps.catalog.courseById(certificate.courseId);
      const statement = retractedStatement({
        id: statementId,
        publicUrl: deps.publicUrl,
        certificateIri: urls.certificate(certificate.number),
        number: certificate.number,
        admin,
        reason,
        earnedStatementId: certificate.statementId,
        courseActivityId: course?.activityId ?? null,
        atMs,
      });
      const { records } = deps.prepareStatements([statement], principal);
      const revoked = await certificates.revoke({
        number: certificate.number,
        revocation: { atMs, byUserId: admin.id, reason, payload, signature: signPayload(key, payload), statementId },
        statements: records,
        audit: { atMs, actorId: admin.id, action: 'certificate.revoked', subject: `certificate:${certificate.number}`, ip, detail: { reason, userId: certificate.userId, registrationId: certificate.registrationId } },
      });
      if (!revoked) throw notFound('certificate-not-found', `no certificate has the number ${certificate.number}`, { parameter: 'number' });
      return verificationOf(revoked);
    },

    /** A course's rule: as set, the default of its format, and the one that applies. */
    async rule(slug: string) {
      const course = await courseOfSlug(slug);
      const set = await certificates.rule(course.id);
      const fallback = defaultCertificateRule(course.format);
      return { course: course.slug, format: course.format, rule: set, default: fallback, effective: set ?? fallback };
    },

    /** Sets a course's rule (null: back to the default); statements stored from now on are judged by it. Audited by the caller. */
    async setRule(slug: string, rule: CertificateRule | null) {
      const course = await courseOfSlug(slug);
      if (rule !== null && !ruleFitsFormat(rule, course.format)) {
        throw invalid('certificate-rule-format', `only cmi5 courses record "satisfied"; ${course.slug} is ${course.format}`, { parameter: 'rule' });
      }
      await certificates.setRule(course.id, rule, now());
      const fallback = defaultCertificateRule(course.format);
      return { course: course.slug, format: course.format, rule, default: fallback, effective: rule ?? fallback };
    },
  };
}

export type CertificateService = ReturnType<typeof createCertificateService>;
