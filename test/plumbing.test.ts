import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { healthCheckWorkflow } from '../src/workflows';
import { timerFixtureWorkflow } from './support/fixture-workflows';
import {
  expectReplayable,
  openTemporalClient,
  openTestDatabase,
  startPipelineWorker,
  testEnv,
  type RunningWorker,
} from './support/harness';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Storage } from '../src/db/storage';

describe('plumbing: real Temporal dev server and real PostgreSQL', () => {
  let db: Storage;
  let client: Client;
  let worker: RunningWorker;
  const recorded: WorkflowHandle[] = [];

  beforeAll(async () => {
    ({ db } = await openTestDatabase());
    client = await openTemporalClient();
    worker = await startPipelineWorker(db);
  });

  it('a workflow runs an activity that writes a probe to the database and reads it back', async () => {
    const probeId = randomUUID();
    const handle = await client.workflow.start(healthCheckWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `plumbing-health-${probeId}`,
      args: [{ probeId }],
    });
    recorded.push(handle);
    const result = await handle.result();
    expect(result.probeId).toBe(probeId);
    const stored = await db.healthProbe(probeId);
    expect(stored.probeId).toBe(probeId);
    expect(Date.parse(stored.storedAt)).toBeGreaterThanOrEqual(Date.parse(result.storedAt));
  });

  it('a workflow timer delays the workflow by the requested time', async () => {
    const started = Date.now();
    const handle = await client.workflow.start(timerFixtureWorkflow, {
      taskQueue: worker.taskQueue,
      workflowId: `plumbing-timer-${randomUUID()}`,
      args: [1500],
    });
    recorded.push(handle);
    const result = await handle.result();
    expect(result.workflowElapsedMs).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('histories recorded in this run replay deterministically', async () => {
    expect(recorded.length).toBe(2);
    await expectReplayable(recorded);
  });

  it('a replay detects non-determinism (the check can fail)', async () => {
    const history = await recorded[1].fetchHistory();
    // Relabel the timer history as the health workflow: its commands (an activity) no longer match.
    history.events![0].workflowExecutionStartedEventAttributes!.workflowType = {
      name: 'healthCheckWorkflow',
    };
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: testEnv().workflowBundlePath } }, history),
    ).rejects.toThrow();
  });
});
