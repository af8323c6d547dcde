import { randomBytes } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, expect, inject } from 'vitest';
import { mongoStorage } from '../../src/db/mongodb';
import { postgresStorage } from '../../src/db/postgres';
import type { Storage } from '../../src/db/storage';
import { dropDatabase, ensureDatabase } from '../../src/stack/postgres';
import { createPipelineWorker } from '../../src/workers/pipeline-worker';
import './context';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by another helper in this process
  }
}

export function testEnv() {
  return {
    temporalAddress: inject('temporalAddress'),
    postgresUrl: inject('postgresUrl'),
    mongoUri: inject('mongoUri'),
    workflowBundlePath: inject('workflowBundlePath'),
    tmpDir: inject('tmpDir'),
  };
}

/** A short random suffix for names that must not collide between test files. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

function fileLabel(): string {
  const testPath = expect.getState().testPath ?? 'test';
  const base = testPath
    .split('/')
    .pop()!
    .replace(/\.test\.ts$/, '');
  return base
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase()
    .slice(0, 24);
}

export interface TestDatabase {
  /** The storage (PostgreSQL unless `backend` says otherwise), prepared (migrations / indexes). */
  db: Storage;
  name: string;
  /** Connection settings for processes that open the same database (CLI, workers). */
  env: Record<string, string>;
  /** The MongoDB database itself (MongoDB backend only), for tests of that backend's internals. */
  mongoDb?: Db;
}

/** The connection string of database `name` on the run's PostgreSQL. */
export function postgresUrlFor(name: string): string {
  const url = new URL(testEnv().postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The environment a process (kci, a worker) needs to open the same database as `db`. */
export function storageEnv(db: Storage): Record<string, string> {
  return db.kind === 'postgres'
    ? { DATABASE_URL: postgresUrlFor(db.databaseName), MAESTRO_DB_NAME: db.databaseName }
    : { MONGODB_URI: testEnv().mongoUri, MAESTRO_DB_NAME: db.databaseName };
}

/**
 * A database of its own for the calling test file, dropped when the file finishes: PostgreSQL (the
 * default backend) or, for the MongoDB backend's tests, a FerretDB database.
 */
export async function openTestDatabase(
  label = fileLabel(),
  backend: 'postgres' | 'mongodb' = 'postgres',
): Promise<TestDatabase> {
  const name = `t_${label}_${uniqueSuffix()}`;
  if (backend === 'mongodb') {
    const client = await MongoClient.connect(testEnv().mongoUri);
    const db = client.db(name);
    const storage = mongoStorage(db, `${testEnv().mongoUri}${name}`);
    await storage.prepare();
    afterAll(async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    });
    return {
      db: storage,
      name,
      env: { MONGODB_URI: testEnv().mongoUri, MAESTRO_DB_NAME: name },
      mongoDb: db,
    };
  }
  await ensureDatabase(testEnv().postgresUrl, name);
  const url = postgresUrlFor(name);
  const storage = postgresStorage(url, { max: 10 });
  await storage.prepare();
  afterAll(async () => {
    await storage.close();
    await dropDatabase(testEnv().postgresUrl, name).catch(() => undefined);
  });
  return { db: storage, name, env: { DATABASE_URL: url, MAESTRO_DB_NAME: name } };
}

export async function openTemporalClient(): Promise<Client> {
  const connection = await Connection.connect({ address: testEnv().temporalAddress });
  afterAll(() => connection.close());
  return new Client({ connection });
}

export function uniqueTaskQueue(prefix = fileLabel()): string {
  return `${prefix}-${uniqueSuffix()}`;
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

/** Runs the worker in the background until stop(); stop() is also registered for afterAll. */
export async function runWorker(worker: Worker, connection: NativeConnection): Promise<RunningWorker> {
  const running = worker.run();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
  };
  afterAll(stop);
  return { worker, taskQueue: worker.options.taskQueue, stop };
}

/** The pipeline worker on a private task queue, using the run's shared workflow bundle. */
export async function startPipelineWorker(
  db: Storage,
  taskQueue = uniqueTaskQueue(),
): Promise<RunningWorker> {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: testEnv().temporalAddress });
  const worker = await createPipelineWorker({
    connection,
    namespace: 'default',
    storage: db,
    taskQueue,
    workflowBundle: { codePath: testEnv().workflowBundlePath },
  });
  return runWorker(worker, connection);
}

/** Replays recorded histories against the current workflow code; throws on any non-determinism. */
export async function expectReplayable(handles: WorkflowHandle[]): Promise<void> {
  quietRuntime();
  const histories = await Promise.all(
    handles.map(async (h) => ({ workflowId: h.workflowId, history: await h.fetchHistory() })),
  );
  const results = Worker.runReplayHistories(
    { workflowBundle: { codePath: testEnv().workflowBundlePath } },
    histories,
  );
  let count = 0;
  for await (const result of results) {
    count++;
    expect(result.error, `replay of ${result.workflowId}`).toBeUndefined();
  }
  expect(count).toBe(handles.length);
}
