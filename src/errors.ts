/**
 * One registry of coded errors, mapped to HTTP in one place (`httpStatusOf`).
 * Each error carries data (the property path, header or file that was wrong) apart
 * from its English message, so a client can act on it and a translator can reword it.
 */

export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unavailable';

const statusByKind: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'precondition-required': 428,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unavailable: 503,
};

export interface ErrorData {
  /** JSON Pointer of the offending property, e.g. `/0/actor/mbox`. */
  readonly path?: string;
  /** Query parameter, header or field name that was wrong. */
  readonly parameter?: string;
  readonly header?: string;
  readonly [key: string]: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly data: ErrorData = {},
  ) {
    super(message);
  }

  get statusCode(): number {
    return statusByKind[this.kind];
  }
}

export function httpStatusOf(kind: ErrorKind): number {
  return statusByKind[kind];
}

export const invalid = (code: string, message: string, data?: ErrorData) =>
  new AppError('validation', code, message, data);
export const notFound = (code: string, message: string, data?: ErrorData) =>
  new AppError('not-found', code, message, data);
export const conflict = (code: string, message: string, data?: ErrorData) =>
  new AppError('conflict', code, message, data);
export const forbidden = (code: string, message: string, data?: ErrorData) =>
  new AppError('forbidden', code, message, data);
export const unauthenticated = (code: string, message: string, data?: ErrorData) =>
  new AppError('unauthenticated', code, message, data);
