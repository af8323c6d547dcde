// Failure paths: a failing build, a job hanging past its timeout, a broken git URL.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startRevision, triggerNow } from '../../src/workflows/pipeline/client';
import { checkoutWorkflowId } from '../../src/temporal/workflow-ids';
import { jobWorkflow } from '../../src/workflows/pipeline/job';
import {
  ActivityFailure,
  ApplicationFailure,
  WorkflowFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { expectReplayable, testEnv, uniqueSuffix } from '../support/harness';
import { createKernelRepo, headOf, type KernelRepo } from '../support/pipeline-repo';
import {
  basicConfig,
  startPipelineStack,
  treeNodes,
  waitFor,
  type PipelineStack,
} from '../support/pipeline-stack';

/** Checkout workflows run by this file; their histories (and their jobs') are replayed at the end. */
const recordedTrees: { stack: PipelineStack; handle: WorkflowHandle }[] = [];

describe('pipeline failure paths', () => {
  let stack: PipelineStack;
  const repos: Record<string, KernelRepo> = {};
  const suffix = uniqueSuffix();
  const failing = `failing-${suffix}`;
  const hanging = `hanging-${suffix}`;

  beforeAll(async () => {
    repos[failing] = await createKernelRepo(path.join(testEnv().tmpDir, `repo-${failing}`), 'fail');
    repos[hanging] = await createKernelRepo(path.join(testEnv().tmpDir, `repo-${hanging}`), 'hang');
    stack = await startPipelineStack((ctx) =>
      basicConfig(
        ctx,
        { [failing]: repos[failing].url, [hanging]: repos[hanging].url },
        { holdoff: '2s', job_timeout: '6s', heartbeat_timeout: '3s' },
      ),
    );
    await stack.startLabInProcess();
  });

  async function runTree(tree: string) {
    const commit = await headOf(repos[tree]);
    const triggered = await triggerNow(stack.client, { tree, taskQueue: stack.taskQueue });
    expect(triggered.started).toEqual([checkoutWorkflowId(tree, 'master', commit)]);
    const handle = stack.client.workflow.getHandle(triggered.started[0]);
    recordedTrees.push({ stack, handle });
    const result = await handle.result();
    return { result, nodes: await treeNodes(stack.reader, result.nodeId) };
  }

  it('a failing build ends kbuild done/fail with its log, schedules no tests, and the tree still closes', async () => {
    const { result, nodes } = await runTree(failing);
    expect(result).toMatchObject({ result: 'pass', timedOut: false, jobs: 1 });
    const kbuild = nodes.find((n) => n.kind === 'kbuild')!;
    expect(kbuild).toMatchObject({ state: 'done', result: 'fail' });
    expect(kbuild.data.error_msg).toBe('command exited with status 2');
    expect(await (await fetch(kbuild.artifacts.build_log)).text()).toContain("error: expected ';'");
    expect(nodes.filter((n) => n.kind === 'job' || n.kind === 'test')).toEqual([]);
    expect(nodes.find((n) => n.kind === 'checkout')).toMatchObject({ state: 'done' });
  });

  it('a job hanging past its timeout becomes done/incomplete/node_timeout within seconds of the deadline', async () => {
    const { result, nodes } = await runTree(hanging);
    expect(result.timedOut).toBe(false);
    const kbuild = nodes.find((n) => n.kind === 'kbuild')!;
    expect(kbuild).toMatchObject({ state: 'done', result: 'incomplete' });
    expect(kbuild.data.error_code).toBe('node_timeout');
    const lagMs = Date.parse(kbuild.updated) - Date.parse(kbuild.timeout);
    console.log(`[measure] job timeout fired ${lagMs} ms after the node's deadline`);
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThan(10_000);
    expect(nodes.filter((n) => n.state !== 'done')).toEqual([]);
  });

  it('a broken git URL ends the checkout done/fail with git_checkout_failure', async () => {
    const rev = {
      tree: `broken-${suffix}`,
      branch: 'master',
      url: `file://${testEnv().tmpDir}/no-such-repo`,
      commit: '0123456789abcdef0123456789abcdef01234567',
    };
    const { workflowId, started } = await startRevision(stack.client, rev, stack.taskQueue);
    expect(started).toBe(true);
    const handle = stack.client.workflow.getHandle(workflowId);
    recordedTrees.push({ stack, handle });
    const result = await handle.result();
    expect(result).toMatchObject({ result: 'fail', jobs: 0 });
    const checkout = await stack.reader.getNode(result.nodeId);
    expect(checkout).toMatchObject({ kind: 'checkout', state: 'done', result: 'fail' });
    expect(checkout.data.error_code).toBe('git_checkout_failure');
    expect(await stack.reader.countNodes({ parent: result.nodeId })).toBe(0);
    // Starting the same revision again is refused: it was processed once.
    expect((await startRevision(stack.client, rev, stack.taskQueue)).started).toBe(false);
  });

  it('a step the database refuses (a job under a node that does not exist) fails at its first attempt', async () => {
    const parentId = randomBytes(12).toString('hex');
    const handle = await stack.client.workflow.start(jobWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `job:${parentId}:missing-parent`,
      args: [
        {
          parentId,
          job: {
            name: 'selftest',
            kind: 'test',
            runtime: stack.runtime,
            runtimeType: 'shell',
            platform: 'qemu-x86',
            command: 'true',
            params: {},
            artifacts: {},
            timeoutMs: 60_000,
          },
          revision: { tree: failing, branch: 'master', commit: '0'.repeat(40) },
          tarballUrl: `${stack.storage.url}/none.tar.gz`,
          inputArtifacts: {},
          inherited: {},
          runtime: { heartbeatTimeoutMs: 3000, infraAttempts: 1, storage: { baseUrl: stack.storage.url } },
        },
      ],
    });
    const err = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    // The step's retry policy allows 20 attempts; a not-found answer must not use them.
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activity = (err as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    expect(activity?.cause).toBeInstanceOf(ApplicationFailure);
    expect(activity?.cause).toMatchObject({ type: 'DomainError.not_found', nonRetryable: true });
    expect((activity?.cause as ApplicationFailure).message).toBe(`parent: node ${parentId} not found`);
    const { events } = await handle.fetchHistory();
    const attempts = (events ?? []).flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
    );
    expect(attempts).toEqual([1]);
  });
});

