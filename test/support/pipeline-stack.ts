// The pipeline on the real stack for one test file: real API over HTTP, real Temporal, real FerretDB,
// the HTTP storage service, a pipeline worker on a private task queue and a shell lab worker (in this
// process, or as a separate process that a test may kill).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll } from 'vitest';
import { ApiClient } from '../../src/client/api-client';
import { loadConfig } from '../../src/config/load';
import type { PipelineConfig } from '../../src/config/types';
import type { Node } from '../../src/db/nodes/types';
import { ManagedProcess } from '../../src/stack/managed-process';
import { loadSettings } from '../../src/settings';
import { startStorageServer, type RunningStorageServer } from '../../src/storage/server';
import { createLabWorker } from '../../src/workers/lab';
import { createPipelineDeps } from '../../src/workers/pipeline-deps';
import { createPipelineWorker } from '../../src/workers/pipeline-worker';
import { createTestUser, startTestApi, type TestApi } from './api';
import {
  openTemporalClient,
  runWorker,
  testEnv,
  uniqueSuffix,
  uniqueTaskQueue,
  type RunningWorker,
} from './harness';

export interface PipelineStack {
  dir: string;
  api: TestApi;
  /** The API as the lab user sees it. */
  client: Client;
  storage: RunningStorageServer;
  storageToken: string;
  config: PipelineConfig;
  configFile: string;
  runtime: string;
  taskQueue: string;
  pipelineWorker: RunningWorker;
  labToken: string;
  /** Anonymous reader of the API. */
  reader: ApiClient;
  startLabInProcess(): Promise<{ stop(): Promise<void> }>;
  startLabProcess(env?: Record<string, string>): ManagedProcess;
}

/**
 * `configYaml(ctx)` returns the pipeline config text; ctx gives the runtime name, storage URL and API URL.
 * Short holdoff/timeouts belong in it.
 */
export async function startPipelineStack(
  configYaml: (ctx: { runtime: string; storageUrl: string; apiUrl: string }) => string,
): Promise<PipelineStack> {
  const dir = await fs.mkdtemp(path.join(testEnv().tmpDir, 'pipeline-'));
  const api = await startTestApi();
  const storageToken = `st-${uniqueSuffix()}`;
  const storage = await startStorageServer({ dir: path.join(dir, 'storage'), token: storageToken, port: 0 });
  afterAll(() => storage.close());
  const runtime = `shell-${uniqueSuffix()}`;
  const configFile = path.join(dir, 'pipeline.yaml');
  await fs.writeFile(
    configFile,
    configYaml({ runtime, storageUrl: storage.url, apiUrl: `${api.url}/latest` }),
  );
  const { config } = loadConfig(configFile);

  const pipeline = await createPipelineDeps({
    storage: api.db,
    settings: loadSettings({}),
    config,
    dataDir: dir,
    storageToken,
  });
  const connection = await NativeConnection.connect({ address: testEnv().temporalAddress });
  const worker = await createPipelineWorker({
    connection,
    namespace: 'default',
    storage: api.db,
    taskQueue: uniqueTaskQueue('pipeline'),
    workflowBundle: { codePath: testEnv().workflowBundlePath },
    pipeline: pipeline.deps,
  });
  const pipelineWorker = await runWorker(worker, connection);
  afterAll(() => pipeline.close());
  const client = await openTemporalClient();

  const lab = await createTestUser(api, {
    username: `lab-${runtime}`,
    groups: [`runtime:${runtime}:node-editor`],
  });
  const labOpts = {
    temporalAddress: testEnv().temporalAddress,
    runtime,
    apiUrl: `${api.url}/latest`,
    apiToken: lab.token,
    storageToken,
    workDir: dir,
  };
  return {
    dir,
    api,
    client,
    storage,
    storageToken,
    config,
    configFile,
    runtime,
    taskQueue: pipelineWorker.taskQueue,
    pipelineWorker,
    labToken: lab.token,
    reader: new ApiClient({ baseUrl: `${api.url}/latest` }),
    async startLabInProcess() {
      const w = await createLabWorker({ ...labOpts, maxConcurrentJobs: 20 });
      const running = w.run();
      const stop = async () => {
        w.shutdown();
        await running.catch(() => undefined);
      };
      afterAll(stop);
      return { stop };
    },
    startLabProcess(env = {}) {
      const proc = new ManagedProcess({
        name: 'lab',
        command: process.execPath,
        args: [path.resolve(__dirname, '../../dist/workers/lab-main.js'), '--runtime', runtime],
        env: {
          TEMPORAL_ADDRESS: testEnv().temporalAddress,
          MAESTRO_API_URL: labOpts.apiUrl,
          MAESTRO_API_TOKEN: lab.token,
          MAESTRO_STORAGE_TOKEN: storageToken,
          MAESTRO_LAB_WORK_DIR: dir,
          MAESTRO_DATA_DIR: dir,
          ...env,
        },
        log: process.env.MAESTRO_TEST_LAB_LOG ? undefined : null,
      });
      afterAll(() => proc.kill());
      return proc;
    },
  };
}

/** Polls until `fn` returns a truthy value (or throws after timeoutMs with the last value). */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Every node of a revision's tree, through the public API. */
export async function treeNodes(reader: ApiClient, checkoutId: string): Promise<Node[]> {
  const out: Node[] = [];
  for await (const n of reader.iterateNodes({ treeid: checkoutId })) out.push(n);
  return out;
}

/** A config with one tree, a kbuild on checkout and a test on the kbuild, on the given runtime. */
export function basicConfig(
  ctx: { runtime: string; storageUrl: string; apiUrl: string },
  trees: Record<string, string>,
  pipeline: Record<string, string | number> = {},
): string {
  const p = {
    trigger_interval: '1h',
    holdoff: '3s',
    checkout_timeout: '90s',
    job_timeout: '60s',
    heartbeat_timeout: '4s',
    infra_attempts: 3,
    ...pipeline,
  };
  return `pipeline:
${Object.entries(p)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
trees:
${Object.entries(trees)
  .map(([name, url]) => `  ${name}:\n    url: ${url}`)
  .join('\n')}
build_configs:
${Object.keys(trees)
  .map((name) => `  ${name}:\n    tree: ${name}\n    branch: master`)
  .join('\n')}
runtimes:
  ${ctx.runtime}:
    type: shell
platforms:
  qemu-x86:
    arch: x86_64
    boot_method: qemu
jobs:
  kbuild-x86:
    kind: kbuild
    command: make ARCH=x86_64 "$DEFCONFIG" && make ARCH=x86_64
    params: { arch: x86_64, defconfig: defconfig, compiler: cc, fragments: [] }
    artifacts: { kernel_image: arch/x86/boot/bzImage, config: .config }
  selftest:
    kind: test
    command: sh ./tools/testing/run-tests.sh
scheduler:
  - job: kbuild-x86
    event: { kind: checkout, state: available }
    runtime: ${ctx.runtime}
  - job: selftest
    event: { kind: kbuild, name: kbuild-x86, state: available }
    runtime: ${ctx.runtime}
    platforms: [qemu-x86]
storage:
  type: http
  base_url: ${ctx.storageUrl}
api:
  url: ${ctx.apiUrl}
`;
}
