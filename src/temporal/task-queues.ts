// Task queue names; pure constants, safe in workflow code.

/** Where the pipeline worker polls checkout/job workflows and the activities that need the database. */
export const PIPELINE_TASK_QUEUE = 'pipeline';

/** Each runtime (lab) polls only its own queue. */
export function runtimeTaskQueue(runtime: string): string {
  return `runtime/${runtime}`;
}
