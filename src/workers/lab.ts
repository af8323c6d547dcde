// A lab worker (`kci worker --runtime NAME`): polls only `runtime/<NAME>` and needs nothing but Temporal,
// storage upload credentials and its own API token. It never touches the database.
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLabActivities } from '../activities/lab/run-job';
import { ApiClient } from '../client/api-client';
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
        await connection.close();
      }
    },
    shutdown: () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

/** What `kci worker --runtime NAME` calls: create the worker and run it until a signal stops it. */
export async function runLabWorker(opts: LabWorkerOptions): Promise<void> {
  const lab = await createLabWorker(opts);
  console.log(`lab worker polling task queue "${lab.taskQueue}"`);
  await lab.run();
}
