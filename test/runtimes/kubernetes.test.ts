// The kubernetes runtime through the real @kubernetes/client-node against a loopback server that plays
// answers recorded from real API servers (test/runtimes/fixtures/kubernetes-recorded.ts): no cluster runs
// here. Storage is the real HTTP storage service; what the pod would have uploaded is put there first.
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesRuntimeFields } from '../../src/config/types';
import { KubernetesRuntime, k8sJobName, podScript } from '../../src/runtimes/kubernetes/index';
import type { RunJobInput } from '../../src/runtimes/runtime';
import { HttpStorageBackend } from '../../src/storage/http-backend';
import { startStorageServer, type RunningStorageServer } from '../../src/storage/server';
import {
  alreadyExists,
  DELETE_STATUS,
  FAILED_BACKOFF_STATUS,
  FAILED_DEADLINE_STATUS,
  JOB_COMPLETE_STATUS,
  JOB_RUNNING,
  POD_LOG,
  POD_SUCCEEDED,
} from './fixtures/kubernetes-recorded';

interface Scenario {
  /** Job statuses the watch delivers, in order, after the recorded running one. */
  statuses: object[];
  exists?: boolean;
  /** The first watch ends (as at the server's watch timeout) after the running event. */
  closeFirstWatch?: boolean;
}

interface Seen {
  method: string;
  url: string;
  body?: unknown;
}

/** Plays the recorded answers; the watch stays open as a real one does until the client closes it. */
class RecordedApiServer {
  server = http.createServer((req, res) => void this.handle(req, res));
  seen: Seen[] = [];
  scenario: Scenario = { statuses: [] };
  watches = 0;
  url = '';

  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private job(name: string, status: object) {
    return { ...JOB_RUNNING, metadata: { ...JOB_RUNNING.metadata, name, namespace: 'kci' }, status };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url!, 'http://x');
    this.seen.push({ method: req.method!, url: req.url!, ...(raw ? { body: JSON.parse(raw) } : {}) });
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/apis/batch/v1/namespaces/kci/jobs') {
      const name = (JSON.parse(raw) as { metadata: { name: string } }).metadata.name;
      return this.scenario.exists ? json(409, alreadyExists(name)) : json(201, this.job(name, {}));
    }
    if (req.method === 'GET' && url.pathname === '/apis/batch/v1/namespaces/kci/jobs') {
      const name = url.searchParams.get('fieldSelector')!.replace('metadata.name=', '');
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const closing = this.scenario.closeFirstWatch && this.watches++ === 0;
      if (closing) setTimeout(() => res.end(), 50);
      const events = [JOB_RUNNING.status, ...(closing ? [] : this.scenario.statuses)];
      events.forEach((status, i) =>
        setTimeout(() => {
          if (!res.writableEnded)
            res.write(
              JSON.stringify({ type: i ? 'MODIFIED' : 'ADDED', object: this.job(name, status) }) + '\n',
            );
        }, i * 30),
      );
      req.once('close', () => res.end());
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/namespaces/kci/pods')
      return json(200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '376400' },
        items: [POD_SUCCEEDED],
      });
    if (
      req.method === 'GET' &&
      url.pathname === `/api/v1/namespaces/kci/pods/${POD_SUCCEEDED.metadata.name}/log`
    ) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(POD_LOG);
    }
    if (req.method === 'DELETE' && url.pathname.startsWith('/apis/batch/v1/namespaces/kci/jobs/'))
      return json(200, DELETE_STATUS);
    json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  }
}

const FIELDS: KubernetesRuntimeFields = {
  image: 'kernelci/gcc-12:x86-kselftest-kernelci',
  namespace: 'kci',
  service_account: 'kci-job',
  cpu: '2',
  memory: '4Gi',
  node_selector: { 'kernelci.org/pool': 'builders' },
  storage_token_secret: { name: 'kci-storage', key: 'token' },
};

