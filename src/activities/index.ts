import type { Storage } from '../db/storage';
import { createHealthActivities } from './health';
import { createPipelineStepActivities, type PipelineDeps } from './pipeline';
import { createResultsActivities, resultsDeps } from './results';

export interface ActivityDeps {
  storage: Storage;
  /** The pipeline's steps (trigger, checkout, jobs); absent on a worker that only runs health checks. */
  pipeline?: PipelineDeps;
}

/** Activities registered on the pipeline worker's queue. */
export function createPipelineActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps.storage),
    ...(deps.pipeline ? createPipelineStepActivities(deps.pipeline) : {}),
    ...(deps.pipeline ? createResultsActivities(resultsDeps(deps.storage.deliveries, deps.pipeline)) : {}),
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
