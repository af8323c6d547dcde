// Private Temporal dev server (file-backed, WAL) and embedded PostgreSQL for one benchmark run, on free
// ports, with the database created and the schema migrated so raw SQL can run before the API starts.
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { migrate } from '../../src/db/postgres/migrations';
import { createPool } from '../../src/db/postgres/pool';
import { freePort } from '../../src/stack/ports';
import { ensureDatabase, startPostgres, type RunningPostgres } from '../../src/stack/postgres';
import { startTemporalDevServer, type RunningTemporal } from '../../src/stack/temporal-dev-server';
import { resolveTool } from '../../src/stack/tools';

export interface BenchServers {
  dir: string;
  databaseUrl: string;
  dbName: string;
  temporalAddress: string;
  log: (line: string) => void;
  /** A pool on the benchmark's database (the raw-SQL side of every ratio); `tcp`: not the Unix socket. */
  pool(max: number, opts?: { tcp?: boolean }): pg.Pool;
  stop(): Promise<void>;
}

export async function startBenchServers(label: string): Promise<BenchServers> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `maestro-bench-${label}-`));
  const logStream = createWriteStream(path.join(dir, 'processes.log'));
  const log = (line: string) => logStream.write(line + '\n');
  const temporalBin = await resolveTool('temporal');
  const dbName = `bench_${label}`;
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;
  const pools: pg.Pool[] = [];
  const stop = async () => {
    await Promise.allSettled(pools.map((p) => p.end()));
    await Promise.allSettled([temporal?.stop(), postgres?.stop()]);
    logStream.end();
    if (!process.env.MAESTRO_KEEP_BENCH_DIR) await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    [postgres, temporal] = await Promise.all([
      startPostgres({ port: await freePort(), dataDir: path.join(dir, 'postgres'), log }),
      startTemporalDevServer({
        bin: temporalBin,
        port: await freePort(),
        uiPort: null,
        dbFile: path.join(dir, 'temporal.db'),
        fastSync: true,
        log,
      }),
    ]);
    await ensureDatabase(postgres.url, dbName);
  } catch (err) {
    await stop();
    throw err;
  }
  const databaseUrl = postgres.urlFor(dbName);
  const pool = (max: number, opts: { tcp?: boolean } = {}) => {
    const p = createPool(opts.tcp ? databaseUrl.replace(/\?host=.*$/, '') : databaseUrl, { max });
    pools.push(p);
    return p;
  };
  const setup = pool(1);
  await migrate(setup);
  return { dir, databaseUrl, dbName, temporalAddress: temporal.address, log, pool, stop };
}
