// The whole system as processes (see test/chaos/stack.ts) for the pipeline benchmarks, plus node queries.
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { MongoClient, type Collection, type ObjectId } from 'mongodb';
import { resolveTool } from '../../src/stack/tools';
import { connectClient } from '../../src/temporal/connection';
import { ProcessStack, type StackOptions } from '../../test/chaos/stack';
import { COMPILED_SRC } from './processes';

export interface StoredNode {
  _id: ObjectId;
  kind: string;
  name: string;
  parent: ObjectId | null;
  state: string;
  result: string | null;
  created: Date;
  updated: Date;
  timeout: Date;
  holdoff: Date | null;
  data: { kernel_revision?: { commit?: string }; error_code?: string };
}

export interface BenchPipeline {
  stack: ProcessStack;
  client: Client;
  nodes: Collection<StoredNode>;
  stop(): Promise<void>;
}

export async function startBenchPipeline(
  label: string,
  pipelineConfig: StackOptions['pipelineConfig'],
): Promise<BenchPipeline> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `maestro-bench-${label}-`));
  const logStream = createWriteStream(path.join(dir, 'processes.log'));
  const [temporalBin, ferretBin] = await Promise.all([resolveTool('temporal'), resolveTool('ferretdb')]);
  const stack = new ProcessStack({
    dir,
    entryDir: COMPILED_SRC,
    temporalBin,
    database: 'mongodb',
    ferretBin,
    apiReplicas: 1,
    dbName: `bench_${label}`,
    log: (line) => logStream.write(line + '\n'),
    pipelineConfig,
  });
  let mongo: MongoClient | undefined;
  let client: Client | undefined;
  const stop = async () => {
    await client?.connection.close().catch(() => undefined);
    await mongo?.close();
    await stack.stop();
    logStream.end();
    if (!process.env.MAESTRO_KEEP_BENCH_DIR) await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await stack.start();
    mongo = await MongoClient.connect(stack.mongoUri);
    client = await connectClient(stack.temporalAddress, 'default');
  } catch (err) {
    await stop();
    throw err;
  }
  return { stack, client, nodes: mongo.db(stack.dbName).collection<StoredNode>('nodes'), stop };
}

export async function until<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every node under a root (the root excluded). */
export async function descendantsOf(nodes: Collection<StoredNode>, rootId: ObjectId): Promise<StoredNode[]> {
  const out: StoredNode[] = [];
  let frontier = [rootId];
  while (frontier.length) {
    const children = await nodes.find({ parent: { $in: frontier } }).toArray();
    out.push(...children);
    frontier = children.map((c) => c._id);
  }
  return out;
}
