// Benchmark 1: node create and indexed query throughput, API (HTTP, events on) vs a raw driver loop on the
// same database at the same concurrency; then /nodes latency with 100k and 1M nodes stored.
import { MongoClient, ObjectId, type Db, type Filter } from 'mongodb';
import type { NodeDocument } from '../src/db/nodes/document';
import type { NodeInput } from '../src/db/nodes/types';
import { startBenchServers } from './lib/servers';
import { startApi, type RunningApi } from './lib/processes';
import { NODES_PER_TREE, seedNodes } from './lib/seed';
import { fmt, note, printTable, runConcurrently, summarize, timed } from './lib/stats';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CREATE_N = env('BENCH_CREATE_N', 1000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 16);
const QUERY_SECONDS = env('BENCH_QUERY_SECONDS', 10);
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
/** Seeding stops here (per size step) and the size actually reached is reported. */
const SEED_BUDGET_S = env('BENCH_SEED_BUDGET_S', 480);
/** Per query type at each size: sample until this many seconds are spent (at least 3, at most 100 samples). */
const LATENCY_BUDGET_S = env('BENCH_LATENCY_BUDGET_S', 20);

function testInput(parent: string, i: number): NodeInput {
  return {
    kind: 'test',
    name: `bench-test-${i}`,
    parent,
    state: 'running',
    data: { platform: i % 2 ? 'qemu-x86' : 'bcm2711-rpi-4-b', arch: 'x86_64', runtime: 'shell' },
  };
}

/** What the raw loop inserts: the same node in the store's stored shape. */
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
    treeid: null,
    user_groups: [],
    retry_counter: 0,
    processed_by_kcidb_bridge: false,
  };
}

async function throughput(
  durationS: number,
  concurrency: number,
  op: () => Promise<void>,
): Promise<{ ops: number; perSecond: number }> {
  const deadline = performance.now() + durationS * 1000;
  let ops = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await op();
        ops++;
      }
    }),
  );
  return { ops, perSecond: (ops / (performance.now() - start)) * 1000 };
}

async function getJson(url: string, timeoutMs = 60_000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One request past this is reported as a timeout and ends that query's sampling. */
const REQUEST_TIMEOUT_MS = env('BENCH_REQUEST_TIMEOUT_S', 30) * 1000;

async function latencyAt(api: RunningApi, queries: [string, string][]): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const [label, pathAndQuery] of queries) {
    const samples: number[] = [];
    let timedOut = false;
    const spentUntil = performance.now() + LATENCY_BUDGET_S * 1000;
    while (samples.length < 100 && (samples.length < 3 || performance.now() < spentUntil)) {
      try {
        samples.push((await timed(() => getJson(`${api.url}${pathAndQuery}`, REQUEST_TIMEOUT_MS))).ms);
      } catch (err) {
        if ((err as Error).name !== 'TimeoutError') throw err;
        timedOut = true;
        break;
      }
    }
    const s = summarize(samples);
    const limit = `> ${REQUEST_TIMEOUT_MS / 1000} s (timed out)`;
    rows.push(
      timedOut
        ? [label, `${samples.length} + 1 timed out`, samples.length ? s.p50 : limit, limit]
        : [label, s.n, s.p50, s.p99],
    );
  }
  return rows;
}

