import type { FastifyInstance } from 'fastify';
import type { CertificateService } from '../../records/certificates/index.js';
import { grantOf, userOf } from '../access-exports.js';
import type { PageKit } from '../page-kit.js';

const hidden = { hide: true };

/** The certificate service as the pages use it: the same calls as `/api/certificates/…`. */
export type CertificatePagesDeps = Pick<CertificateService, 'verification' | 'list' | 'urls'>;

/**
 * The public verification page (`/verify/:number`, what a certificate's QR code opens: no sign-in, only the name,
 * the course and the date, and whether it was revoked) and the signed-in user's own certificates.
 */
export function registerCertificatePages(app: FastifyInstance, kit: PageKit, certificates: CertificatePagesDeps): void {
  const longDate = (day: string, lang: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(Date.parse(`${day}T00:00:00Z`));

  app.get<{ Params: { number: string } }>('/verify/:number', { config: { policy: 'public' }, schema: hidden }, async (request, reply) => {
    const tr = kit.translatorFor(request);
    const verification = await certificates.verification(request.params.number);
    return kit.render(request, reply, 'verify', {
      title: tr.t('verify.title'),
      certificate: {
        ...verification,
        issuedText: longDate(verification.issued, tr.lang),
        revokedText: verification.revoked ? longDate(verification.revoked.date, tr.lang) : null,
      },
      jsonUrl: `/api/certificates/${verification.number}/verification`,
      publicKeyUrl: certificates.urls.publicKey,
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
}
