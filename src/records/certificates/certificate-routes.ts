/**
 * Certificates over HTTP. Under `/api`: a learner's list, the PDF, the public verification JSON, revocation and the
 * per-course rule. At the root: the public key, as PEM and as a JWK Set (`/.well-known/`), for offline checks.
 * The verification page itself is in web/ (certificate-pages.ts) and calls the same service.
 */
import type { FastifyInstance } from 'fastify';
import { grantOf, sendApiError, userOf } from '../../access/index.js';
import type { AuditStore, CertificateRule } from '../../store/ports.js';
import type { CertificateService } from './certificate-service.js';
import { certificateRules } from './completion-rule.js';

const tags = ['certificates'];
const numberParams = { type: 'object', required: ['number'], properties: { number: { type: 'string', maxLength: 64 } } } as const;

const summarySchema = {
  type: 'object',
  properties: {
    number: { type: 'string' },
    course: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } },
    issued: { type: 'string', description: 'UTC date, YYYY-MM-DD' },
    score: { type: ['number', 'null'], description: 'Percent' },
    status: { enum: ['valid', 'revoked'] },
    verifyUrl: { type: 'string' },
    pdfUrl: { type: 'string' },
  },
} as const;

const signedSchema = { type: 'object', properties: { payload: { type: 'string' }, signature: { type: 'string' } } } as const;

const verificationSchema = {
  type: 'object',
  properties: {
    number: { type: 'string' },
    status: { enum: ['valid', 'revoked'] },
    learner: { type: 'string' },
    course: { type: 'string' },
    issued: { type: 'string' },
    revoked: { anyOf: [{ type: 'null' }, { type: 'object', properties: { date: { type: 'string' }, reason: { type: 'string' } } }] },
    verifyUrl: { type: 'string' },
    signed: {
      type: 'object',
      properties: {
        payload: { type: 'string', description: 'Canonical JSON; the signature is Ed25519 over its bytes' },
        signature: { type: 'string', description: 'base64url' },
        algorithm: { type: 'string' },
        keyId: { type: 'string', description: 'RFC 7638 thumbprint of the public key' },
        publicKeyUrl: { type: 'string' },
        jwksUrl: { type: 'string' },
      },
    },
    printed: { anyOf: [{ type: 'null' }, signedSchema], description: 'What the certificate prints, once revoked' },
  },
} as const;

const ruleSchema = {
  type: 'object',
  properties: {
    course: { type: 'string' },
    format: { type: 'string' },
    rule: { anyOf: [{ type: 'null' }, { enum: certificateRules }] },
    default: { enum: certificateRules },
    effective: { enum: certificateRules },
  },
} as const;

export interface CertificateRouteDeps {
  readonly certificates: CertificateService;
  readonly audit: Pick<AuditStore, 'append'>;
  readonly now: () => number;
}

