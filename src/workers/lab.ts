// A lab worker (`kci worker --runtime NAME`): polls only `runtime/<NAME>` and needs nothing but Temporal,
// storage upload credentials and its own API token. It never touches the database.
import fs from 'node:fs';
import path from 'node:path';
import { AsyncCompletionClient, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLabActivities } from '../activities/lab/run-job';
import { ApiClient } from '../client/api-client';
import { loadConfig } from '../config/load';
import type { PlatformConfig } from '../config/types';
import { LavaLab, lavaRuntimeSettings, useLavaLab } from '../runtimes/lava';
import { componentLogger, logger } from '../logger';
import type { Settings } from '../settings';
import { runtimeTaskQueue } from '../temporal/task-queues';

export interface LabWorkerOptions {
  temporalAddress: string;
  namespace?: string;
  /** Runtime name from the pipeline configuration (`runtimes.<name>`). */
  runtime: string;
  /** e.g. http://api.example:8000/latest */
  apiUrl: string;
  apiToken: string;
  storageToken: string;
  storagePublicUrl?: string;
  storageUploadUrl?: string;
  workDir?: string;
  /** docker runtime: engine address (unix:///…sock, tcp://host:port); unset = DOCKER_HOST or the default socket. */
  dockerHost?: string;
  /** kubernetes runtime: kubeconfig file; unset = KUBECONFIG, ~/.kube/config or in-cluster credentials. */
  kubeconfig?: string;
  /** Jobs run at once on this host. */
  maxConcurrentJobs?: number;
  /** How long a graceful shutdown waits for running jobs before they are abandoned (and retried elsewhere). */
  shutdownGraceMs?: number;
  /** Set for a runtime of type `lava`: starts the callback receiver (see src/runtimes/lava/lab.ts). */
  lava?: LavaWorkerOptions;
}

export interface LavaWorkerOptions {
  /** `runtimes.<name>` fields from the pipeline configuration. */
  params: Record<string, unknown>;
  platforms: Record<string, PlatformConfig>;
  token: string;
  stateDir: string;
  listenHost: string;
  listenPort: number;
  callbackUrl?: string;
  watchIntervalMs?: number;
}

export interface LabWorker {
  worker: Worker;
  taskQueue: string;
  /** Runs until shutdown() or SIGINT/SIGTERM. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createLabWorker(opts: LabWorkerOptions): Promise<LabWorker> {
  const connection = await NativeConnection.connect({ address: opts.temporalAddress });
  const api = new ApiClient({ baseUrl: opts.apiUrl, token: opts.apiToken });
  const taskQueue = runtimeTaskQueue(opts.runtime);
  const lava = opts.lava ? await startLavaLab(opts, api) : undefined;
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace ?? 'default',
    taskQueue,
    activities: createLabActivities({
      api,
      storageToken: opts.storageToken,
      storagePublicUrl: opts.storagePublicUrl,
      storageUploadUrl: opts.storageUploadUrl,
      workDir: opts.workDir,
      dockerHost: opts.dockerHost,
      kubeconfig: opts.kubeconfig,
    }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentJobs ?? 4,
    shutdownGraceTime: opts.shutdownGraceMs ?? 10_000,
  });
  return {
    worker,
    taskQueue,
    run: async () => {
      try {
        await worker.run();
      } finally {
        await lava?.stop();
        await connection.close();
      }
    },
    shutdown: () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

const logPolling = (taskQueue: string) =>
  componentLogger('lab-worker').info({ taskQueue }, `lab worker polling task queue "${taskQueue}"`);

/**
 * What `kci worker --runtime NAME` and the lab worker process call: create the worker, announce it
 * (the process logs a line; the CLI prints its own), and run it until a signal stops it.
 */
export async function runLabWorker(
  opts: LabWorkerOptions,
  announce: (taskQueue: string) => void = logPolling,
): Promise<void> {
  const lab = await createLabWorker(opts);
  announce(lab.taskQueue);
  await lab.run();
}

async function startLavaLab(opts: LabWorkerOptions, api: ApiClient): Promise<{ stop(): Promise<void> }> {
  const l = opts.lava!;
  const connection = await Connection.connect({ address: opts.temporalAddress });
  const lab = new LavaLab({
    runtime: opts.runtime,
    settings: lavaRuntimeSettings(opts.runtime, l.params),
    platforms: l.platforms,
    lavaToken: l.token,
    api,
    completion: new AsyncCompletionClient({ connection, namespace: opts.namespace ?? 'default' }),
    stateDir: path.resolve(l.stateDir),
    storageToken: opts.storageToken,
    storagePublicUrl: opts.storagePublicUrl,
    storageUploadUrl: opts.storageUploadUrl,
    listenHost: l.listenHost,
    listenPort: l.listenPort,
    callbackUrl: l.callbackUrl,
    watchIntervalMs: l.watchIntervalMs,
  });
  await lab.start();
  useLavaLab(lab);
  return {
    stop: async () => {
      useLavaLab(undefined);
      await lab.stop();
      await connection.close();
    },
  };
}

/** A runtime of type `lava` in the pipeline configuration (MAESTRO_CONFIG) makes this a LAVA lab worker. */
export function lavaWorkerOptions(settings: Settings, runtime: string): LavaWorkerOptions | undefined {
  const paths = settings.pipelineConfig.split(/[,:]/).filter(Boolean);
  if (!paths.some((p) => fs.existsSync(p))) return undefined;
  let config;
  try {
    ({ config } = loadConfig(settings.pipelineConfig));
  } catch (err) {
    // A shell lab does not need the pipeline configuration; a LAVA lab's jobs say what is missing.
    logger.warn({ err, runtime }, 'pipeline configuration not loaded: this lab worker runs no LAVA runtime');
    return undefined;
  }
  const entry = config.runtimes[runtime];
  if (entry?.type !== 'lava') return undefined;
  // Required only for a LAVA runtime (so not among the lab worker's always-required settings).
  const token = settings.lavaToken;
  if (!token) throw new Error(`runtime "${runtime}" is a LAVA runtime: set MAESTRO_LAVA_TOKEN`);
  return {
    params: entry.params,
    platforms: config.platforms,
    token,
    stateDir: settings.lavaStateDir ?? path.join(settings.dataDir, 'lava', runtime),
    listenHost: settings.lavaCallbackHost,
    listenPort: settings.lavaCallbackPort,
    callbackUrl: settings.lavaCallbackUrl,
  };
}
