// The long-lived trigger loop on the real stack: one workflow id however many checks, new commits picked
// up within an interval, a worker restart re-tells the interval instead of starting a second loop, runs
// continue as new; revisions and jobs carry the summary line the Temporal UI shows.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorkflowId, jobWorkflowId } from '../../src/temporal/workflow-ids';
import { ensureTriggerLoop } from '../../src/workflows/pipeline/client';
import { expectReplayable, testEnv } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import { basicConfig, startPipelineStack, waitFor, type PipelineStack } from '../support/pipeline-stack';

describe('trigger loop and workflow summaries', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  let tree: string;
  let loopId: string;

  beforeAll(async () => {
    tree = `l${Date.now().toString(36)}`;
    const repoDir = path.join(testEnv().tmpDir, `repo-${tree}`);
    repo = await createKernelRepo(repoDir);
    stack = await startPipelineStack((ctx) => basicConfig(ctx, { [tree]: `file://${repoDir}` }));
    await stack.startLabInProcess();
    loopId = `trigger-loop-${tree}`;
  });
  afterAll(async () => {
    await stack.client.workflow
      .getHandle(loopId)
      .terminate('test over')
      .catch(() => undefined);
  });

  it('one loop picks up new commits each interval, continues as new, and keeps one workflow id', async () => {
    const opts = { intervalMs: 400, taskQueue: stack.taskQueue, workflowId: loopId, checksPerRun: 3 };
    const first = await ensureTriggerLoop(stack.client, opts);
    // A second pipeline worker (or a restart) re-tells the interval to the same loop.
    const again = await ensureTriggerLoop(stack.client, { ...opts, intervalMs: 300 });
    expect(again.workflowId).toBe(first.workflowId);
    expect(again.runId).toBe(first.runId);

    const commit = await repo.commit('net: fix a leak');
    const committedAt = Date.now();
    const id = checkoutWorkflowId(tree, 'master', commit);
    await waitFor(
      'revision started by the loop',
      () => stack.client.workflow.getHandle(id).describe(),
      10_000,
      50,
    );
    console.log(`[measure] commit → checkout started by the trigger loop: ${Date.now() - committedAt} ms`);

    // After checksPerRun checks the loop continues as new: a new run, the same single workflow id.
    await waitFor(
      'the loop to continue as new',
      async () => (await stack.client.workflow.getHandle(loopId).describe()).runId !== first.runId,
      15_000,
    );
    const runs: string[] = [];
    for await (const w of stack.client.workflow.list({ query: `WorkflowId = "${loopId}"` }))
      runs.push(w.runId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const open: string[] = [];
    for await (const w of stack.client.workflow.list({
      query: `WorkflowId = "${loopId}" AND ExecutionStatus = "Running"`,
    }))
      open.push(w.runId);
    expect(open).toHaveLength(1);
    // The new run reports its last check where the UI shows a workflow's current details.
    const details = await waitFor('the loop to report its last check', async () => {
      const m = await stack.client.workflow
        .getHandle(loopId)
        .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return m.currentDetails;
    });
    expect(details).toMatch(/^Last check .*already known/);

    // Summary lines: the revision (tree/branch commit, then describe in its details), each job.
    const handle = stack.client.workflow.getHandle(id);
    const result = await handle.result();
    const desc = await handle.describe();
    expect(await desc.staticSummary()).toBe(`${tree}/master ${commit.slice(0, 12)}`);
    const meta = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    expect(meta.currentDetails).toMatch(new RegExp(`^${tree}/master v6\\.9-rc1-\\d+-g[0-9a-f]+$`));
    const job = await stack.client.workflow
      .getHandle(jobWorkflowId(result.nodeId, 'kbuild-x86', 'none'))
      .describe();
    expect(await job.staticSummary()).toBe(`kbuild-x86 on none · ${tree}/master ${commit.slice(0, 12)}`);

    await expectReplayable([stack.client.workflow.getHandle(loopId, first.runId), handle]);
  });
});
