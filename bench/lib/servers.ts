// Private Temporal dev server (file-backed, WAL) and FerretDB for one benchmark run, on free ports.
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFerretDb, type RunningFerretDb } from '../../src/stack/ferretdb';
import { freePort } from '../../src/stack/ports';
import { startTemporalDevServer, type RunningTemporal } from '../../src/stack/temporal-dev-server';
import { resolveTool } from '../../src/stack/tools';

export interface BenchServers {
  dir: string;
  mongoUri: string;
  temporalAddress: string;
  log: (line: string) => void;
  stop(): Promise<void>;
}

export async function startBenchServers(label: string): Promise<BenchServers> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `maestro-bench-${label}-`));
  const logStream = createWriteStream(path.join(dir, 'processes.log'));
  const log = (line: string) => logStream.write(line + '\n');
  const [temporalBin, ferretBin] = await Promise.all([resolveTool('temporal'), resolveTool('ferretdb')]);
  let ferret: RunningFerretDb | undefined;
  let temporal: RunningTemporal | undefined;
  const stop = async () => {
    await Promise.allSettled([temporal?.stop(), ferret?.stop()]);
    logStream.end();
    if (!process.env.MAESTRO_KEEP_BENCH_DIR) await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    [ferret, temporal] = await Promise.all([
      startFerretDb({ bin: ferretBin, port: await freePort(), dataDir: path.join(dir, 'ferretdb'), log }),
      startTemporalDevServer({
        bin: temporalBin,
        port: await freePort(),
        uiPort: null,
        dbFile: path.join(dir, 'temporal.db'),
        fastSync: true,
        log,
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, mongoUri: ferret.uri, temporalAddress: temporal.address, log, stop };
}
