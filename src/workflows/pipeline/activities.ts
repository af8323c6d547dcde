// Activity proxies shared by the pipeline workflows (deterministic code: type-only imports).
import { proxyActivities } from '@temporalio/workflow';
import type { PipelineStepActivities } from '../../activities/pipeline';

/** Node writes and planning: quick, retried with backoff (they are idempotent). */
export const steps = proxyActivities<PipelineStepActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

/** Git mirror + archive + upload: can be slow on a big tree; a few attempts before giving up. */
export const tarballStep = proxyActivities<PipelineStepActivities>({
  startToCloseTimeout: '1 hour',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
});

export const triggerStep = proxyActivities<PipelineStepActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 3 },
});

/** Milliseconds until an absolute workflow-clock deadline (never negative). */
export function msUntil(deadlineMs: number): number {
  return Math.max(0, deadlineMs - Date.now());
}
