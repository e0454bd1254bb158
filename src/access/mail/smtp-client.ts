/**
 * A small SMTP client (RFC 5321) on node:net and node:tls: one connection per message, implicit TLS (RFC 8314) or
 * STARTTLS (RFC 3207), AUTH PLAIN or LOGIN (RFC 4954), 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) when offered.
 * Every step has a timeout; every failure is an `SmtpError` with the step, and the server's reply when there is one.
 */
import net from 'node:net';
import tls from 'node:tls';
import { dotStuff, formatMessage, parseMailbox, type OutgoingMail } from './mail-message.js';

export interface SmtpTimeouts {
  /** TCP (and implicit TLS) connection, and the STARTTLS handshake. */
  readonly connectMs: number;
  /** Each reply to a command, and the greeting. */
  readonly replyMs: number;
  /** The reply after the message's final dot: servers scan the message then (RFC 5321 §4.5.3.2.6 allows 10 minutes). */
  readonly dataMs: number;
}

export const defaultSmtpTimeouts: SmtpTimeouts = { connectMs: 15_000, replyMs: 60_000, dataMs: 180_000 };

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465). Otherwise plain, upgraded by STARTTLS when offered and `startTls` is on. */
  readonly secure: boolean;
  /**
   * Upgrade with STARTTLS when the server offers it. While on, a password is never sent over a connection that is
   * not encrypted, except to a loopback address; off, the connection stays plain whatever the server offers.
   */
  readonly startTls: boolean;
  /** AUTH when set (PLAIN, else LOGIN, whichever the server offers). */
  readonly user?: string;
  readonly password?: string;
  /** Our name in EHLO (RFC 5321 §4.1.1.1: a domain name). */
  readonly clientName: string;
  readonly timeouts?: Partial<SmtpTimeouts>;
  /** Extra TLS options, e.g. `ca` for a private certificate authority; the server certificate is always verified. */
  readonly tls?: Omit<tls.ConnectionOptions, 'socket' | 'host' | 'port'>;
}

export type SmtpStage = 'connect' | 'greeting' | 'EHLO' | 'STARTTLS' | 'AUTH' | 'MAIL FROM' | 'RCPT TO' | 'DATA' | 'message';

/** A failed exchange: `replyCode` and `reply` are the server's answer, null when there was none (network, timeout). */
export class SmtpError extends Error {
  override readonly name = 'SmtpError';
  constructor(
    readonly stage: SmtpStage,
    readonly replyCode: number | null,
    readonly reply: string,
  ) {
    super(replyCode === null ? `${stage}: ${reply}` : `${stage}: ${replyCode} ${reply}`);
  }
  /** 4xx and network trouble may pass; 5xx is the server refusing (RFC 5321 §4.2.1). */
  get permanent(): boolean {
    return this.replyCode !== null && this.replyCode >= 500;
  }
}

interface SmtpReply {
  readonly code: number;
  readonly lines: readonly string[];
}

const replyText = (reply: SmtpReply) => reply.lines.join(' ').trim();
/** Replies are short; a server that sends more without a line break is not speaking SMTP. */
const maxPendingBytes = 64 * 1024;
const isLoopback = (host: string) => host === 'localhost' || (net.isIP(host) !== 0 && (/^127\./.test(host) || host === '::1'));

