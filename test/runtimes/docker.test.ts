// The docker runtime for real: podman serves the Docker Engine API (scripts/container-engine.sh), the lab
// worker runs a kbuild-shaped job and its test in a locally built image, on the embedded stack (real API,
// Temporal, database, storage). Then a hanging build is cancelled: its container must go away.
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../src/runtimes/docker';
import type { RunJobInput } from '../../src/runtimes/runtime';
import { HttpStorageBackend } from '../../src/storage/http-backend';
import { startStorageServer } from '../../src/storage/server';
import { jobWorkflowId } from '../../src/temporal/workflow-ids';
import { createLabWorker } from '../../src/workers/lab';
import { startRevision } from '../../src/workflows/pipeline/client';
import { testEnv } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import {
  basicConfig,
  startPipelineStack,
  treeNodes,
  waitFor,
  type PipelineStack,
} from '../support/pipeline-stack';
import { startContainerEngine, type ContainerEngine } from './engine';

let engine: ContainerEngine | undefined;
let skipReason = '';

beforeAll(async () => {
  const started = await startContainerEngine(testEnv().tmpDir);
  if ('unavailable' in started) {
    skipReason = started.unavailable;
    console.warn(`[docker runtime] skipped: this machine cannot run containers: ${skipReason}`);
  } else engine = started;
}, 600_000);
afterAll(async () => engine?.stop());

describe('docker runtime (podman, Docker API over a socket)', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  let tree: string;

  beforeAll(async () => {
    if (!engine) return;
    tree = `d${Date.now().toString(36)}`;
    const repoDir = path.join(testEnv().tmpDir, `repo-${tree}`);
    repo = await createKernelRepo(repoDir);
    stack = await startPipelineStack((c) =>
      basicConfig(
        c,
        { [tree]: `file://${repoDir}` },
        { job_timeout: '90s', checkout_timeout: '120s' },
      ).replace(
        '    type: shell',
        `    type: docker\n    image: ${engine!.image}\n    memory: 256m\n    cpus: 1\n    env: { KCI_LAB: podman }`,
      ),
    );
    const lab = await createLabWorker({
      temporalAddress: testEnv().temporalAddress,
      runtime: stack.runtime,
      apiUrl: `${stack.api.url}/latest`,
      apiToken: stack.labToken,
      storageToken: stack.storageToken,
      workDir: stack.dir,
      dockerHost: engine.dockerHost,
    });
    const running = lab.run();
    afterAll(async () => {
      lab.shutdown();
      await running.catch(() => undefined);
    });
  }, 120_000);

  const containersOf = async (nodeId: string) =>
    engine!.docker.listContainers({ all: true, filters: { label: [`org.kernelci.node=${nodeId}`] } });

  it('runs the kbuild and its test in containers: artifacts downloadable, test nodes, containers removed', async ({
    skip,
  }) => {
    if (!engine) return skip(skipReason);
    const commit = await repo.commit('x86: container build');
    const started = Date.now();
    const { workflowId } = await startRevision(
      stack.client,
      { tree, branch: 'master', url: `file://${repo.dir}`, commit },
      stack.taskQueue,
    );
    const result = await stack.client.workflow.getHandle(workflowId).result();
    console.log(`[measure] revision through two container jobs: ${Date.now() - started} ms`);
    expect(result).toMatchObject({ result: 'pass', timedOut: false, jobs: 1 });

    const nodes = await treeNodes(stack.reader, result.nodeId);
    const kbuild = nodes.find((n) => n.kind === 'kbuild')!;
    expect(kbuild).toMatchObject({ state: 'done', result: 'pass', name: 'kbuild-x86' });
    expect(Object.keys(kbuild.artifacts).sort()).toEqual(['build_log', 'config', 'kernel_image']);
    expect(await (await fetch(kbuild.artifacts.kernel_image)).text()).toContain('bzImage ARCH=x86_64');
    const buildLog = await (await fetch(kbuild.artifacts.build_log)).text();
    expect(buildLog).toContain('LD      arch/x86/boot/bzImage');

    const job = nodes.find((n) => n.kind === 'job' && n.name === 'selftest')!;
    expect(job).toMatchObject({ state: 'done', result: 'pass' });
    const tests = nodes.filter((n) => n.kind === 'test');
    expect(tests.map((t) => `${t.name}:${t.result}`).sort()).toEqual([
      'boot:pass',
      'hello:pass',
      'optional:skip',
      'smoke:pass',
    ]);
    for (const node of [kbuild, job]) expect(await containersOf(node.id)).toEqual([]);
  });

  it('cancelling a running container job stops and removes its container', async ({ skip }) => {
    if (!engine) return skip(skipReason);
    const commit = await repo.commit('x86: build hangs', 'hang');
    const { workflowId } = await startRevision(
      stack.client,
      { tree, branch: 'master', url: `file://${repo.dir}`, commit },
      stack.taskQueue,
    );
    const checkout = await waitFor(
      'checkout node',
      async () =>
        (await stack.reader.findNodes({ kind: 'checkout', 'data.kernel_revision.commit': commit })).items[0],
      20_000,
    );
    const kbuild = await waitFor(
      'kbuild node',
      async () => (await stack.reader.findNodes({ kind: 'kbuild', parent: checkout.id })).items[0],
      20_000,
    );
    const running = await waitFor(
      'running container',
      async () => (await containersOf(kbuild.id)).find((c) => c.State === 'running'),
      30_000,
    );
    expect(running.Labels['org.kernelci.job']).toBe('kbuild-x86');

    const cancelledAt = Date.now();
    await stack.client.workflow.getHandle(jobWorkflowId(checkout.id, 'kbuild-x86', 'none')).cancel();
    await waitFor('container removed', async () => (await containersOf(kbuild.id)).length === 0, 30_000);
    console.log(`[measure] job cancel → container gone: ${Date.now() - cancelledAt} ms`);
    // The tree still closes once its cancelled job has ended.
    const result = await stack.client.workflow.getHandle(workflowId).result();
    expect(result.nodeId).toBe(checkout.id);
  });
});

