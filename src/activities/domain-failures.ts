// Activities run domain code directly; a domain error that no retry can heal (bad input, missing node,
// refused permission) becomes a non-retryable failure so the workflow sees it at once instead of after
// twenty backoff rounds.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { DomainError, NON_RETRYABLE_KINDS } from '../errors';

export class DomainFailureInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
    try {
      return await next(input);
    } catch (err) {
      if (err instanceof DomainError && NON_RETRYABLE_KINDS.includes(err.kind)) {
        throw ApplicationFailure.nonRetryable(err.message, `DomainError.${err.kind}`);
      }
      throw err;
    }
  }
}

export const domainFailureInterceptors = [() => ({ inbound: new DomainFailureInterceptor() })];
