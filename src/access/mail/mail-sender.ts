import type { ClaimedMail, MailDeliveryLog } from '../../store/ports.js';

export interface RetryPolicy {
  /** Wait after the first failure; doubled after each further one. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts before giving up (the message stays in the outbox as `failed`). */
  readonly maxAttempts: number;
}

/** 1, 2, 4 … 256 minutes: ten attempts over about eight and a half hours. */
export const defaultRetryPolicy: RetryPolicy = { firstDelayMs: 60_000, maxDelayMs: 6 * 3_600_000, maxAttempts: 10 };

/** When the attempt after `attempts` failed ones is due; null when there is none. */
export function nextAttemptAfter(attempts: number, failedMs: number, policy: RetryPolicy): number | null {
  if (attempts >= policy.maxAttempts) return null;
  return failedMs + Math.min(policy.firstDelayMs * 2 ** Math.max(0, attempts - 1), policy.maxDelayMs);
}

interface Log {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface MailSenderDeps {
  readonly delivery: MailDeliveryLog;
  /** Hands one message to the mail server; resolves once accepted, rejects otherwise. */
  readonly send: (message: ClaimedMail) => Promise<void>;
  readonly log: Log;
  readonly now: () => number;
  /**
   * A message older than this is not sent but marked failed: its link has expired (INVITATION_TTL_HOURS), and mail
   * written while no server was configured must not reach people weeks later when one is.
   */
  readonly maxAgeMs: number;
  readonly retry?: RetryPolicy;
  /** Safety net beside `watch`: mail written by another process (the `cadet` CLI) is found within this delay. */
  readonly pollMs?: number;
  /** How long a claimed message is reserved: longer than the worst attempt (every SMTP timeout in a row). */
  readonly leaseMs?: number;
  /** How long `stop` waits for the message being sent. */
  readonly stopWaitMs?: number;
}

export interface MailSender {
  /** Watches the outbox and delivers what is due now (mail left unsent at the last stop), then keeps at it. */
  start(): void;
  /** A delivery pass soon, in the background (after the write that queued mail has committed). */
  wake(): void;
  /** One delivery pass, until nothing is due: for tests and the CLI. Joins the running pass, if any. */
  deliverDue(): Promise<{ readonly sent: number; readonly failed: number }>;
  /** Stops watching; waits for the message being sent, claims nothing more. */
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: the outbox stays the record (every message is written there first, in the transaction that
 * caused it), and this sender only ever reads it after that commit, so no request waits for a mail server.
 */
export function createMailSender({ delivery, send, log, now, maxAgeMs, retry = defaultRetryPolicy, pollMs = 60_000, leaseMs = 15 * 60_000, stopWaitMs = 10_000 }: MailSenderDeps): MailSender {
  let running: Promise<{ sent: number; failed: number }> | null = null;
  let again = false;
  let stopped = true;
  let closing = false;
  let timer: NodeJS.Timeout | null = null;
  let unwatch: (() => void) | null = null;

  async function attempt(message: ClaimedMail): Promise<boolean> {
    const startedMs = now();
    if (startedMs - message.createdMs > maxAgeMs) {
      const error = `not sent: written ${Math.round((startedMs - message.createdMs) / 3_600_000)} h ago, past the ${Math.round(maxAgeMs / 3_600_000)} h its links last`;
      await delivery.markFailed(message.id, { error, nextAttemptMs: null });
      log.warn({ mailId: message.id, kind: message.kind }, error);
      return false;
    }
    try {
      await send(message);
    } catch (error) {
      const failedMs = now();
      const nextAttemptMs = nextAttemptAfter(message.attempts, failedMs, retry);
      const text = error instanceof Error ? error.message : String(error);
      await delivery.markFailed(message.id, { error: text, nextAttemptMs });
      log.warn(
        { mailId: message.id, kind: message.kind, attempts: message.attempts, nextAttempt: nextAttemptMs === null ? null : new Date(nextAttemptMs).toISOString(), err: text },
        nextAttemptMs === null ? 'mail not delivered; giving up' : 'mail not delivered; will try again',
      );
      return false;
    }
    await delivery.markSent(message.id, now());
    log.info({ mailId: message.id, kind: message.kind, attempts: message.attempts }, 'mail delivered');
    return true;
  }

  async function pass(): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    do {
      again = false;
      // One message per claim: stopping never leaves a claimed message unattempted (and leased) behind.
      while (!closing) {
        const [message] = await delivery.claimDue(now(), leaseMs, 1);
        if (!message) break;
        if (await attempt(message)) sent += 1;
        else failed += 1;
      }
    } while (again && !closing);
    return { sent, failed };
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => sender.wake(), Math.max(delayMs, 250));
    timer.unref();
  }

  function deliverDue(): Promise<{ sent: number; failed: number }> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((error: unknown) => {
        log.error({ err: error }, 'mail delivery pass failed; trying again later');
        return { sent: 0, failed: 0 };
      })
      .then(async (result) => {
        running = null;
        const next = await delivery.nextAttemptMs().catch(() => null);
        schedule(next === null ? pollMs : Math.min(next - now(), pollMs));
        return result;
      });
    return running;
  }

  const sender: MailSender = {
    start() {
      if (!stopped) return;
      stopped = false;
      closing = false;
      unwatch = delivery.watch(() => sender.wake());
      sender.wake();
    },
    wake() {
      if (stopped) return;
      void deliverDue();
    },
    deliverDue,
    async stop() {
      stopped = true;
      closing = true;
      unwatch?.();
      unwatch = null;
      if (timer) clearTimeout(timer);
      timer = null;
      // Bounded: shutdown must not wait out a slow server's timeouts. An attempt cut short is retried after its lease.
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (waited = setTimeout(resolve, stopWaitMs)))]);
      clearTimeout(waited);
    },
  };
  return sender;
}