describe('docker runtime adapter (podman)', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(() => Promise.all(closers.map((c) => c())));

  async function runJob(command: string, opts: { image?: string; timeoutMs?: number } = {}) {
    const dir = await fs.mkdtemp(path.join(testEnv().tmpDir, 'docker-job-'));
    const storage = await startStorageServer({ dir: path.join(dir, 'storage'), token: 'st', port: 0 });
    closers.push(() => storage.close());
    await fs.mkdir(path.join(dir, 'tree', 'linux'), { recursive: true });
    await fs.writeFile(path.join(dir, 'tree', 'linux', 'Makefile'), 'all:\n\t@echo built\n');
    await tar.c({ gzip: true, file: path.join(dir, 'storage', 'src.tar.gz'), cwd: path.join(dir, 'tree') }, [
      'linux',
    ]);
    const nodeId = `65b${Date.now().toString(16).padStart(21, '0')}`;
    const input: RunJobInput = {
      nodeId,
      job: {
        name: 'kbuild-x86',
        kind: 'kbuild',
        runtime: 'podman',
        runtimeType: 'docker',
        platform: 'none',
        command,
        params: { arch: 'x86_64' },
        artifacts: {},
        timeoutMs: opts.timeoutMs ?? 60_000,
      },
      tarballUrl: `${storage.url}src.tar.gz`,
      inputArtifacts: {},
      storagePrefix: `kbuild-x86-${nodeId}`,
      storage: { baseUrl: storage.url },
      testData: {},
    };
    const work = path.join(dir, 'work');
    await fs.mkdir(work);
    const runtime = new DockerRuntime(
      { image: opts.image ?? engine!.image },
      { dockerHost: engine!.dockerHost },
    );
    const outcome = await runtime.run(input, {
      storage: new HttpStorageBackend({ baseUrl: storage.url, token: 'st' }),
      workDir: work,
      heartbeat: () => {},
      signal: new AbortController().signal,
    });
    return { outcome, nodeId };
  }

  it('the per-job timeout kills the container: incomplete, node_timeout, container removed', async ({
    skip,
  }) => {
    if (!engine) return skip(skipReason);
    const t0 = Date.now();
    const { outcome, nodeId } = await runJob('echo started; exec sleep 60', { timeoutMs: 1500 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(outcome).toMatchObject({ status: 'incomplete', errorCode: 'node_timeout' });
    expect(await (await fetch(outcome.artifacts.build_log)).text()).toContain('started');
    const left = await engine.docker.listContainers({
      all: true,
      filters: { label: [`org.kernelci.node=${nodeId}`] },
    });
    expect(left).toEqual([]);
  });

  it('an image that is not on the engine and cannot be pulled: incomplete, submit_error', async ({
    skip,
  }) => {
    if (!engine) return skip(skipReason);
    const { outcome } = await runJob('make', { image: 'localhost/kci-absent:1' });
    expect(outcome).toMatchObject({ status: 'incomplete', errorCode: 'submit_error' });
    expect(outcome.errorMsg).toMatch(
      /^image localhost\/kci-absent:1 is not on the engine and could not be pulled/,
    );
  });
});
