import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ManagedProcess } from './managed-process';
import { assertPortFree, waitForPort } from './ports';
import { startTemporalDevServer } from './temporal-dev-server';
import { resolveTool } from './tools';
import type { Settings } from '../settings';
import { connectClient } from '../temporal/connection';
import { PIPELINE_TASK_QUEUE } from '../temporal/task-queues';
import { healthCheckWorkflow } from '../workflows/health';
import { mintLabToken } from './lab-token';
import { ensureLocalTree } from './local-tree';
import { ensureDatabase, startPostgres } from './postgres';

export interface StackUrls {
  api: string;
  docs: string;
  temporalUi: string | null;
  temporalAddress: string;
  /** Where the data lives (PostgreSQL or MongoDB connection string, without credentials). */
  database: string;
}

interface Stoppable {
  name: string;
  stop(): Promise<void>;
  exited?: Promise<number | null>;
}

const DIST = path.resolve(__dirname, '..');

/**
 * The whole system on one machine: PostgreSQL and the Temporal dev server (unless DATABASE_URL /
 * MONGODB_URI / TEMPORAL_ADDRESS point elsewhere), the API and the pipeline worker, each a child process.
 */
export class EmbeddedStack {
  private readonly parts: Stoppable[] = [];
  private stopping = false;

  constructor(private readonly settings: Settings) {}

  async start(): Promise<StackUrls> {
    const s = this.settings;
    const dataDir = path.resolve(s.dataDir);
    await this.checkPorts();

    // The embedded PostgreSQL unless an external database is configured; data kept in the data dir.
    let databaseUrl = s.databaseUrl;
    if (!databaseUrl && !s.mongodbUri) {
      const pg = await startPostgres({ port: s.postgresPort, dataDir: path.join(dataDir, 'postgres') });
      this.parts.push({ name: 'postgres', stop: pg.stop, exited: pg.process.exited });
      await ensureDatabase(pg.url, s.dbName);
      databaseUrl = pg.urlFor(s.dbName);
    }

    let temporalAddress = s.temporalAddress;
    let temporalUi: string | null = s.temporalAddress ? s.temporalUiUrl : null;
    if (!temporalAddress) {
      const bin = await resolveTool('temporal');
      const temporal = await startTemporalDevServer({
        bin,
        port: s.temporalPort,
        uiPort: s.temporalUiPort,
        dbFile: path.join(dataDir, 'temporal.db'),
        namespace: s.temporalNamespace,
        fastSync: s.sqliteFastSync,
      });
      this.parts.push({ name: 'temporal', stop: temporal.stop, exited: temporal.process.exited });
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl;
    }

    const env: NodeJS.ProcessEnv = { TEMPORAL_ADDRESS: temporalAddress, MAESTRO_DATA_DIR: dataDir };
    if (s.mongodbUri) env.MONGODB_URI = s.mongodbUri;
    else env.DATABASE_URL = databaseUrl;
    // Pipeline: local test tree, storage service, configuration (README "Pipeline").
    await ensureLocalTree(dataDir);
    const config = s.pipelineConfig
      .split(/[,:]/)
      .filter(Boolean)
      .map((p) => path.resolve(p))
      .join(',');
    this.spawn('storage', path.join(DIST, 'storage', 'main.js'), env);
    this.spawn('api', path.join(DIST, 'api', 'main.js'), env);
    this.spawn('pipeline-worker', path.join(DIST, 'workers', 'pipeline.js'), {
      ...env,
      MAESTRO_CONFIG: config,
    });

    const apiBase = `http://${s.apiHost === '0.0.0.0' ? '127.0.0.1' : s.apiHost}:${s.apiPort}`;
    await waitForPort(s.apiPort, '127.0.0.1', 60_000);
    const res = await fetch(`${apiBase}/latest/`);
    if (!res.ok) throw new Error(`API answered ${res.status} on /latest/`);
    await this.checkPipelineWorker(temporalAddress);
    await waitForPort(s.storagePort, '127.0.0.1', 30_000);
    // A shell lab worker, writing over HTTP as its own lab user.
    const labToken = await mintLabToken({ ...s, databaseUrl }, 'shell');
    const labEnv = { ...env, MAESTRO_API_URL: `${apiBase}/latest`, MAESTRO_API_TOKEN: labToken };
    this.spawn('lab-worker', path.join(DIST, 'workers', 'lab-main.js'), labEnv, ['--runtime', 'shell']);

    return {
      api: `${apiBase}/latest/`,
      docs: `${apiBase}/latest/docs`,
      temporalUi,
      temporalAddress,
      database: (s.mongodbUri ?? databaseUrl ?? '').replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@'),
    };
  }

  /** Resolves with a message when any part exits on its own (the stack is then broken). */
  async firstUnexpectedExit(): Promise<string> {
    return Promise.race(
      this.parts
        .filter((p) => p.exited)
        .map((p) => p.exited!.then((code) => `${p.name} exited with code ${code}`)),
    );
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const part of [...this.parts].reverse()) {
      await part.stop().catch(() => undefined);
    }
  }

  private spawn(name: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): void {
    const proc = new ManagedProcess({ name, command: process.execPath, args: [script, ...args], env });
    this.parts.push({ name, stop: () => proc.stop(), exited: proc.exited });
  }

  private async checkPorts(): Promise<void> {
    const s = this.settings;
    if (!s.mongodbUri && !s.databaseUrl)
      await assertPortFree(s.postgresPort, 'PostgreSQL, set MAESTRO_POSTGRES_PORT or DATABASE_URL');
    if (!s.temporalAddress) {
      await assertPortFree(s.temporalPort, 'Temporal, set MAESTRO_TEMPORAL_PORT or TEMPORAL_ADDRESS');
      await assertPortFree(s.temporalUiPort, 'Temporal Web UI, set MAESTRO_TEMPORAL_UI_PORT');
    }
    await assertPortFree(s.apiPort, 'API, set MAESTRO_API_PORT');
    await assertPortFree(s.storagePort, 'storage service, set MAESTRO_STORAGE_PORT');
  }

  /** A workflow round trip proves the worker polls and reaches the database. */
  private async checkPipelineWorker(address: string): Promise<void> {
    const client = await connectClient(address, this.settings.temporalNamespace);
    try {
      await client.workflow.execute(healthCheckWorkflow, {
        taskQueue: PIPELINE_TASK_QUEUE,
        workflowId: `health:${randomUUID()}`,
        args: [{ probeId: randomUUID() }],
        workflowExecutionTimeout: '2 minutes',
      });
    } finally {
      await client.connection.close();
    }
  }
}
