// Resilience: the whole system as processes runs a stream of revisions while the pipeline worker, the lab
// worker, an API replica, the Temporal dev server and PostgreSQL are each killed with SIGKILL and
// restarted. Afterwards
// every revision's tree is done, no node exists twice, none is left running past its timeout, and every
// durable subscriber received every node event exactly once, in order.
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ObjectId } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../src/stack/tools';
import { trivialPipelineConfig } from './pipeline-config';
import { ProcessStack, type PartName } from './stack';
import { DurableSubscriber } from './subscriber';

const ROOT = path.resolve(__dirname, '..', '..');
const KILLS: PartName[] = (
  process.env.CHAOS_KILLS ?? 'pipeline-worker,lab-worker,api-0,temporal,postgres'
).split(',') as PartName[];
const EXTRA_REVISIONS = Number(process.env.CHAOS_EXTRA_REVISIONS ?? 2);
const DONE_DEADLINE_MS = Number(process.env.CHAOS_DEADLINE_S ?? 240) * 1000;

interface StoredNode {
  _id: ObjectId;
  kind: string;
  name: string;
  parent: ObjectId | null;
  state: string;
  result: string | null;
  timeout: Date;
  data: { kernel_revision?: { commit?: string }; platform?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

let dir: string;
let stack: ProcessStack;
let db: pg.Pool;
let logFile: string;
const subscribers: DurableSubscriber[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'maestro-chaos-'));
  logFile = path.join(dir, 'processes.log');
  const log = createWriteStream(logFile);
  const temporalBin = await resolveTool('temporal');
  stack = new ProcessStack({
    dir,
    entryDir: path.join(ROOT, 'dist'),
    temporalBin,
    apiReplicas: 2,
    log: (line) => log.write(line + '\n'),
    pipelineConfig: (addr) => trivialPipelineConfig({ ...addr, platforms: 2, jobSeconds: 2 }),
  });
  await stack.startServices();
  db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  // The checks' own connections die with a killed server: let the pool drop them quietly.
  db.on('error', () => undefined);
  const token = await stack.adminToken();
  const urls = [stack.apiUrl(0), stack.apiUrl(1)];
  // A new subscription starts at the current position: subscribe before the pipeline writes its first
  // node (the tree's initial head), so every node event in the history is every subscriber's to receive.
  for (let i = 0; i < 3; i++) {
    const sub = new DurableSubscriber(`chaos-subscriber-${i}`, urls, token, i);
    await sub.subscribe();
    sub.start();
    subscribers.push(sub);
  }
  await stack.startWorkers();
});

