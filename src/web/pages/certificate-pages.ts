import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CertificateService, CertificateVerification } from '../../records/certificates/index.js';
import { admits, AppError, grantOf, userOf } from '../access-exports.js';
import type { FieldErrors, PageKit } from '../page-kit.js';

const hidden = { hide: true };

/** The certificate service as the pages use it: the same calls as `/api/certificates/…`. */
export type CertificatePagesDeps = Pick<CertificateService, 'verification' | 'list' | 'urls' | 'revoke'>;

type Form = Record<string, string | string[] | undefined>;

/**
 * The public verification page (`/verify/:number`, what a certificate's QR code opens: no sign-in, only the name,
 * the course and the date, and whether it was revoked and why), the signed-in user's own certificates, and the
 * admins' page to find a certificate by its number and revoke it with a reason (the `/api` twin is
 * `POST /api/certificates/:number/revoke`).
 */
export function registerCertificatePages(app: FastifyInstance, kit: PageKit, certificates: CertificatePagesDeps): void {
  const longDate = (day: string, lang: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(Date.parse(`${day}T00:00:00Z`));
  const dated = (verification: CertificateVerification, lang: string) => ({
    ...verification,
    issuedText: longDate(verification.issued, lang),
    revokedText: verification.revoked ? longDate(verification.revoked.date, lang) : null,
  });

  app.get<{ Params: { number: string } }>('/verify/:number', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const verification = await certificates.verification(request.params.number);
    const user = request.access?.user ?? null;
    return kit.render(request, reply, 'verify', {
      title: tr.t('verify.title'),
      certificate: dated(verification, tr.lang),
      jsonUrl: `/api/certificates/${verification.number}/verification`,
      publicKeyUrl: certificates.urls.publicKey,
      // An admin who opened the page (from the QR code, say) gets the way to revoke it.
      revokeUrl: verification.status === 'valid' && admits('certificates.revoke', user) ? `/admin/certificates?number=${encodeURIComponent(verification.number)}` : null,
    });
  });

  app.get('/certificates', { config: { policy: 'records.read' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const user = userOf(request);
    const list = await certificates.list(user, grantOf(request), user.id);
    return kit.render(request, reply, 'certificates', {
      title: tr.t('certificates.title'),
      certificates: list.map((certificate) => ({ ...certificate, issuedText: longDate(certificate.issued, tr.lang) })),
    });
  });

  /** The admins' page: a number to look up, the certificate found, and its revoke form while it is valid. */
  async function adminPage(request: FastifyRequest, reply: FastifyReply, input: { number: string; reason?: string; errors?: FieldErrors; notice?: string | null }, status = 200) {
    const tr = kit.translatorFor(request);
    const errors: FieldErrors = { ...input.errors };
    let certificate: ReturnType<typeof dated> | null = null;
    if (input.number.trim() !== '') {
      try {
        certificate = dated(await certificates.verification(input.number), tr.lang);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // The number is the page's only query: its error shows at its field, with the status it deserves.
        errors.number ??= kit.describe(request, error);
        status = status === 200 ? error.statusCode : status;
      }
    }
    return kit.render(
      request,
      reply,
      'certificate-admin',
      {
        title: tr.t('certificate-admin.title'),
        certificate,
        values: { number: input.number, reason: input.reason ?? '' },
        errors,
        notice: input.notice ?? null,
      },
      status,
    );
  }

  app.get<{ Querystring: { number?: string; done?: string } }>('/admin/certificates', { config: { policy: 'certificates.revoke' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const number = typeof request.query.number === 'string' ? request.query.number : '';
    const notice = request.query.done === 'revoked' && number ? tr.t('certificate-admin.revoked-notice', { number }) : null;
    return adminPage(request, reply, { number, notice });
  });

  app.post<{ Params: { number: string }; Body: Form | undefined }>('/admin/certificates/:number/revoke', { config: { policy: 'certificates.revoke' }, schema: hidden }, async (request, reply) => {
    const reason = typeof request.body?.reason === 'string' ? request.body.reason : '';
    try {
      const revoked = await certificates.revoke(userOf(request), request.params.number, reason, request.ip);
      // Post/redirect/get: a reload does not post again; the page shows the certificate as revoked.
      return reply.redirect(`/admin/certificates?number=${encodeURIComponent(revoked.number)}&done=revoked`, 303);
    } catch (error) {
      const { errors, status } = kit.fieldErrors(request, error);
      // The service names `reason` or `number`; anything else is about the form as a whole.
      const shown: FieldErrors = {};
      for (const [field, message] of Object.entries(errors)) shown[field === 'reason' || field === 'number' ? field : '_form'] = message;
      return adminPage(request, reply, { number: request.params.number, reason, errors: shown }, status);
    }
  });
}
