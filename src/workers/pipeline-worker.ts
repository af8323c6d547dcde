import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Storage } from '../db/storage';
import { createPipelineActivities } from '../activities';
import { domainFailureInterceptors } from '../activities/domain-failures';
import type { PipelineDeps } from '../activities/pipeline';
import { PIPELINE_TASK_QUEUE } from '../temporal/task-queues';

export interface PipelineWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  storage: Storage;
  taskQueue?: string;
  /** Pre-built workflow bundle (tests build one per run); default bundles src/workflows at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  /** Store, service user, configuration and storage for the pipeline's activities. */
  pipeline?: PipelineDeps;
}

export async function createPipelineWorker(opts: PipelineWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? PIPELINE_TASK_QUEUE,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createPipelineActivities({ storage: opts.storage, pipeline: opts.pipeline }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions,
    interceptors: { activity: domainFailureInterceptors },
  });
}
