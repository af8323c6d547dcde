// How kci fails: one line on stderr naming the problem (the API's own message for API errors) and a
// non-zero exit code.
import { ApiClientError } from '../client/api-client';

export const EXIT = {
  /** The operation failed (API error, invalid input, invalid configuration). */
  failure: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** Nothing to return (empty queue, no event before the timeout). */
  empty: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ApiClientError) {
    const status = err.status ? ` (HTTP ${err.status})` : '';
    return { message: `${err.detail}${status}`, exitCode: EXIT.failure };
  }
  if (err instanceof Error) return { message: err.message, exitCode: EXIT.failure };
  return { message: String(err), exitCode: EXIT.failure };
}
