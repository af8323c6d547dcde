import { createCheckoutActivities } from './checkout';
import type { PipelineDeps } from './deps';
import { createJobActivities } from './jobs';
import { createTriggerActivities } from './trigger';

export type { PipelineDeps } from './deps';

export function createPipelineStepActivities(deps: PipelineDeps) {
  return {
    ...createTriggerActivities(deps),
    ...createCheckoutActivities(deps),
    ...createJobActivities(deps),
  };
}

export type PipelineStepActivities = ReturnType<typeof createPipelineStepActivities>;
