// The whole system as processes (see test/chaos/stack.ts) on the embedded PostgreSQL for the pipeline
// benchmarks, plus the node reads they need, in SQL.
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { createPool } from '../../src/db/postgres/pool';
import { resolveTool } from '../../src/stack/tools';
import { connectClient } from '../../src/temporal/connection';
import { ProcessStack, type StackOptions } from '../../test/chaos/stack';
import { COMPILED_SRC } from './processes';

export interface StoredNode {
  id: string;
  kind: string;
  name: string;
  parent: string | null;
  state: string;
  result: string | null;
  created: Date;
  updated: Date;
  timeout: Date;
  holdoff: Date | null;
  data: { kernel_revision?: { commit?: string }; error_code?: string };
}

const COLUMNS = 'id, kind, name, parent, state, result, created, updated, timeout, holdoff, data';

export interface BenchPipeline {
  stack: ProcessStack;
  client: Client;
  checkoutOf(commit: string): Promise<StoredNode | null>;
  node(id: string): Promise<StoredNode | null>;
  /** Every node under a root (the root excluded). */
  descendantsOf(rootId: string): Promise<StoredNode[]>;
  stop(): Promise<void>;
}

export async function startBenchPipeline(
  label: string,
  pipelineConfig: StackOptions['pipelineConfig'],
): Promise<BenchPipeline> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `maestro-bench-${label}-`));
  const logStream = createWriteStream(path.join(dir, 'processes.log'));
  const stack = new ProcessStack({
    dir,
    entryDir: COMPILED_SRC,
    temporalBin: await resolveTool('temporal'),
    apiReplicas: 1,
    dbName: `bench_${label}`,
    log: (line) => logStream.write(line + '\n'),
    pipelineConfig,
  });
  let pool: pg.Pool | undefined;
  let client: Client | undefined;
  const stop = async () => {
    await client?.connection.close().catch(() => undefined);
    await pool?.end();
    await stack.stop();
    logStream.end();
    if (!process.env.MAESTRO_KEEP_BENCH_DIR) await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await stack.start();
    pool = createPool(stack.databaseUrl, { max: 2 });
    client = await connectClient(stack.temporalAddress, 'default');
  } catch (err) {
    await stop();
    throw err;
  }
  const db = pool;
  const one = async (where: string, params: unknown[]) =>
    ((await db.query<StoredNode>(`SELECT ${COLUMNS} FROM nodes WHERE ${where} LIMIT 1`, params)).rows[0] ??
      null) as StoredNode | null;
  return {
    stack,
    client,
    checkoutOf: (commit) => one("kind = 'checkout' AND data #>> '{kernel_revision,commit}' = $1", [commit]),
    node: (id) => one('id = $1', [id]),
    async descendantsOf(rootId) {
      const { rows } = await db.query<StoredNode>(
        `WITH RECURSIVE tree AS (
           SELECT ${COLUMNS} FROM nodes WHERE parent = $1
           UNION ALL SELECT ${COLUMNS.replace(/(\w+)/g, 'n.$1')} FROM nodes n JOIN tree t ON n.parent = t.id)
         SELECT * FROM tree`,
        [rootId],
      );
      return rows;
    },
    stop,
  };
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