export async function runNodesBench(): Promise<void> {
  const servers = await startBenchServers('nodes');
  const mongo = await MongoClient.connect(servers.mongoUri);
  let api: RunningApi | undefined;
  try {
    const dbName = 'bench_nodes';
    const db: Db = mongo.db(dbName);
    api = await startApi({ ...servers, dbName });
    const checkout = await api.admin.createNode({
      kind: 'checkout',
      name: 'checkout',
      state: 'running',
      data: {},
    });
    const owner = (await api.admin.whoami()).username;
    const nodes = db.collection<NodeDocument>('nodes');

    // Warm both paths (JIT, connection pools) before measuring.
    await runConcurrently(
      100,
      CONCURRENCY,
      async (i) => void (await api!.admin.createNode(testInput(checkout.id, -i))),
    );
    await runConcurrently(
      100,
      CONCURRENCY,
      async (i) =>
        void (await nodes.insertOne(storedShape(testInput(checkout.id, -i), checkout.path, owner))),
    );

    note(
      `creating ${CREATE_N} nodes through the API and ${CREATE_N} with insertOne, concurrency ${CONCURRENCY}`,
    );
    let createFailures = 0;
    let firstFailure = '';
    const apiCreate = await timed(() =>
      runConcurrently(CREATE_N, CONCURRENCY, async (i) => {
        // A create that does not answer within a minute is counted as failed (and reported).
        const res = await fetch(`${api!.url}/node`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api!.admin.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(testInput(checkout.id, i)),
          signal: AbortSignal.timeout(60_000),
        }).catch((err: Error) => err);
        if (res instanceof Error || !res.ok) {
          createFailures++;
          firstFailure ||= res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
        }
      }),
    );
    if (createFailures) note(`${createFailures} API creates failed; first: ${firstFailure}`);
    const rawCreate = await timed(() =>
      runConcurrently(
        CREATE_N,
        CONCURRENCY,
        async (i) =>
          void (await nodes.insertOne(storedShape(testInput(checkout.id, i), checkout.path, owner))),
      ),
    );
    const apiCreateRate = ((CREATE_N - createFailures) / apiCreate.ms) * 1000;
    const rawCreateRate = (CREATE_N / rawCreate.ms) * 1000;

    note(`indexed queries for ${QUERY_SECONDS} s each side`);
    const filter: Filter<NodeDocument> = { kind: 'test', 'data.platform': 'qemu-x86' };
    const apiQuery = await throughput(QUERY_SECONDS, CONCURRENCY, async () => {
      await getJson(`${api!.url}/nodes?kind=test&data.platform=qemu-x86&limit=10`);
    });
    const rawQuery = await throughput(QUERY_SECONDS, CONCURRENCY, async () => {
      await Promise.all([nodes.find(filter).limit(10).toArray(), nodes.countDocuments(filter)]);
    });
    const apiFast = await throughput(QUERY_SECONDS, CONCURRENCY, async () => {
      await getJson(`${api!.url}/nodes/fast?kind=test&data.platform=qemu-x86&limit=10`);
    });
    const rawFast = await throughput(QUERY_SECONDS, CONCURRENCY, async () => {
      await nodes.find(filter).limit(10).toArray();
    });
    printTable(
      `Node throughput (concurrency ${CONCURRENCY}, API with events on vs raw driver, same database)`,
      ['operation', 'API ops/s', 'raw driver ops/s', 'API / raw'],
      [
        [
          `create (${CREATE_N} × POST /node vs insertOne${createFailures ? `; ${createFailures} API creates failed: ${firstFailure}` : ''})`,
          apiCreateRate,
          rawCreateRate,
          `${fmt((apiCreateRate / rawCreateRate) * 100)} %`,
        ],
        [
          'query GET /nodes (items + total) vs find + countDocuments',
          apiQuery.perSecond,
          rawQuery.perSecond,
          `${fmt((apiQuery.perSecond / rawQuery.perSecond) * 100)} %`,
        ],
        [
          'query GET /nodes/fast vs find',
          apiFast.perSecond,
          rawFast.perSecond,
          `${fmt((apiFast.perSecond / rawFast.perSecond) * 100)} %`,
        ],
      ],
    );

    // Latency with many nodes stored.
    const rows: (string | number)[][] = [];
    let stored = await nodes.estimatedDocumentCount();
    let seq = 0;
    for (const size of SIZES) {
      note(`seeding to ${size} nodes (budget ${SEED_BUDGET_S} s)…`);
      const seedStart = performance.now();
      while (stored < size && performance.now() - seedStart < SEED_BUDGET_S * 1000) {
        const step = Math.min(size - stored, 50 * NODES_PER_TREE);
        const r = await seedNodes(db, step, seq);
        seq = r.nextSeq;
        stored += r.inserted;
      }
      const seedS = (performance.now() - seedStart) / 1000;
      const reached = stored >= size;
      note(
        `${stored} nodes stored (${reached ? 'reached' : 'budget exhausted'}; seeding took ${fmt(seedS)} s)`,
      );
      const job = await nodes.findOne({ kind: 'job' });
      const sizeLabel = `${stored.toLocaleString('en-US')} nodes${reached ? '' : ` (target ${size.toLocaleString('en-US')} not reached in ${SEED_BUDGET_S} s)`}`;
      const measured = await latencyAt(api, [
        ['GET /nodes?kind=test&limit=1', '/nodes?kind=test&limit=1'],
        [
          'GET /nodes?kind=kbuild&data.kernel_revision.tree=mainline',
          '/nodes?kind=kbuild&data.kernel_revision.tree=mainline&limit=50',
        ],
        ['GET /nodes?parent=<job>', `/nodes?parent=${job!._id.toHexString()}&limit=50`],
        ['GET /nodes/fast?kind=test&state=done', '/nodes/fast?kind=test&state=done&limit=50'],
        ['GET /count?kind=checkout', '/count?kind=checkout'],
      ]);
      for (const r of measured) rows.push([sizeLabel, ...r]);
      rows.push([sizeLabel, `(seeding with insertMany took ${fmt(seedS)} s)`, '', '', '']);
      if (!reached) break;
    }
    printTable(
      'GET /nodes latency with many nodes stored (ms, sequential requests)',
      ['stored', 'query', 'samples', 'p50 ms', 'p99 ms'],
      rows,
    );
  } finally {
    await api?.process.stop(5000);
    await mongo.close();
    await servers.stop();
  }
}
