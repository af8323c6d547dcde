import type { Db } from 'mongodb';
import { createHealthActivities } from './health';

export interface ActivityDeps {
  db: Db;
}

/** Activities registered on the pipeline worker's queue. */
export function createPipelineActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps.db),
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
