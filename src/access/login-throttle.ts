/**
 * Sign-in attempts per client address in a fixed window, over every account (so one address cannot try one
 * password on many accounts). With the per-account lock-out it makes online guessing slow.
 * In memory: per process, which is what one academy on one machine needs; several processes each count apart.
 */
export class TooManyAttempts extends Error {
  override readonly name = 'TooManyAttempts';
  readonly statusCode = 429;
  readonly code = 'too-many-attempts';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many sign-in attempts from this address; try again in ${retryAfterSeconds} s`);
  }
}

export function createLoginThrottle({ max, windowMs, now }: { max: number; windowMs: number; now: () => number }) {
  const windows = new Map<string, { startMs: number; count: number }>();
  return {
    /** Counts an attempt from `address`; throws `TooManyAttempts` past `max` in the current window. */
    hit(address: string): void {
      const at = now();
      if (windows.size > 10_000) for (const [key, w] of windows) if (at - w.startMs >= windowMs) windows.delete(key);
      let current = windows.get(address);
      if (!current || at - current.startMs >= windowMs) {
        current = { startMs: at, count: 0 };
        windows.set(address, current);
      }
      current.count += 1;
      if (current.count > max) throw new TooManyAttempts(Math.max(1, Math.ceil((current.startMs + windowMs - at) / 1000)));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
