// Activity proxies shared by the pipeline workflows (deterministic code: type-only imports).
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PipelineStepActivities } from '../../activities/pipeline';

/** Node writes and planning: quick, retried with backoff (they are idempotent). */
const QUICK_STEP = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
};

export const steps = proxyActivities<PipelineStepActivities>(QUICK_STEP);

/**
 * The same steps run as local activities (in the workflow's worker, recorded as markers): no task
 * round trips through the server, for steps that must happen at a moment (a deadline).
 */
export const localSteps = proxyLocalActivities<PipelineStepActivities>(QUICK_STEP);

/**
 * Git mirror + archive + upload + node update: can be slow on a big tree. A git failure is final at
 * the third attempt (the activity says so); the store or storage being down is retried like a node
 * write. It heartbeats while it works, so an attempt on a worker that died is retried after the
 * pipeline's heartbeat timeout, not after the hour.
 */
export function tarballSteps(heartbeatTimeoutMs: number) {
  return proxyActivities<PipelineStepActivities>({
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
  });
}

/** Heartbeats too: a check cut off by a dead worker must not hold the trigger loop for ten minutes. */
export const triggerStep = proxyActivities<PipelineStepActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Milliseconds until an absolute workflow-clock deadline (never negative). */
export function msUntil(deadlineMs: number): number {
  return Math.max(0, deadlineMs - Date.now());
}
