import fs from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { ManagedProcess } from './managed-process';
import { waitForPort } from './ports';

export interface FerretDbOptions {
  bin: string;
  port: number;
  /** Directory holding one SQLite file per database. */
  dataDir: string;
  log?: ((line: string) => void) | null;
}

export interface RunningFerretDb {
  uri: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startFerretDb(opts: FerretDbOptions): Promise<RunningFerretDb> {
  const host = '127.0.0.1';
  await fs.mkdir(opts.dataDir, { recursive: true });
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${opts.dataDir.replace(/\/?$/, '/')}`,
    `--state-dir=${opts.dataDir}`,
    `--listen-addr=${host}:${opts.port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=error',
  ];
  const proc = new ManagedProcess({ name: 'ferretdb', command: opts.bin, args, log: opts.log });
  const uri = `mongodb://${host}:${opts.port}/`;
  try {
    await waitForPort(opts.port, host, 30_000, () => proc.isAlive);
    const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
    await client.db('admin').command({ ping: 1 });
    await client.close();
  } catch (err) {
    await proc.stop(2000);
    throw new Error(`FerretDB did not start on ${host}:${opts.port}: ${(err as Error).message}`);
  }
  return { uri, process: proc, stop: () => proc.stop() };
}