describe('tree timeout', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  const tree = `stuck-${uniqueSuffix()}`;

  beforeAll(async () => {
    repo = await createKernelRepo(path.join(testEnv().tmpDir, `repo-${tree}`), 'test-hang');
    stack = await startPipelineStack((ctx) =>
      basicConfig(ctx, { [tree]: repo.url }, { holdoff: '1s', checkout_timeout: '15s', job_timeout: '5m' }),
    );
    // The hung test command writes its pid here (the shell runtime passes this process's environment).
    process.env.KCI_TEST_MARKER = path.join(stack.dir, 'tests.log');
    await stack.startLabInProcess();
  });

  it('at the checkout timeout every unfinished node becomes done/incomplete/node_timeout; a pass is kept', async () => {
    const triggered = await triggerNow(stack.client, { tree, taskQueue: stack.taskQueue });
    const handle = stack.client.workflow.getHandle(triggered.started[0]);
    recordedTrees.push({ stack, handle });
    const result = await handle.result();
    expect(result).toMatchObject({ timedOut: true, result: 'incomplete' });
    const nodes = await treeNodes(stack.reader, result.nodeId);
    const checkout = nodes.find((n) => n.kind === 'checkout')!;
    const kbuild = nodes.find((n) => n.kind === 'kbuild')!;
    const job = nodes.find((n) => n.kind === 'job')!;
    expect(nodes.filter((n) => n.state !== 'done')).toEqual([]);
    expect(kbuild).toMatchObject({ result: 'pass' });
    expect(kbuild.data.error_code).toBeUndefined();
    expect(job).toMatchObject({ result: 'incomplete' });
    expect(job.data.error_code).toBe('node_timeout');
    expect(checkout).toMatchObject({ result: 'incomplete' });
    expect(checkout.data.error_code).toBe('node_timeout');
    const lagMs = Date.parse(checkout.updated) - Date.parse(checkout.timeout);
    console.log(`[measure] checkout timeout fired ${lagMs} ms after the tree's deadline`);
    expect(lagMs).toBeGreaterThanOrEqual(0);
    // The job was cancelled, not abandoned: the lab killed the hung command.
    const pid = Number((await fs.readFile(process.env.KCI_TEST_MARKER!, 'utf8')).match(/test (\d+)/)![1]);
    await waitFor(
      'the hung test command to be killed',
      async () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      20_000,
    );
  });
});

describe('determinism of the failure paths', () => {
  it('the recorded failure, timeout and cancellation histories replay', async () => {
    expect(recordedTrees.length).toBe(4);
    const handles: WorkflowHandle[] = [];
    for (const { stack, handle } of recordedTrees) {
      handles.push(handle);
      const { nodeId } = (await handle.result()) as { nodeId: string };
      for await (const w of stack.client.workflow.list({
        query: `WorkflowType = 'jobWorkflow' AND WorkflowId STARTS_WITH 'job:${nodeId}:'`,
      })) {
        handles.push(stack.client.workflow.getHandle(w.workflowId));
      }
    }
    expect(handles.length).toBeGreaterThan(4);
    await expectReplayable(handles);
  });
});
