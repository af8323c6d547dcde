// Benchmark 2: event fan-out. Node updates offered through the API at a fixed rate (open loop: a write is
// sent on schedule whether or not earlier ones answered) reach 3 durable subscribers long-polling
// /listen. First 10k updates at 200/s; then rising rates to find the highest that keeps p99 ≤ 1 s.
import type { Node } from '../src/db/nodes/types';
import { startApi, type RunningApi } from './lib/processes';
import { startBenchServers } from './lib/servers';
import { fmt, note, printTable, summarize } from './lib/stats';
import { latencies, SubscriberFleet } from './lib/subscribers';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const UPDATES = Number(env('BENCH_EVENT_UPDATES', '10000'));
const RATE = Number(env('BENCH_EVENT_RATE', '200'));
const SEARCH_RATES = env('BENCH_EVENT_SEARCH_RATES', '250,300,350,400,500').split(',').map(Number);
const SEARCH_SECONDS = Number(env('BENCH_EVENT_SEARCH_SECONDS', '20'));
const SUBSCRIBERS = 3;
const NODES = 100;
/** Writes in flight at most; past it the offered rate is not reached and the round says so. */
const MAX_IN_FLIGHT = 128;

interface Round {
  rate: number;
  updates: number;
  achieved: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
}

async function round(
  api: RunningApi,
  nodes: Node[],
  r: number,
  rate: number,
  updates: number,
): Promise<Round> {
  const sentAt = new Float64Array(updates).fill(NaN);
  const fleet = new SubscriberFleet(api.url, api.admin.token!, SUBSCRIBERS, updates, (data) => {
    const d = (data.data ?? {}) as { bench_round?: number; bench_seq?: number };
    return d.bench_round === r ? d.bench_seq : undefined;
  });
  await fleet.start(`bench-round-${r}`);
  note(
    `round ${r}: ${updates} updates offered at ${rate}/s over ${NODES} nodes → ${SUBSCRIBERS} subscribers`,
  );
  let failed = 0;
  let inFlight = 0;
  const writes: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < updates; i++) {
    const due = start + (i * 1000) / rate;
    while (performance.now() < due || inFlight >= MAX_IN_FLIGHT)
      await new Promise((res) => setTimeout(res, Math.max(0, Math.min(5, due - performance.now()))));
    inFlight++;
    const t = performance.now();
    writes.push(
      fetch(`${api.url}/node/${nodes[i % NODES].id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${api.admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ data: { bench_round: r, bench_seq: i } }),
        signal: AbortSignal.timeout(60_000),
      })
        .then(async (res) => {
          if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
          sentAt[i] = t;
        })
        .catch(() => void failed++)
        .finally(() => void inFlight--),
    );
  }
  await Promise.all(writes);
  const writeS = (performance.now() - start) / 1000;
  const result = await fleet.drain(updates - failed, 120_000);
  const { samples, lost } = latencies(result, sentAt);
  const s = summarize(samples);
  return {
    rate,
    updates,
    achieved: updates / writeS,
    failed,
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    lost,
    duplicates: result.duplicates,
    outOfOrder: result.outOfOrder,
  };
}

const row = (x: Round) => [
  x.rate,
  x.updates,
  fmt(x.achieved),
  x.failed,
  x.p50,
  x.p99,
  x.max,
  x.lost,
  x.duplicates,
  x.outOfOrder,
];

export async function runEventsBench(): Promise<void> {
  const servers = await startBenchServers('events');
  let api: RunningApi | undefined;
  try {
    api = await startApi(servers);
    const nodes: Node[] = [];
    for (let i = 0; i < NODES; i++)
      nodes.push(
        await api.admin.createNode(
          { kind: 'test', name: `fanout-${i}`, state: 'running' },
          { noevent: true },
        ),
      );
    await round(api, nodes, 0, 100, 500); // warm-up
    const rows = [row(await round(api, nodes, 1, RATE, UPDATES))];
    let highest: Round | null = null;
    for (const [k, rate] of SEARCH_RATES.entries()) {
      const x = await round(api, nodes, 2 + k, rate, Math.round(rate * SEARCH_SECONDS));
      rows.push(row(x));
      const kept = x.p99 <= 1000 && x.lost === 0 && x.failed === 0 && x.achieved >= rate * 0.95;
      if (!kept) break;
      highest = x;
    }
    printTable(
      `Event fan-out: node updates (PATCH /node) offered at a fixed rate → ${SUBSCRIBERS} durable subscribers (GET /listen); write → receive in ms`,
      [
        'offered /s',
        'updates',
        'written /s',
        'failed',
        'p50',
        'p99',
        'max',
        'lost',
        'duplicates',
        'out of order',
      ],
      rows,
    );
    process.stdout.write(
      highest
        ? `Highest offered rate with p99 ≤ 1 s, nothing lost and the writes keeping pace: ${highest.rate}/s.\n`
        : 'No searched rate kept p99 ≤ 1 s.\n',
    );
  } finally {
    await api?.process.stop(5000);
    await servers.stop();
  }
}