/** One connection: reads replies, writes commands, can be upgraded to TLS. */
class SmtpConnection {
  private buffer = '';
  private readonly lines: string[] = [];
  private failure: Error | null = null;
  private notify: (() => void) | null = null;
  private readonly onData = (chunk: Buffer) => {
    this.buffer += chunk.toString('utf8');
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      this.lines.push(this.buffer.slice(0, end).replace(/\r$/, ''));
      this.buffer = this.buffer.slice(end + 1);
    }
    if (this.buffer.length > maxPendingBytes) this.fail(new Error('the server sent an over-long line'));
    this.notify?.();
  };
  private readonly onError = (error: Error) => this.fail(error);
  private readonly onClose = () => this.fail(new Error('the server closed the connection'));

  constructor(
    private socket: net.Socket,
    private readonly timeouts: SmtpTimeouts,
  ) {
    this.listen(socket);
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  private listen(socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private unlisten(socket: net.Socket) {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  private fail(error: Error) {
    this.failure ??= error;
    this.notify?.();
  }

  /** The next reply (all lines of a multi-line one); rejects on timeout or a broken connection. */
  async reply(stage: SmtpStage, timeoutMs = this.timeouts.replyMs): Promise<SmtpReply> {
    const lines: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.lines.length > 0) {
        const line = this.lines.shift() as string;
        const parsed = /^(\d{3})([ -]|$)(.*)$/.exec(line);
        if (!parsed) throw new SmtpError(stage, null, `malformed reply "${line.slice(0, 200)}"`);
        lines.push(parsed[3]);
        if (parsed[2] !== '-') return { code: Number(parsed[1]), lines };
      }
      if (this.failure) throw new SmtpError(stage, null, this.failure.message);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.destroy();
        throw new SmtpError(stage, null, `no reply within ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.notify = null;
    }
  }

  write(text: string) {
    this.socket.write(text);
  }

  /** Sends a command and checks the reply's code. Errors carry the reply, never the command (AUTH carries secrets). */
  async command(stage: SmtpStage, line: string, expected: readonly number[], timeoutMs?: number): Promise<SmtpReply> {
    if (this.failure) throw new SmtpError(stage, null, this.failure.message);
    this.write(`${line}\r\n`);
    const reply = await this.reply(stage, timeoutMs);
    if (!expected.includes(reply.code)) throw new SmtpError(stage, reply.code, replyText(reply));
    return reply;
  }

  /** RFC 3207 §4.2: after 220 to STARTTLS, the TLS handshake on the same connection; nothing read before it counts. */
  async upgrade(options: tls.ConnectionOptions, host: string): Promise<void> {
    const plain = this.socket;
    this.unlisten(plain);
    this.lines.length = 0;
    this.buffer = '';
    const secure = await handshake(() => tls.connect({ ...options, ...tlsTarget(host), socket: plain }), this.timeouts.connectMs, 'STARTTLS');
    this.socket = secure;
    this.listen(secure);
  }

  /** QUIT, politely; its failure does not matter once the message is accepted. */
  async quit(): Promise<void> {
    try {
      await this.command('message', 'QUIT', [221], Math.min(this.timeouts.replyMs, 5_000));
    } catch {
      // The server already accepted the message (or we are giving up anyway).
    }
    this.socket.end();
    this.destroy();
  }

  destroy() {
    this.unlisten(this.socket);
    this.socket.on('error', () => {});
    this.socket.destroy();
  }
}

/** Whom the certificate must name; SNI only for a name (RFC 6066 §3 forbids an address there). */
const tlsTarget = (host: string) => (net.isIP(host) ? { host } : { host, servername: host });

/** Waits for a TCP or TLS connection, with a timeout; the socket is destroyed on failure. */
function handshake<S extends net.Socket>(open: () => S, timeoutMs: number, stage: SmtpStage): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const socket = open();
    const event = socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect';
    const done = (error: Error | null) => {
      clearTimeout(timer);
      socket.off(event, onReady);
      socket.off('error', done);
      if (error) {
        socket.on('error', () => {});
        socket.destroy();
        reject(error instanceof SmtpError ? error : new SmtpError(stage, null, error.message));
      } else resolve(socket);
    };
    const onReady = () => done(null);
    const timer = setTimeout(() => done(new SmtpError(stage, null, `no connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, onReady);
    socket.once('error', done);
  });
}

/** The EHLO keywords (upper case) with their parameters: `AUTH` → `PLAIN LOGIN`. */
function capabilitiesOf(reply: SmtpReply): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of reply.lines.slice(1)) {
    const [keyword, ...rest] = line.trim().split(/\s+/);
    if (keyword) found.set(keyword.toUpperCase(), rest.join(' ').toUpperCase());
  }
  return found;
}

async function greet(connection: SmtpConnection, clientName: string): Promise<Map<string, string>> {
  connection.write(`EHLO ${clientName}\r\n`);
  const reply = await connection.reply('EHLO');
  if (reply.code === 250) return capabilitiesOf(reply);
  // RFC 5321 §3.2: a server that does not know EHLO answers 500/502; HELO then, without extensions.
  if (reply.code === 500 || reply.code === 502) {
    await connection.command('EHLO', `HELO ${clientName}`, [250]);
    return new Map();
  }
  throw new SmtpError('EHLO', reply.code, replyText(reply));
}