/** The JSON API, mounted at `/api`. */
export function registerCertificateApi(app: FastifyInstance, { certificates, audit, now }: CertificateRouteDeps): void {
  app.setErrorHandler(sendApiError);

  app.get<{ Params: { id: string } }>('/users/:id/certificates', {
    config: { policy: 'records.read' },
    exposeHeadRoute: false,
    schema: {
      tags,
      summary: "A learner's certificates",
      description: 'Who may read: like transcripts (learners their own; analysts all, or the learners of their countries; admins all).',
      security: [{ session: [] }],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: { 200: { type: 'array', items: summarySchema } },
    },
  }, async (request) => certificates.list(userOf(request), grantOf(request), request.params.id));

  app.get<{ Params: { number: string } }>('/certificates/:number.pdf', {
    config: { policy: 'records.read' },
    exposeHeadRoute: false,
    schema: { tags, summary: 'A certificate as PDF (its owner, or a reader of their records)', security: [{ session: [] }], params: numberParams },
  }, async (request, reply) => {
    const { number, pdf } = await certificates.pdf(userOf(request), grantOf(request), request.params.number);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="certificate-${number}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  });

  app.get<{ Params: { number: string } }>('/certificates/:number/verification', {
    config: { policy: 'public' },
    schema: {
      tags,
      summary: 'Whether a certificate is valid or revoked, with its signed payload (no sign-in)',
      security: [],
      params: numberParams,
      response: { 200: verificationSchema },
    },
  }, async (request, reply) => {
    // Revocation must show at once: no cache may keep a "valid" answer.
    reply.header('cache-control', 'no-cache');
    return certificates.verification(request.params.number);
  });

  app.post<{ Params: { number: string }; Body: { reason: string } }>('/certificates/:number/revoke', {
    config: { policy: 'certificates.revoke' },
    schema: {
      tags,
      summary: 'Revoke a certificate (admins); the reason is shown on its public verification page',
      security: [{ session: [] }],
      params: numberParams,
      body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 2000 } } },
      response: { 200: verificationSchema },
    },
  }, async (request) => certificates.revoke(userOf(request), request.params.number, request.body.reason, request.ip));

  app.get<{ Params: { slug: string } }>('/courses/:slug/certificate-rule', {
    config: { policy: 'courses.manage' },
    schema: { tags, summary: "When a course's certificate is issued", security: [{ session: [] }], params: { type: 'object', required: ['slug'], properties: { slug: { type: 'string' } } }, response: { 200: ruleSchema } },
  }, async (request) => certificates.rule(request.params.slug));

  app.put<{ Params: { slug: string }; Body: { rule: CertificateRule | null } }>('/courses/:slug/certificate-rule', {
    config: { policy: 'courses.manage' },
    schema: {
      tags,
      summary: "Set when a course's certificate is issued (null: the default of its format)",
      description: 'completed-or-passed (SCORM, xAPI default), completed, passed, satisfied (cmi5 default, cmi5 only), none; for SCORM 2004 the first three read the sequencing rollup of the course. Applies to statements stored from now on.',
      security: [{ session: [] }],
      params: { type: 'object', required: ['slug'], properties: { slug: { type: 'string' } } },
      body: { type: 'object', required: ['rule'], additionalProperties: false, properties: { rule: { anyOf: [{ type: 'null' }, { enum: certificateRules }] } } },
      response: { 200: ruleSchema },
    },
  }, async (request) => {
    const outcome = await certificates.setRule(request.params.slug, request.body.rule);
    await audit.append({ atMs: now(), actorId: userOf(request).id, action: 'certificate-rule.set', subject: `course:${outcome.course}`, ip: request.ip, detail: { rule: outcome.rule } });
    return outcome;
  });
}

/** The public key, at the root (no prefix). */
export function registerCertificateKeyRoutes(app: FastifyInstance, { certificates }: Pick<CertificateRouteDeps, 'certificates'>): void {
  app.get('/certificates/public-key.pem', {
    config: { policy: 'public' },
    schema: { tags, summary: 'The public key that signs certificates (SPKI, PEM)', security: [] },
  }, async (_request, reply) => reply.type('application/x-pem-file').header('cache-control', 'public, max-age=3600').send(certificates.publicKeyPem));

  app.get('/.well-known/cadet-certificates.json', {
    config: { policy: 'public' },
    schema: { tags, summary: 'The public key that signs certificates, as a JWK Set, and how payloads are made', security: [] },
  }, async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').send(certificates.keySet()));
}

/** Without a certificate store (MongoDB, for now): the same routes answer 501. */
export function registerCertificatesUnavailable(app: FastifyInstance): void {
  app.setErrorHandler(sendApiError);
  const unavailable = async (_request: unknown, reply: { code: (status: number) => { send: (body: unknown) => unknown } }) =>
    reply.code(501).send({ error: 'certificates-unavailable', message: 'this store has no certificates yet (SQLite has them)' });
  app.get('/users/:id/certificates', { config: { policy: 'records.read' }, exposeHeadRoute: false, schema: { hide: true } }, unavailable);
  app.get('/certificates/:number.pdf', { config: { policy: 'records.read' }, exposeHeadRoute: false, schema: { hide: true } }, unavailable);
  app.get('/certificates/:number/verification', { config: { policy: 'public' }, schema: { hide: true } }, unavailable);
  app.post('/certificates/:number/revoke', { config: { policy: 'certificates.revoke' }, schema: { hide: true } }, unavailable);
}
