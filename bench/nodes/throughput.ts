// Node writes and reads through the API (HTTP, events on) against the same operation in raw SQL on the
// same database, at the same concurrency, back to back.
import { ObjectId } from 'mongodb';
import type pg from 'pg';
import type { NodeDocument } from '../../src/db/nodes/document';
import type { NodeInput } from '../../src/db/nodes/types';
import { toApiNode } from '../../src/db/nodes/document';
import { EVENT_LOCK_CTE } from '../../src/db/postgres/event-log';
import { insertNodeWithEvent } from '../../src/db/postgres/node-writes';
import { nodeEventDraft } from '../../src/events/cloudevent';
import { NODE_COLUMNS_SQL, NODE_WRITE_COLUMNS, nodeParams } from '../../src/db/postgres/node-rows';
import type { RunningApi } from '../lib/processes';
import { fmt, note, runConcurrently, timed } from '../lib/stats';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CREATE_N = env('BENCH_CREATE_N', 5000);
const QUERY_SECONDS = env('BENCH_QUERY_SECONDS', 10);
export const CONCURRENCY = env('BENCH_CONCURRENCY', 16);

const PLACEHOLDERS = NODE_WRITE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
const INSERT_SQL = `INSERT INTO nodes (${NODE_COLUMNS_SQL}) VALUES (${PLACEHOLDERS})`;
/** The same insert under the event order lock: what serial, numbered commits cost on their own. */
const LOCKED_INSERT_SQL = `WITH ${EVENT_LOCK_CTE} INSERT INTO nodes (${NODE_COLUMNS_SQL}) SELECT ${PLACEHOLDERS} FROM event_lock`;

function testInput(parent: string, i: number): NodeInput {
  return {
    kind: 'test',
    name: `bench-test-${i}`,
    parent,
    state: 'running',
    data: { platform: i % 2 ? 'qemu-x86' : 'bcm2711-rpi-4-b', arch: 'x86_64', runtime: 'shell' },
  };
}

/** What the raw side inserts: the same node in the stored shape, as one row. */
function storedShape(input: NodeInput, parentPath: string[], owner: string): NodeDocument {
  const now = new Date();
  return {
    _id: new ObjectId(),
    _rev: 1,
    kind: input.kind,
    name: input.name,
    path: [...parentPath, input.name],
    group: null,
    parent: new ObjectId(input.parent!),
    state: input.state ?? 'running',
    result: null,
    artifacts: {},
    data: input.data ?? {},
    debug: null,
    jobfilter: null,
    platform_filter: null,
    created: now,
    updated: now,
    timeout: new Date(now.getTime() + 6 * 3_600_000),
    holdoff: null,
    owner,
    submitter: null,
    treeid: input.parent!,
    user_groups: [],
    retry_counter: 0,
    processed_by_kcidb_bridge: false,
  };
}

