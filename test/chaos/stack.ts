// The whole system as separate OS processes — PostgreSQL (or FerretDB for the MongoDB backend), a
// file-backed Temporal dev server, API replicas, the storage service, the pipeline worker and a shell lab
// worker — each of which can be killed with SIGKILL and restarted on the same port and data. Used by the
// resilience suite and the pipeline benchmarks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startFerretDb, type RunningFerretDb } from '../../src/stack/ferretdb';
import { ManagedProcess } from '../../src/stack/managed-process';
import { freePort, waitForPort } from '../../src/stack/ports';
import { ensureDatabase, startPostgres, type RunningPostgres } from '../../src/stack/postgres';
import { startTemporalDevServer, type RunningTemporal } from '../../src/stack/temporal-dev-server';

export const ADMIN = { username: 'admin', password: 'chaos-admin-password-0123' };
export const SECRET_KEY = 'chaos-secret-key-0123456789abcdef0123456789abcdef';
export const STORAGE_TOKEN = 'chaos-storage-token-0123456789';

export interface StackOptions {
  /** Working directory: databases, git tree, storage, logs. */
  dir: string;
  /** Directory holding the compiled entry points (`api/main.js`, `workers/…`). */
  entryDir: string;
  temporalBin: string;
  /** The database backend (default PostgreSQL); FerretDB needs `ferretBin`. */
  database?: 'postgres' | 'mongodb';
  ferretBin?: string;
  apiReplicas?: number;
  dbName?: string;
  /** Pipeline configuration (YAML) given the stack's addresses. */
  pipelineConfig: (stack: { storageUrl: string; apiUrl: string; treeUrl: string }) => string;
  /** Extra environment for every Maestro process. */
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export type PartName =
  'temporal' | 'postgres' | 'pipeline-worker' | 'lab-worker' | 'storage' | `api-${number}`;

export class ProcessStack {
  ferret?: RunningFerretDb;
  postgres?: RunningPostgres;
  temporal?: RunningTemporal;
  readonly procs = new Map<string, ManagedProcess>();
  ports = { ferret: 0, postgres: 0, temporal: 0, storage: 0, apis: [] as number[] };
  mongoUri = '';
  databaseUrl = '';
  labToken = '';
  readonly treeDir: string;
  private commits = 0;

  constructor(readonly opts: StackOptions) {
    this.treeDir = path.join(opts.dir, 'tree');
  }

  get dbName(): string {
    return this.opts.dbName ?? 'maestro_chaos';
  }
  get temporalAddress(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }
  apiUrl(i = 0): string {
    return `http://127.0.0.1:${this.ports.apis[i]}/latest`;
  }
  get storageUrl(): string {
    return `http://127.0.0.1:${this.ports.storage}/`;
  }
  get configFile(): string {
    return path.join(this.opts.dir, 'pipeline.yaml');
  }

  async start(): Promise<void> {
    await this.startServices();
    await this.startWorkers();
  }

  /** Everything but the workers: nothing writes a node yet (the pipeline starts with its worker). */
  async startServices(): Promise<void> {
    const replicas = this.opts.apiReplicas ?? 2;
    this.ports = {
      ferret: await freePort(),
      postgres: await freePort(),
      temporal: await freePort(),
      storage: await freePort(),
      apis: await Promise.all(Array.from({ length: replicas }, () => freePort())),
    };
    await this.createTree();
    await fs.writeFile(
      this.configFile,
      this.opts.pipelineConfig({
        storageUrl: this.storageUrl,
        apiUrl: this.apiUrl(replicas - 1),
        treeUrl: `file://${this.treeDir}`,
      }),
    );
    if (this.opts.database === 'mongodb') {
      this.ferret = await startFerretDb({
        bin: this.opts.ferretBin!,
        port: this.ports.ferret,
        dataDir: path.join(this.opts.dir, 'ferretdb'),
        log: this.opts.log,
      });
      this.mongoUri = this.ferret.uri;
    } else {
      await this.startPostgres();
      await ensureDatabase(this.postgres!.url, this.dbName);
      this.databaseUrl = this.postgres!.urlFor(this.dbName);
    }
    await this.startTemporal();
    await this.startStorage();
    for (let i = 0; i < replicas; i++) await this.startApi(i);
    this.labToken = await this.createLabToken();
  }

  /** The pipeline worker (its trigger loop picks up the tree's head at once) and the lab worker. */
  async startWorkers(): Promise<void> {
    await this.startPipelineWorker();
    await this.startLabWorker();
  }

