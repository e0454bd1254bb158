export { createMailDelivery, senderOf, smtpOptionsOf } from './mail-delivery.js';
export type { MailDeliveryDeps, MailSettings } from './mail-delivery.js';
export { createMailSender, defaultRetryPolicy, nextAttemptAfter } from './mail-sender.js';
export type { MailSender, MailSenderDeps, RetryPolicy } from './mail-sender.js';
export { dotStuff, encodeQuotedPrintable, encodeUnstructured, encodeWords, formatDate, formatMailbox, formatMessage, parseMailbox } from './mail-message.js';
export type { Mailbox, OutgoingMail, TransferEncoding } from './mail-message.js';
export { defaultSmtpTimeouts, sendMail, SmtpError } from './smtp-client.js';
export type { SmtpOptions, SmtpStage, SmtpTimeouts } from './smtp-client.js';
