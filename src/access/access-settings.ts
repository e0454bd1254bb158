/** The configuration the access context uses (a slice of `Config`, plus the clock). */
export interface AccessSettings {
  readonly publicUrl: string;
  /** Failed sign-ins in a row that lock an account. */
  readonly loginMaxFailures: number;
  readonly loginLockMinutes: number;
  /** Sign-in attempts per client address per minute, over every account. */
  readonly loginRateLimit: number;
  readonly sessionTtlMinutes: number;
  readonly invitationTtlHours: number;
  readonly passwordResetTtlMinutes: number;
  readonly accessRequestStaleDays: number;
}

/** Renders a user-facing text from the message catalogue (mail bodies); see `src/web/i18n`. */
export type Translate = (language: string, key: string, params?: Readonly<Record<string, string | number>>) => string;

/** Who did something, for the audit trail. */
export interface Actor {
  readonly userId: string | null;
  readonly ip: string | null;
}

export const minutes = (n: number) => n * 60_000;
export const hours = (n: number) => n * 3_600_000;
export const days = (n: number) => n * 86_400_000;