async function throughput(durationS: number, op: () => Promise<void>): Promise<number> {
  const deadline = performance.now() + durationS * 1000;
  let ops = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await op();
        ops++;
      }
    }),
  );
  return (ops / (performance.now() - start)) * 1000;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function measureThroughput(
  api: RunningApi,
  raw: pg.Pool,
  rawTcp: pg.Pool,
): Promise<(string | number)[][]> {
  const checkout = await api.admin.createNode({ kind: 'checkout', name: 'checkout', state: 'running' });
  const owner = (await api.admin.whoami()).username;
  const apiCreate = async (i: number) => {
    const res = await fetch(`${api.url}/node`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(testInput(checkout.id, i)),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`POST /node answered ${res.status} ${await res.text()}`);
  };
  const row = (i: number) => nodeParams(storedShape(testInput(checkout.id, i), checkout.path, owner));
  const rawInsert = async (i: number) => void (await raw.query(INSERT_SQL, row(i)));

  // Warm both paths (JIT, pools, prepared plans) before measuring.
  await runConcurrently(500, CONCURRENCY, (i) => apiCreate(-1 - i));
  await runConcurrently(500, CONCURRENCY, (i) => rawInsert(-1 - i));

  /** Ops per second of CREATE_N calls of `op` (indices from `first`) at CONCURRENCY. */
  const rate = async (first: number, op: (i: number) => Promise<unknown>) => {
    const run = await timed(() =>
      runConcurrently(CREATE_N, CONCURRENCY, async (i) => void (await op(first + i))),
    );
    return (CREATE_N / run.ms) * 1000;
  };
  note(`creating ${CREATE_N} nodes each way, concurrency ${CONCURRENCY}, alternating rounds`);
  const rounds = { api: [] as number[], raw: [] as number[] };
  for (let round = 0; round < 2; round++) {
    rounds.api.push(await rate(round * CREATE_N, apiCreate));
    rounds.raw.push(await rate(round * CREATE_N, rawInsert));
  }
  const best = (xs: number[]) => Math.max(...xs);
  const lockedInsert = await rate(10 * CREATE_N, (i) => raw.query(LOCKED_INSERT_SQL, row(i)));
  // The database work of one POST /node without HTTP: the API's own statement (node, event, parent check).
  const parent = { id: new ObjectId(checkout.id), path: checkout.path, treeid: checkout.id };
  const withEvent = await rate(30 * CREATE_N, (i) => {
    const doc = storedShape(testInput(checkout.id, i), checkout.path, owner);
    const change = { op: 'created' as const, node: toApiNode(doc), revision: 1, is_hierarchy: false };
    return insertNodeWithEvent(raw, doc, nodeEventDraft(change, 'bench'), { parent });
  });
  const tcpInsert = await rate(20 * CREATE_N, (i) => rawTcp.query(INSERT_SQL, row(i)));

  note(`indexed queries for ${QUERY_SECONDS} s each side`);
  const where = "kind = 'test' AND data #>> '{platform}' = 'qemu-x86'";
  const apiQuery = await throughput(QUERY_SECONDS, async () => {
    await getJson(`${api.url}/nodes?kind=test&data.platform=qemu-x86&limit=10`);
  });
  const rawQuery = await throughput(QUERY_SECONDS, async () => {
    await raw.query(`SELECT * FROM nodes WHERE ${where} ORDER BY ord LIMIT 10`);
    await raw.query(`SELECT count(*) FROM nodes WHERE ${where}`);
  });
  const apiFast = await throughput(QUERY_SECONDS, async () => {
    await getJson(`${api.url}/nodes/fast?kind=test&data.platform=qemu-x86&limit=10`);
  });
  const rawFast = await throughput(QUERY_SECONDS, async () => {
    await raw.query(`SELECT * FROM nodes WHERE ${where} ORDER BY ord LIMIT 10`);
  });
  // The floor any HTTP write path stands on here: the same client and server, no database work.
  const httpFloor = await throughput(QUERY_SECONDS, async () => {
    const res = await fetch(`${api.url}/`);
    await res.arrayBuffer();
  });
  const pct = (a: number, b: number) => `${fmt((a / b) * 100)} %`;
  return [
    [
      'HTTP floor: GET / (no database work) vs single-row INSERT',
      httpFloor,
      best(rounds.raw),
      pct(httpFloor, best(rounds.raw)),
    ],
    [
      `create: POST /node (events on) vs single-row INSERT, ${CREATE_N} per round, rounds ${rounds.api.map((x) => fmt(x)).join(' / ')} vs ${rounds.raw.map((x) => fmt(x)).join(' / ')}`,
      best(rounds.api),
      best(rounds.raw),
      pct(best(rounds.api), best(rounds.raw)),
    ],
    [
      "create: POST /node vs the API's own statement (node + event + parent check) sent directly",
      best(rounds.api),
      withEvent,
      pct(best(rounds.api), withEvent),
    ],
    [
      "reference: the API's statement (node + event) vs single-row INSERT",
      withEvent,
      best(rounds.raw),
      pct(withEvent, best(rounds.raw)),
    ],
    [
      'reference: single-row INSERT under the event order lock vs without',
      lockedInsert,
      best(rounds.raw),
      pct(lockedInsert, best(rounds.raw)),
    ],
    [
      'reference: single-row INSERT over loopback TCP vs the Unix socket',
      tcpInsert,
      best(rounds.raw),
      pct(tcpInsert, best(rounds.raw)),
    ],
    ['query: GET /nodes (page + total) vs SELECT + count(*)', apiQuery, rawQuery, pct(apiQuery, rawQuery)],
    ['query: GET /nodes/fast vs SELECT', apiFast, rawFast, pct(apiFast, rawFast)],
  ];
}
