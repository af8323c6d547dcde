import { sleep } from '@temporalio/workflow';

export interface TimerResult {
  requestedMs: number;
  workflowElapsedMs: number;
}

/** Sleeps on a durable workflow timer; the workflow clock proves the timer really elapsed. */
export async function timerFixtureWorkflow(ms: number): Promise<TimerResult> {
  const start = Date.now();
  await sleep(ms);
  return { requestedMs: ms, workflowElapsedMs: Date.now() - start };
}
