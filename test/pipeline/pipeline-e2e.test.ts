// Acceptance of the pipeline on the real stack: trigger → checkout → tarball → kbuild → tests →
// holdoff → done, with events published, idempotent triggers and a second revision.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/db/nodes/types';
import { resolveTool } from '../../src/stack/tools';
import { ensureTriggerSchedule } from '../../src/workflows/pipeline/client';
import { triggerNow } from '../../src/workflows/pipeline/client';
import { checkoutWorkflowId } from '../../src/temporal/workflow-ids';
import { expectReplayable, testEnv } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import {
  basicConfig,
  startPipelineStack,
  treeNodes,
  waitFor,
  type PipelineStack,
} from '../support/pipeline-stack';

const run = promisify(execFile);

describe('pipeline end to end (real API, Temporal, FerretDB, git, storage, shell lab worker)', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  let tree: string;
  let first: string;
  const recorded: WorkflowHandle[] = [];

  beforeAll(async () => {
    tree = `t${Date.now().toString(36)}`;
    const repoDir = path.join(testEnv().tmpDir, `repo-${tree}`);
    repo = await createKernelRepo(repoDir);
    stack = await startPipelineStack((ctx) => basicConfig(ctx, { [tree]: `file://${repoDir}` }));
    await stack.startLabInProcess();
  });

  async function runRevision(commit: string, racingTriggers = 1) {
    const committedAt = Date.now();
    const runs = await Promise.all(
      Array.from({ length: racingTriggers }, () =>
        triggerNow(stack.client, { tree, taskQueue: stack.taskQueue }),
      ),
    );
    const id = checkoutWorkflowId(tree, 'master', commit);
    // However many triggers race, exactly one starts the revision.
    expect(runs.flatMap((r) => r.started)).toEqual([id]);
    expect(runs.flatMap((r) => r.existing)).toEqual(Array(racingTriggers - 1).fill(id));
    const checkout = await waitFor(
      'checkout node',
      async () =>
        (await stack.reader.findNodes({ kind: 'checkout', 'data.kernel_revision.commit': commit })).items[0],
      15_000,
      25,
    );
    const checkoutLatencyMs = Date.now() - committedAt;
    const handle = stack.client.workflow.getHandle(id);
    const result = await handle.result();
    recorded.push(handle);
    return { checkout, result, checkoutLatencyMs };
  }

  it('a new commit becomes a checkout with a tarball, a passing kbuild with artifacts, tests with child nodes, and a done tree', async () => {
    first = (await repo.commit('mm: fix a leak')) as string;
    const { checkout, result, checkoutLatencyMs } = await runRevision(first);
    console.log(`[measure] trigger → checkout node visible over the API: ${checkoutLatencyMs} ms`);
    expect(result).toMatchObject({ nodeId: checkout.id, result: 'pass', timedOut: false, jobs: 1 });

    const nodes = await treeNodes(stack.reader, checkout.id);
    const byKind = (k: string) => nodes.filter((n) => n.kind === k);
    const root = nodes.find((n) => n.id === checkout.id)!;
    expect(root).toMatchObject({ state: 'done', result: 'pass', name: 'checkout' });
    expect(root.data.kernel_revision).toMatchObject({
      tree,
      branch: 'master',
      commit: first,
      describe: expect.stringMatching(/^v6\.9-rc1-1-g/),
      version: { version: 6, patchlevel: 9 },
    });
    const tarball = await fetch(root.artifacts.tarball);
    expect(tarball.status).toBe(200);
    expect(Buffer.from(await tarball.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    const [kbuild] = byKind('kbuild');
    expect(byKind('kbuild')).toHaveLength(1);
    expect(kbuild).toMatchObject({ name: 'kbuild-x86', parent: checkout.id, state: 'done', result: 'pass' });
    expect(kbuild.data).toMatchObject({
      arch: 'x86_64',
      defconfig: 'defconfig',
      runtime: stack.runtime,
      platform: 'none',
    });
    expect(kbuild.holdoff).not.toBeNull();
    expect(Object.keys(kbuild.artifacts).sort()).toEqual(['build_log', 'config', 'kernel_image']);
    for (const url of Object.values(kbuild.artifacts)) expect((await fetch(url)).status).toBe(200);
    expect(await (await fetch(kbuild.artifacts.kernel_image)).text()).toContain('bzImage ARCH=x86_64');
    expect(kbuild.artifacts.kernel_image).toContain(`/kbuild-x86-${kbuild.id}/`);

    const [job] = byKind('job');
    expect(byKind('job')).toHaveLength(1);
    expect(job).toMatchObject({ name: 'selftest', parent: kbuild.id, state: 'done', result: 'pass' });
    expect(job.data).toMatchObject({ platform: 'qemu-x86', arch: 'x86_64', defconfig: 'defconfig' });
    const tests = byKind('test');
    expect(tests.map((t) => `${t.path.slice(3).join('.')}=${t.result}`).sort()).toEqual([
      'boot=pass',
      'smoke.hello=pass',
      'smoke.optional=skip',
      'smoke=pass',
    ]);
    for (const t of tests) expect(t.state).toBe('done');
    expect(nodes.filter((n) => n.state !== 'done')).toEqual([]);

    // Holdoff: the kbuild closed only after it (its tests were faster than the 3 s holdoff), and the
    // checkout only after the kbuild.
    const holdoffLagMs = Date.parse(kbuild.updated) - Date.parse(kbuild.holdoff!);
    console.log(`[measure] kbuild holdoff timer → node done: ${holdoffLagMs} ms after the deadline`);
    expect(holdoffLagMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(root.updated)).toBeGreaterThanOrEqual(Date.parse(root.holdoff!));
    expect(Date.parse(root.updated)).toBeGreaterThanOrEqual(Date.parse(kbuild.updated));

    // Every node's creation and its final update were published as events.
    for (const n of nodes) {
      const res = await fetch(`${stack.api.url}/latest/events?node_id=${n.id}&limit=100`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as unknown;
      const events = (Array.isArray(body) ? body : (body as { items: unknown[] }).items) as {
        data: { op: string; state: string };
      }[];
      expect(
        events.some((e) => e.data.op === 'created'),
        `created event of ${n.kind} ${n.name}`,
      ).toBe(true);
      expect(
        events.some((e) => e.data.state === 'done'),
        `done event of ${n.kind} ${n.name}`,
      ).toBe(true);
    }
  });

  it('re-running the trigger for the same head creates nothing new', async () => {
    const before = await stack.reader.countNodes({});
    const again = await triggerNow(stack.client, { tree, taskQueue: stack.taskQueue });
    expect(again).toEqual({ started: [], existing: [checkoutWorkflowId(tree, 'master', first)], errors: [] });
    expect(await stack.reader.countNodes({})).toBe(before);
  });

  it('a second commit gives a second revision, once, though three triggers race for it', async () => {
    const second = await repo.commit('sched: fix a race');
    const { checkout, result } = await runRevision(second, 3);
    expect(result.result).toBe('pass');
    expect(checkout.id).not.toBe(
      (await stack.reader.findNodes({ kind: 'checkout', 'data.kernel_revision.commit': first })).items[0].id,
    );
    expect(await stack.reader.countNodes({ kind: 'checkout', 'data.kernel_revision.tree': tree })).toBe(2);
  });

  it('the trigger schedule is created once, updated in place, and a scheduled run starts nothing already processed', async () => {
    const scheduleId = `trigger-${tree}`;
    const opts = { scheduleId, intervalMs: 3_600_000, taskQueue: stack.taskQueue };
    expect(await ensureTriggerSchedule(stack.client, opts)).toBe('created');
    expect(await ensureTriggerSchedule(stack.client, { ...opts, intervalMs: 1_800_000 })).toBe('updated');
    const handle = stack.client.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.intervals?.[0].every).toBe(1_800_000);
      await handle.trigger();
      const run = await waitFor(
        'the scheduled trigger run',
        async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId,
        15_000,
      );
      const result = await stack.client.workflow.getHandle(run).result();
      expect(result.started).toEqual([]);
      expect(result.existing).toHaveLength(1);
    } finally {
      await handle.delete();
    }
  });

  it('the workflows carry search attributes: temporal workflow list --query finds them', async () => {
    const temporal = await resolveTool('temporal');
    const { stdout } = await run(temporal, [
      'workflow',
      'list',
      '--address',
      testEnv().temporalAddress,
      '--query',
      `KernelTree='${tree}'`,
      '-o',
      'json',
    ]);
    const listed = (
      JSON.parse(stdout || '[]') as { execution: { workflowId: string }; type: { name: string } }[]
    ).map((w) => w.execution.workflowId);
    expect(listed.filter((id) => id.startsWith('checkout:'))).toHaveLength(2);
    expect(listed.filter((id) => id.startsWith('job:')).length).toBe(4);
    const { stdout: byJob } = await run(temporal, [
      'workflow',
      'list',
      '--address',
      testEnv().temporalAddress,
      '--query',
      `KernelTree='${tree}' AND JobName='selftest' AND Platform='qemu-x86' AND Runtime='${stack.runtime}'`,
      '-o',
      'json',
    ]);
    expect(JSON.parse(byJob || '[]')).toHaveLength(2);
  });

  it('the recorded checkout and job histories replay deterministically', async () => {
    const jobs = await stack.client.workflow.list({
      query: `KernelTree='${tree}' AND NodeKind IN ('kbuild', 'job')`,
    });
    for await (const w of jobs) recorded.push(stack.client.workflow.getHandle(w.workflowId));
    expect(recorded.length).toBe(6);
    await expectReplayable(recorded);
  });
});

export type { Node };