describe('kubernetes runtime (recorded API-server answers)', () => {
  const api = new RecordedApiServer();
  let storage: RunningStorageServer;
  let dir: string;
  let kubeConfig: import('@kubernetes/client-node').KubeConfig;
  let n = 0;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kci-k8s-'));
    storage = await startStorageServer({ dir: path.join(dir, 'storage'), token: 'st', port: 0 });
    await api.start();
    const k8s = await import('@kubernetes/client-node');
    kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'recorded', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'lab', token: 'lab-token' }],
      contexts: [{ name: 'recorded', cluster: 'recorded', user: 'lab' }],
      currentContext: 'recorded',
    });
  });
  afterAll(async () => {
    await storage.close();
    await new Promise((r) => api.server.close(r));
  });

  function input(kind: 'kbuild' | 'test' = 'kbuild'): RunJobInput {
    const nodeId = `65a1b2c3d4e5f6a7b8c9d0${String(++n).padStart(2, '0')}`;
    return {
      nodeId,
      job: {
        name: 'kbuild-gcc-12-x86',
        kind,
        runtime: 'k8s',
        runtimeType: 'kubernetes',
        platform: 'none',
        command: 'make defconfig && make',
        params: { arch: 'x86_64', defconfig: 'defconfig' },
        artifacts: { kernel_image: 'arch/x86/boot/bzImage' },
        timeoutMs: 3_600_000,
      },
      tarballUrl: `${storage.url}/linux.tar.gz`,
      inputArtifacts: {},
      storagePrefix: `kbuild-gcc-12-x86-${nodeId}`,
      storage: { baseUrl: storage.url },
      testData: {},
    };
  }

  async function run(inp: RunJobInput, scenario: Scenario, signal = new AbortController().signal) {
    api.scenario = scenario;
    api.seen = [];
    api.watches = 0;
    const work = await fs.mkdtemp(path.join(dir, 'work-'));
    const backend = new HttpStorageBackend({ baseUrl: storage.url, token: 'st' });
    const runtime = new KubernetesRuntime(FIELDS, { kubeConfig });
    return runtime.run(inp, { storage: backend, workDir: work, heartbeat: () => {}, signal });
  }

  /** What the pod's script would have uploaded before exiting. */
  async function podUploads(inp: RunJobInput, files: Record<string, string>) {
    const backend = new HttpStorageBackend({ baseUrl: storage.url, token: 'st' });
    for (const [name, text] of Object.entries(files)) {
      const f = path.join(dir, `${inp.nodeId}-${name}`);
      await fs.writeFile(f, text);
      await backend.upload(`${inp.storagePrefix}/${name}`, f);
    }
  }

  it('creates one batch/v1 Job with the configured namespace, account, resources and selectors', async () => {
    const inp = input();
    await podUploads(inp, { bzImage: 'kernel' });
    await run(inp, { statuses: [JOB_COMPLETE_STATUS] });
    const create = api.seen.find((s) => s.method === 'POST')!;
    expect(create.url).toBe('/apis/batch/v1/namespaces/kci/jobs');
    const job = create.body as ReturnType<
      typeof import('../../src/runtimes/kubernetes/manifest').jobManifest
    >;
    expect(job.metadata).toMatchObject({ name: k8sJobName(inp), namespace: 'kci' });
    expect(job.metadata.name).toMatch(/^[a-z0-9-]{1,63}$/);
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 3600 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      serviceAccountName: 'kci-job',
      nodeSelector: { 'kernelci.org/pool': 'builders' },
    });
    const [container] = pod.containers;
    expect(container.image).toBe('kernelci/gcc-12:x86-kselftest-kernelci');
    expect(container.resources).toEqual({
      requests: { cpu: '2', memory: '4Gi' },
      limits: { cpu: '2', memory: '4Gi' },
    });
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'ARCH', value: 'x86_64' },
        { name: 'KCI_NODE_ID', value: inp.nodeId },
        { name: 'KCI_STORAGE_TOKEN', valueFrom: { secretKeyRef: { name: 'kci-storage', key: 'token' } } },
      ]),
    );
    expect(container.command[2]).toBe(podScript(inp));
    const watch = api.seen.find((s) => s.method === 'GET' && s.url.includes('watch=true'))!;
    expect(watch.url).toContain(`fieldSelector=metadata.name%3D${job.metadata.name}`);
  });

  it('a Complete Job: pod log uploaded, artifacts and test summary from storage, Job deleted', async () => {
    const inp = input('test');
    await podUploads(inp, {
      bzImage: 'kernel',
      'results.json': JSON.stringify({ tests: [{ name: 'boot', result: 'pass' }] }),
    });
    const outcome = await run(inp, { statuses: [JOB_COMPLETE_STATUS] });
    expect(outcome).toMatchObject({ status: 'pass', tests: [{ name: 'boot', result: 'pass' }] });
    expect(await (await fetch(outcome.artifacts.log)).text()).toBe(POD_LOG);
    expect(outcome.artifacts.kernel_image).toBe(
      `${storage.url.replace(/\/$/, '')}/${inp.storagePrefix}/bzImage`,
    );
    const del = api.seen.find((s) => s.method === 'DELETE')!;
    // Background propagation: the Job's pod goes with it.
    expect(del.url).toBe(
      `/apis/batch/v1/namespaces/kci/jobs/${k8sJobName(inp)}?propagationPolicy=Background`,
    );
  });

  it('a kbuild whose pod uploaded no image fails with kbuild_internal_error', async () => {
    const outcome = await run(input(), { statuses: [JOB_COMPLETE_STATUS] });
    expect(outcome).toMatchObject({ status: 'fail', errorCode: 'kbuild_internal_error' });
  });

  it('Failed (BackoffLimitExceeded) → fail; Failed (DeadlineExceeded) → incomplete, node_timeout', async () => {
    const failed = await run(input(), { statuses: [FAILED_BACKOFF_STATUS] });
    expect(failed.status).toBe('fail');
    expect(failed.errorMsg).toContain('BackoffLimitExceeded: Job has reached the specified backoff limit');
    const late = await run(input(), { statuses: [FAILED_DEADLINE_STATUS] });
    expect(late).toMatchObject({ status: 'incomplete', errorCode: 'node_timeout' });
    expect(late.errorMsg).toContain('Job was active longer than specified deadline');
    expect(api.seen.filter((s) => s.method === 'DELETE')).toHaveLength(1);
  });

  it('a watch the server closes is opened again until the Job finishes', async () => {
    const inp = input();
    await podUploads(inp, { bzImage: 'kernel' });
    const outcome = await run(inp, { statuses: [JOB_COMPLETE_STATUS], closeFirstWatch: true });
    expect(outcome.status).toBe('pass');
    expect(api.seen.filter((s) => s.url.includes('watch=true'))).toHaveLength(2);
  });

  it('a retried attempt follows the Job that already exists (409) instead of creating another', async () => {
    const inp = input();
    await podUploads(inp, { bzImage: 'kernel' });
    const outcome = await run(inp, { statuses: [JOB_COMPLETE_STATUS], exists: true });
    expect(outcome.status).toBe('pass');
    expect(api.seen.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('cancellation deletes the running Job at once', async () => {
    const ctl = new AbortController();
    const inp = input();
    const running = run(inp, { statuses: [] }, ctl.signal);
    await new Promise((r) => setTimeout(r, 300));
    ctl.abort(new Error('cancelled by the pipeline'));
    await expect(running).rejects.toThrow('cancelled by the pipeline');
    expect(api.seen.map((s) => s.method)).toEqual(['POST', 'GET', 'DELETE']);
  });
});
