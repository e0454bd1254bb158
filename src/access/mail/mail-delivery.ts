import net from 'node:net';
import { ConfigError } from '../../config.js';
import type { MailOutbox } from '../../store/ports.js';
import { hours } from '../access-settings.js';
import { parseMailbox } from './mail-message.js';
import { createMailSender, type MailSender, type MailSenderDeps } from './mail-sender.js';
import { sendMail, type SmtpOptions } from './smtp-client.js';

/** The configuration mail delivery uses (a slice of `Config`). */
export interface MailSettings {
  readonly publicUrl: string;
  /** Empty: no delivery, the outbox alone. */
  readonly smtpHost: string;
  readonly smtpPort: number;
  readonly smtpUser: string;
  readonly smtpPassword: string;
  /** Empty: `Cadet <no-reply@…>` at PUBLIC_URL's host. */
  readonly smtpFrom: string;
  readonly smtpStarttls: 'true' | 'false';
  readonly invitationTtlHours: number;
}

/** The From header: SMTP_FROM, or `Cadet <no-reply@host>` with PUBLIC_URL's host. */
export function senderOf(settings: Pick<MailSettings, 'smtpFrom' | 'publicUrl'>): string {
  return settings.smtpFrom.trim() || `Cadet <no-reply@${new URL(settings.publicUrl).hostname}>`;
}

/** RFC 5321 §4.1.3: EHLO names a domain, or an address literal. */
function clientNameOf(publicUrl: string): string {
  const host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  const family = net.isIP(host);
  return family === 4 ? `[${host}]` : family === 6 ? `[IPv6:${host}]` : host;
}

export function smtpOptionsOf(settings: MailSettings): SmtpOptions {
  return {
    host: settings.smtpHost,
    port: settings.smtpPort,
    // RFC 8314 §3.3: 465 is submission over implicit TLS; every other port starts plain.
    secure: settings.smtpPort === 465,
    startTls: settings.smtpStarttls !== 'false',
    ...(settings.smtpUser && { user: settings.smtpUser, password: settings.smtpPassword }),
    clientName: clientNameOf(settings.publicUrl),
  };
}

export interface MailDeliveryDeps {
  readonly settings: MailSettings;
  readonly outbox: MailOutbox;
  readonly log: MailSenderDeps['log'];
  readonly now?: () => number;
  /** For tests: SMTP options beyond the configuration (a private CA, short timeouts). */
  readonly smtp?: Partial<SmtpOptions>;
  readonly retry?: MailSenderDeps['retry'];
}

/**
 * "Mail goes through a mail port: SMTP when configured, otherwise written to an outbox the admin can read."
 * Every message is written to the outbox either way; with SMTP_HOST set, this sender delivers it from there.
 * Null when SMTP_HOST is empty. Throws `ConfigError` when the settings cannot work.
 */
export function createMailDelivery({ settings, outbox, log, now = Date.now, smtp, retry }: MailDeliveryDeps): MailSender | null {
  if (!settings.smtpHost) return null;
  if (!outbox.delivery) {
    throw new ConfigError('SMTP_HOST is set, but this store does not record mail delivery yet (MongoDB): leave SMTP_HOST empty and read mail in the outbox');
  }
  const from = senderOf(settings);
  if (!parseMailbox(from)) throw new ConfigError(`SMTP_FROM (--smtp-from) must hold an address, as in "Cadet <no-reply@academy.example>", got "${from}"`);
  const options: SmtpOptions = { ...smtpOptionsOf(settings), ...smtp };
  return createMailSender({
    delivery: outbox.delivery,
    send: (message) => sendMail(options, { id: message.id, from, to: message.to, subject: message.subject, text: message.text, date: new Date(message.createdMs) }),
    log,
    now,
    maxAgeMs: hours(settings.invitationTtlHours),
    ...(retry && { retry }),
  });
}