  /** The Temporal dev server on its fixed port and persisted SQLite file (WAL). */
  async startTemporal(): Promise<void> {
    this.temporal = await startTemporalDevServer({
      bin: this.opts.temporalBin,
      port: this.ports.temporal,
      uiPort: null,
      dbFile: path.join(this.opts.dir, 'temporal.db'),
      fastSync: true,
      log: this.opts.log,
    });
    this.procs.set('temporal', this.temporal.process);
  }

  /** PostgreSQL on its fixed port and data directory (a restart after SIGKILL runs crash recovery). */
  async startPostgres(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        this.postgres = await startPostgres({
          port: this.ports.postgres,
          dataDir: path.join(this.opts.dir, 'postgres'),
          log: this.opts.log,
        });
        break;
      } catch (err) {
        // Backends of a killed server may hold its shared memory for a moment after it died.
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.procs.set('postgres', this.postgres.process);
  }

  private baseEnv(): NodeJS.ProcessEnv {
    return {
      MAESTRO_DATA_DIR: this.opts.dir,
      ...(this.mongoUri ? { MONGODB_URI: this.mongoUri } : { DATABASE_URL: this.databaseUrl }),
      MAESTRO_DB_NAME: this.dbName,
      TEMPORAL_ADDRESS: this.temporalAddress,
      MAESTRO_LOG_LEVEL: 'warn',
      MAESTRO_SECRET_KEY: SECRET_KEY,
      MAESTRO_STORAGE_TOKEN: STORAGE_TOKEN,
      MAESTRO_STORAGE_PORT: String(this.ports.storage),
      MAESTRO_CONFIG: this.configFile,
      ...this.opts.env,
    };
  }

  private readonly lineWaiters: { prefix: string; pattern: RegExp; resolve: () => void }[] = [];