async function authenticate(connection: SmtpConnection, capabilities: Map<string, string>, user: string, password: string): Promise<void> {
  const mechanisms = (capabilities.get('AUTH') ?? '').split(/\s+/);
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  if (mechanisms.includes('PLAIN')) {
    // RFC 4616: authorisation identity (empty), NUL, user, NUL, password; sent as the initial response.
    await connection.command('AUTH', `AUTH PLAIN ${b64(`\u0000${user}\u0000${password}`)}`, [235]);
  } else if (mechanisms.includes('LOGIN')) {
    await connection.command('AUTH', 'AUTH LOGIN', [334]);
    await connection.command('AUTH', b64(user), [334]);
    await connection.command('AUTH', b64(password), [235]);
  } else {
    throw new SmtpError('AUTH', null, `the server offers no AUTH mechanism we know (offered: ${mechanisms.join(' ') || 'none'})`);
  }
}

/**
 * Sends one message on a connection of its own. Resolves once the server has accepted it (250 after the final dot);
 * rejects with an `SmtpError` otherwise, and then nothing was accepted — except when the connection broke after
 * the final dot and before the reply, where the server may have kept it (RFC 5321 §6.1: duplicates are the lesser harm).
 */
export async function sendMail(options: SmtpOptions, mail: OutgoingMail): Promise<void> {
  const timeouts = { ...defaultSmtpTimeouts, ...options.timeouts };
  const from = parseMailbox(mail.from);
  if (!from) throw new SmtpError('MAIL FROM', null, `the sender "${mail.from}" has no address`);
  const to = parseMailbox(mail.to);
  if (!to) throw new SmtpError('RCPT TO', null, `the recipient "${mail.to}" is not an address`);

  const socket = await handshake<net.Socket>(
    () => (options.secure ? tls.connect({ ...options.tls, ...tlsTarget(options.host), port: options.port }) : net.connect({ host: options.host, port: options.port })),
    timeouts.connectMs,
    'connect',
  );
  const connection = new SmtpConnection(socket, timeouts);
  try {
    const greeting = await connection.reply('greeting');
    if (greeting.code !== 220) throw new SmtpError('greeting', greeting.code, replyText(greeting));
    let capabilities = await greet(connection, options.clientName);

    if (!connection.encrypted && options.startTls && capabilities.has('STARTTLS')) {
      await connection.command('STARTTLS', 'STARTTLS', [220]);
      await connection.upgrade(options.tls ?? {}, options.host);
      // RFC 3207 §4.2: forget what the server said before TLS and ask again.
      capabilities = await greet(connection, options.clientName);
    }

    if (options.user) {
      if (!connection.encrypted && options.startTls && !isLoopback(options.host)) {
        throw new SmtpError('AUTH', null, 'the server does not offer STARTTLS: the password is not sent over a plain connection (SMTP_STARTTLS=false allows it)');
      }
      await authenticate(connection, capabilities, options.user, options.password ?? '');
    }

    const utf8Addresses = !/^[\x00-\x7f]*$/.test(from.address + to.address);
    if (utf8Addresses && !capabilities.has('SMTPUTF8')) {
      throw new SmtpError('MAIL FROM', null, 'a non-ASCII address needs SMTPUTF8, which the server does not offer');
    }
    const eightBit = capabilities.has('8BITMIME');
    const { data, encoding } = formatMessage(mail, { eightBit });
    const parameters = `${encoding === '8bit' ? ' BODY=8BITMIME' : ''}${utf8Addresses ? ' SMTPUTF8' : ''}`;
    await connection.command('MAIL FROM', `MAIL FROM:<${from.address}>${parameters}`, [250]);
    await connection.command('RCPT TO', `RCPT TO:<${to.address}>`, [250, 251]);
    await connection.command('DATA', 'DATA', [354]);
    connection.write(dotStuff(data));
    const accepted = await connection.reply('message', timeouts.dataMs);
    if (accepted.code !== 250) throw new SmtpError('message', accepted.code, replyText(accepted));
  } catch (error) {
    connection.destroy();
    throw error instanceof SmtpError ? error : new SmtpError('message', null, (error as Error).message);
  }
  await connection.quit();
}
