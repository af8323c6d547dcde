// Domain errors: what went wrong, in words that name the field, without any transport attached. The API
// maps each kind to an HTTP status; activities turn the kinds that cannot heal by retrying into
// non-retryable failures.

export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict';

export class DomainError extends Error {
  constructor(
    public readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (detail: string) => new DomainError('invalid', detail);
export const unauthenticated = (detail = 'not authenticated') => new DomainError('unauthenticated', detail);
export const forbidden = (detail = 'forbidden') => new DomainError('forbidden', detail);
export const notFound = (detail = 'not found') => new DomainError('not_found', detail);
export const conflict = (detail: string) => new DomainError('conflict', detail);

export function isDomainError(err: unknown, kind?: ErrorKind): err is DomainError {
  return err instanceof DomainError && (kind === undefined || err.kind === kind);
}

/** Retrying cannot change the answer to these: the input or the caller is wrong. */
export const NON_RETRYABLE_KINDS: readonly ErrorKind[] = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
];