  /** Log sink that also wakes whoever waits for a line (a worker's "polling task queue"). */
  private logLine = (line: string): void => {
    this.opts.log(line);
    for (const w of [...this.lineWaiters]) {
      if (line.startsWith(w.prefix) && w.pattern.test(line)) {
        this.lineWaiters.splice(this.lineWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  private async waitForLine(
    name: string,
    pattern: RegExp,
    proc: ManagedProcess,
    timeoutMs = 180_000,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<void>((resolve) =>
      this.lineWaiters.push({ prefix: `[${name}]`, pattern, resolve }),
    );
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} not ready within ${timeoutMs} ms`)), timeoutMs);
      void proc.exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    });
    try {
      await Promise.race([seen, failed]);
    } finally {
      clearTimeout(timer);
    }
  }

  private spawn(name: string, entry: string, env: NodeJS.ProcessEnv, args: string[] = []): ManagedProcess {
    const proc = new ManagedProcess({
      name,
      command: process.execPath,
      args: [path.join(this.opts.entryDir, entry), ...args],
      env: { ...this.baseEnv(), ...env },
      log: this.logLine,
    });
    this.procs.set(name, proc);
    return proc;
  }

  async startApi(i: number): Promise<void> {
    const port = this.ports.apis[i];
    const proc = this.spawn(`api-${i}`, 'api/main.js', {
      MAESTRO_API_PORT: String(port),
      MAESTRO_API_HOST: '127.0.0.1',
      MAESTRO_ADMIN_USERNAME: ADMIN.username,
      MAESTRO_ADMIN_PASSWORD: ADMIN.password,
    });
    await waitForPort(port, '127.0.0.1', 60_000, () => proc.isAlive);
  }

  async startStorage(): Promise<void> {
    const proc = this.spawn('storage', 'storage/main.js', {});
    await waitForPort(this.ports.storage, '127.0.0.1', 30_000, () => proc.isAlive);
  }

  /** Resolves once the worker polls its task queue (it bundles the workflows first). */
  async startPipelineWorker(): Promise<void> {
    // Its readiness line is an info-level log record.
    const proc = this.spawn('pipeline-worker', 'workers/pipeline.js', { MAESTRO_LOG_LEVEL: 'info' });
    await this.waitForLine('pipeline-worker', /polling task queue/, proc);
  }

  async startLabWorker(): Promise<void> {
    await fs.mkdir(path.join(this.opts.dir, 'lab-work'), { recursive: true });
    const replicas = this.ports.apis.length;
    const proc = this.spawn(
      'lab-worker',
      'workers/lab-main.js',
      {
        MAESTRO_API_URL: this.apiUrl(replicas - 1),
        MAESTRO_API_TOKEN: this.labToken,
        MAESTRO_STORAGE_UPLOAD_URL: this.storageUrl,
        MAESTRO_STORAGE_URL: this.storageUrl,
        MAESTRO_LAB_WORK_DIR: path.join(this.opts.dir, 'lab-work'),
        // Its readiness line is an info-level log record too.
        MAESTRO_LOG_LEVEL: 'info',
      },
      ['--runtime', 'shell'],
    );
    await this.waitForLine('lab-worker', /polling task queue/, proc);
  }

  /** SIGKILL, no goodbye. */
  async kill(name: PartName): Promise<void> {
    const proc = this.procs.get(name);
    if (!proc) throw new Error(`no process ${name}`);
    await proc.kill();
  }

  async restart(name: PartName): Promise<void> {
    if (name === 'temporal') return this.startTemporal();
    if (name === 'postgres') return this.startPostgres();
    if (name === 'storage') return this.startStorage();
    if (name === 'pipeline-worker') return this.startPipelineWorker();
    if (name === 'lab-worker') return this.startLabWorker();
    const m = /^api-(\d+)$/.exec(name);
    if (m) return this.startApi(Number(m[1]));
    throw new Error(`cannot restart ${name}`);
  }

  /** Parts that died without being killed by us. */
  deadParts(): string[] {
    return [...this.procs.entries()].filter(([, p]) => !p.isAlive).map(([n]) => n);
  }

  async stop(): Promise<void> {
    const order = ['lab-worker', 'pipeline-worker', ...this.ports.apis.map((_, i) => `api-${i}`), 'storage'];
    await Promise.allSettled(order.map((n) => this.procs.get(n)?.stop(5000)));
    await Promise.allSettled([this.temporal?.stop(), this.ferret?.stop(), this.postgres?.stop()]);
  }

  // ---- the test tree -----------------------------------------------------------------------------------

  private git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.treeDir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'chaos',
        GIT_AUTHOR_EMAIL: 'chaos@example.org',
        GIT_COMMITTER_NAME: 'chaos',
        GIT_COMMITTER_EMAIL: 'chaos@example.org',
      },
    }).trim();
  }

  private async createTree(): Promise<void> {
    await fs.mkdir(this.treeDir, { recursive: true });
    this.git('init', '-q', '-b', 'master');
    await fs.writeFile(path.join(this.treeDir, 'Makefile'), 'all:\n\techo built\n');
    await fs.writeFile(path.join(this.treeDir, 'VERSION'), '0\n');
    this.git('add', '-A');
    this.git('commit', '-q', '-m', 'initial');
  }

  /** A new revision at the head of master; returns its commit id. */
  async commit(): Promise<string> {
    this.commits++;
    await fs.writeFile(path.join(this.treeDir, 'VERSION'), `${this.commits}\n`);
    this.git('commit', '-q', '-am', `revision ${this.commits}`);
    return this.git('rev-parse', 'HEAD');
  }

  // ---- users -------------------------------------------------------------------------------------------

  /** Admin token (admin scope when asked). */
  async adminToken(scope?: 'admin'): Promise<string> {
    const form = new URLSearchParams({ username: ADMIN.username, password: ADMIN.password });
    if (scope) form.set('scope', scope);
    const res = await fetch(`${this.apiUrl(0)}/user/login`, { method: 'POST', body: form });
    if (!res.ok) throw new Error(`admin login: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** The lab's own user (group runtime:shell:node-editor), invited and accepted over HTTP. */
  private async createLabToken(): Promise<string> {
    const admin = await this.adminToken('admin');
    const json = (_body: unknown) => ({
      'content-type': 'application/json',
      authorization: `Bearer ${admin}`,
    });
    for (const name of ['runtime:shell:node-editor']) {
      await fetch(`${this.apiUrl(0)}/user-groups`, {
        method: 'POST',
        headers: json(null),
        body: JSON.stringify({ name }),
      });
    }
    const invite = await fetch(`${this.apiUrl(0)}/user/invite`, {
      method: 'POST',
      headers: json(null),
      body: JSON.stringify({
        username: 'lab-shell',
        email: 'lab-shell@example.org',
        groups: ['runtime:shell:node-editor'],
        is_superuser: false,
        send_email: false,
        return_token: true,
      }),
    });
    if (!invite.ok) throw new Error(`invite lab user: ${invite.status} ${await invite.text()}`);
    const inviteBody = (await invite.json()) as { token?: string; invite_token?: string };
    const token = inviteBody.token ?? inviteBody.invite_token;
    const password = 'lab-shell-password-0123';
    const accepted = await fetch(`${this.apiUrl(0)}/user/accept-invite`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password }),
    });
    if (!accepted.ok) throw new Error(`accept invite: ${accepted.status} ${await accepted.text()}`);
    const login = await fetch(`${this.apiUrl(0)}/user/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'lab-shell', password }),
    });
    if (!login.ok) throw new Error(`lab login: ${login.status}`);
    return ((await login.json()) as { access_token: string }).access_token;
  }
}
