/**
 * Certificates (records context): issued in the transaction of the statements that meet a course's rule, signed,
 * verifiable by anyone, revocable by admins. Its public module; `app.ts` builds it after the LRS, whose write
 * path (`prepare`) its statements go through.
 */
import type { FastifyInstance } from 'fastify';
import type { LrsPrincipal } from '../../access/index.js';
import type { StatementRecord, Store } from '../../store/ports.js';
import type { TranscriptService } from '../transcript-service.js';
import { registerCertificateApi, registerCertificateKeyRoutes, registerCertificatesUnavailable } from './certificate-routes.js';
import { createCertificateService } from './certificate-service.js';
import { generateSigningKeyPem, signingKeyFromPem } from './certificate-signing.js';

export { parseCertificateNumber, newCertificateNumber } from './certificate-number.js';
export { canonicalJson, verifyPayload, SIGNING_KEY_FILE } from './certificate-signing.js';
export { CERTIFICATE_VERBS, CERTIFICATE_ACTIVITY_TYPE } from './certificate-statements.js';
export { certificateRules, certificateEarnedMs, defaultCertificateRule } from './completion-rule.js';
export type { CertificateService, CertificateSummary, CertificateVerification, CertificatePayload } from './certificate-service.js';

export interface CertificatesDeps {
  readonly store: Pick<Store, 'certificates' | 'catalog' | 'audit'>;
  readonly learners: Pick<TranscriptService, 'learnerFor'>;
  readonly prepareStatements: (statements: unknown[], principal: LrsPrincipal) => { records: StatementRecord[] };
  readonly publicUrl: string;
  readonly now?: () => number;
  /** Where a failed issue is reported (the statements are stored anyway; the next one retries). */
  readonly onIssueFailed?: (error: unknown, registrationId: string) => void;
}

/**
 * The service (null without a certificate store), installed as the store's issuer, and its routes. Asynchronous: the
 * signing key comes from the store, which every app process sharing it agrees on (MongoDB), before anything is issued.
 */
export async function createCertificates({ store, learners, prepareStatements, publicUrl, now = Date.now, onIssueFailed }: CertificatesDeps) {
  const certificateStore = store.certificates;
  if (!certificateStore) {
    return {
      service: null,
      api: async (app: FastifyInstance) => registerCertificatesUnavailable(app),
      keyRoutes: async (_app: FastifyInstance) => {},
    };
  }
  const service = createCertificateService({
    certificates: certificateStore,
    catalog: store.catalog,
    learners,
    prepareStatements,
    key: signingKeyFromPem(await certificateStore.signingKey(generateSigningKeyPem)),
    publicUrl,
    now,
    ...(onIssueFailed && { onIssueFailed }),
  });
  certificateStore.useIssuer(service.issuer);
  return {
    service,
    /** The JSON API, to mount at `/api`. */
    api: async (app: FastifyInstance) => registerCertificateApi(app, { certificates: service, audit: store.audit, now }),
    /** The public key routes, to mount at the root. */
    keyRoutes: async (app: FastifyInstance) => registerCertificateKeyRoutes(app, { certificates: service }),
  };
}

export type Certificates = Awaited<ReturnType<typeof createCertificates>>;