afterAll(async () => {
  await Promise.allSettled(subscribers.map((s) => s.stop()));
  await db?.end();
  await stack?.stop();
  if (process.env.MAESTRO_KEEP_TEST_DIR) console.log(`chaos logs: ${logFile}`);
  else if (dir) await fs.rm(dir, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows as pg returns them
const toStored = (r: any): StoredNode => ({
  ...r,
  _id: new ObjectId(r.id),
  parent: r.parent ? new ObjectId(r.parent) : null,
});

/** A query that retries while the database restarts (the check outlives a killed server). */
async function query(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.query(text, params);
    } catch (err) {
      if (attempt > 120) throw err;
      await sleep(500);
    }
  }
}

async function nodes(): Promise<StoredNode[]> {
  const { rows } = await query('SELECT id, kind, name, parent, state, result, timeout, data FROM nodes');
  return rows.map(toStored);
}

async function checkoutOf(commit: string): Promise<StoredNode | null> {
  const { rows } = await query(
    `SELECT id, kind, name, parent, state, result, timeout, data FROM nodes
     WHERE kind = 'checkout' AND data #>> '{kernel_revision,commit}' = $1`,
    [commit],
  );
  return rows.length ? toStored(rows[0]) : null;
}

function descendants(all: StoredNode[], root: StoredNode): StoredNode[] {
  const children = new Map<string, StoredNode[]>();
  for (const n of all) {
    if (!n.parent) continue;
    const key = n.parent.toHexString();
    children.set(key, [...(children.get(key) ?? []), n]);
  }
  const out: StoredNode[] = [];
  const stackOfIds = [root._id.toHexString()];
  while (stackOfIds.length) {
    for (const child of children.get(stackOfIds.pop()!) ?? []) {
      out.push(child);
      stackOfIds.push(child._id.toHexString());
    }
  }
  return out;
}

/** Waits until the part is mid-work for this revision, so the kill interrupts something. */
async function waitForWork(part: PartName, commit: string): Promise<void> {
  const checkout = await until(`checkout node of ${commit.slice(0, 12)}`, 120_000, () => checkoutOf(commit));
  if (part === 'lab-worker') {
    await until('a running job of the revision', 120_000, async () => {
      const all = await nodes();
      return descendants(all, checkout).find((n) => n.state === 'running');
    });
  }
}

describe('resilience under kill -9', () => {
  it('loses, duplicates and strands nothing', async () => {
    const commits: string[] = [];
    const killed: string[] = [];
    const firstSeqBefore = 0;

    for (const part of KILLS) {
      const commit = await stack.commit();
      commits.push(commit);
      await waitForWork(part, commit);
      await stack.kill(part);
      killed.push(part);
      await sleep(1500);
      await stack.restart(part);
    }
    for (let i = 0; i < EXTRA_REVISIONS; i++) {
      const commit = await stack.commit();
      commits.push(commit);
      await until(`checkout node of ${commit.slice(0, 12)}`, 120_000, () => checkoutOf(commit));
    }

    // Every revision's tree closes.
    await until('every revision tree done', DONE_DEADLINE_MS, async () => {
      const all = await nodes();
      return commits.every((c) => {
        const root = all.find((n) => n.kind === 'checkout' && n.data.kernel_revision?.commit === c);
        return root?.state === 'done' && descendants(all, root).every((n) => n.state === 'done');
      });
    });
    expect(stack.deadParts(), 'no process died on its own').toEqual([]);

    const all = await nodes();
    let nodesChecked = 0;
    for (const commit of commits) {
      const roots = all.filter((n) => n.kind === 'checkout' && n.data.kernel_revision?.commit === commit);
      expect(roots, `one checkout for ${commit.slice(0, 12)}`).toHaveLength(1);
      const tree = [roots[0], ...descendants(all, roots[0])];
      nodesChecked += tree.length;
      expect(
        tree.filter((n) => n.kind === 'kbuild'),
        `one kbuild for ${commit.slice(0, 12)}`,
      ).toHaveLength(1);
      const kbuild = tree.find((n) => n.kind === 'kbuild')!;
      const smokeJobs = tree.filter((n) => n.name === 'smoke' && n.parent?.equals(kbuild._id));
      expect(smokeJobs.length, `one smoke job per platform for ${commit.slice(0, 12)}`).toBe(2);
      expect(
        tree.every((n) => n.state === 'done'),
        `tree of ${commit.slice(0, 12)} done`,
      ).toBe(true);
    }
    // Nothing exists twice: (parent, kind, name, platform) identifies a node.
    const keys = all.map(
      (n) =>
        `${n.parent?.toHexString() ?? '-'}|${n.kind}|${n.name}|${n.data.platform ?? ''}|${n.parent ? '' : n.data.kernel_revision?.commit}`,
    );
    const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(dupes, 'duplicate nodes').toEqual([]);
    // Nothing left running past its timeout.
    const now = Date.now();
    expect(
      all.filter((n) => n.state !== 'done' && new Date(n.timeout).getTime() < now),
      'nodes running past their timeout',
    ).toEqual([]);

    // Every durable subscriber got every node event exactly once, in order.
    const history = (
      await query(
        `SELECT seq AS sequence_id, ce FROM events WHERE channel = 'node' AND seq > $1 ORDER BY seq`,
        [firstSeqBefore],
      )
    ).rows as { sequence_id: number; ce: { id: string } | null }[];
    const expected = history.map((e) => e.ce?.id);
    const lastSeq = history.at(-1)?.sequence_id ?? 0;
    await until('subscribers caught up', 120_000, async () => subscribers.every((s) => s.lastSeq >= lastSeq));
    for (const s of subscribers) {
      expect(s.duplicates, `${s.subscriberId} duplicates`).toBe(0);
      expect(s.outOfOrder, `${s.subscriberId} out of order`).toBe(0);
      expect(
        s.received.map((e) => e.id),
        `${s.subscriberId} received every event in order`,
      ).toEqual(expected);
    }

    console.log(
      [
        `chaos: processes killed ${killed.length} (${killed.join(', ')})`,
        `revisions completed ${commits.length}`,
        `nodes checked ${nodesChecked} (of ${all.length} stored)`,
        `events checked ${expected.length} × ${subscribers.length} subscribers = ${expected.length * subscribers.length}`,
        `subscriber failovers ${subscribers.map((s) => s.failovers).join('/')}`,
      ].join('; '),
    );
  });
});
