// Benchmark 2: event fan-out. 10k node updates through the API reach 3 durable subscribers (long-poll
// /listen); write→receive latency p50/p99, events/s, and a check that none is lost, duplicated or reordered.
import { ApiClient } from '../src/client/api-client';
import type { Node } from '../src/db/nodes/types';
import { startBenchServers } from './lib/servers';
import { startApi, type RunningApi } from './lib/processes';
import { fmt, note, printTable, runConcurrently, summarize } from './lib/stats';

const UPDATES = Number(process.env.BENCH_EVENT_UPDATES ?? 10_000);
const SUBSCRIBERS = 3;
const NODES = 100;
const WRITE_CONCURRENCY = Number(process.env.BENCH_EVENT_CONCURRENCY ?? 8);

interface Received {
  latencies: number[];
  seqs: number[];
  lastSeqPerNode: Map<string, number>;
  outOfOrder: number;
  duplicates: number;
  lastAt: number;
}

function parseEvent(raw: string): {
  nodeId: string;
  benchSeq: number | undefined;
  sequenceId: number | undefined;
} {
  const ce = JSON.parse(raw) as { sequence_id?: number; data: { id: string; data?: { bench_seq?: number } } };
  return { nodeId: ce.data.id, benchSeq: ce.data.data?.bench_seq, sequenceId: ce.sequence_id };
}

export async function runEventsBench(): Promise<void> {
  const servers = await startBenchServers('events');
  let api: RunningApi | undefined;
  try {
    api = await startApi({ ...servers, dbName: 'bench_events' });
    const nodes: Node[] = [];
    for (let i = 0; i < NODES; i++) {
      nodes.push(
        await api.admin.createNode(
          { kind: 'test', name: `fanout-${i}`, state: 'running', data: {} },
          { noevent: true },
        ),
      );
    }
    const sentAt = new Float64Array(UPDATES);
    const subscribers = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, async (_, s) => {
        const client = new ApiClient({ baseUrl: api!.url, token: api!.admin.token });
        const sub = await client.subscribe('node', { promisc: true, subscriberId: `bench-subscriber-${s}` });
        return { client, sub };
      }),
    );
    const received: Received[] = subscribers.map(() => ({
      latencies: [],
      seqs: [],
      lastSeqPerNode: new Map(),
      outOfOrder: 0,
      duplicates: 0,
      lastAt: 0,
    }));
    let writing = true;
    let expectedCount = () => UPDATES;
    let stopListening = false;
    const seen = received.map(() => new Set<number>());
    const listeners = subscribers.map(async ({ client, sub }, s) => {
      const r = received[s];
      while (!stopListening && (writing || seen[s].size < expectedCount())) {
        const msg = await client.listen(sub.id);
        if (!msg || typeof msg.data !== 'string') continue; // keep-alive answer
        const now = performance.now();
        const ev = parseEvent(msg.data);
        if (ev.benchSeq === undefined) continue;
        if (seen[s].has(ev.benchSeq)) r.duplicates++;
        seen[s].add(ev.benchSeq);
        r.latencies.push(now - sentAt[ev.benchSeq]);
        if (ev.sequenceId !== undefined) {
          if (r.seqs.length && ev.sequenceId <= r.seqs[r.seqs.length - 1]) r.outOfOrder++;
          r.seqs.push(ev.sequenceId);
        }
        const last = r.lastSeqPerNode.get(ev.nodeId) ?? -1;
        if (ev.benchSeq <= last) r.outOfOrder++;
        r.lastSeqPerNode.set(ev.nodeId, ev.benchSeq);
        r.lastAt = now;
      }
    });

    note(
      `${UPDATES} PATCH /node updates over ${NODES} nodes, write concurrency ${WRITE_CONCURRENCY}, ${SUBSCRIBERS} durable subscribers`,
    );
    const start = performance.now();
    // A write that does not answer within a minute ends the run; the figures cover what was written.
    let written = 0;
    let stalled: string | null = null;
    await runConcurrently(UPDATES, WRITE_CONCURRENCY, async (i) => {
      if (stalled) return;
      const node = nodes[i % NODES];
      sentAt[i] = performance.now();
      try {
        const res = await fetch(`${api!.url}/node/${node.id}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${api!.admin.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ data: { bench_seq: i } }),
          signal: AbortSignal.timeout(60_000),
        });
        if (!res.ok) throw new Error(`PATCH answered ${res.status} ${await res.text()}`);
        written++;
      } catch (err) {
        stalled ??= `update ${i} failed after ${fmt(performance.now() - sentAt[i])} ms: ${(err as Error).message}`;
      }
    });
    const writeMs = performance.now() - start;
    writing = false;
    if (stalled) note(`writes stopped: ${stalled}`);
    expectedCount = () => written;
    const drainDeadline = Date.now() + 120_000;
    await Promise.race([
      Promise.all(listeners),
      new Promise((resolve) => {
        const timer = setInterval(() => {
          if (Date.now() > drainDeadline) {
            clearInterval(timer);
            resolve(undefined);
          }
        }, 500);
        timer.unref();
      }),
    ]);
    stopListening = true;
    for (const l of listeners) l.catch(() => undefined);
    const lastAt = Math.max(...received.map((r) => r.lastAt));
    const all = received.flatMap((r) => r.latencies);
    const s = summarize(all);
    const delivered = received.reduce((n, r) => n + r.latencies.length, 0);
    const lost = received.reduce((n, r, i) => n + Math.max(0, written - seen[i].size), 0);
    printTable(
      `Event fan-out: ${UPDATES.toLocaleString('en-US')} node updates → ${SUBSCRIBERS} durable subscribers (GET /listen)`,
      ['metric', 'value'],
      [
        ['updates written', stalled ? `${written} of ${UPDATES} — STALLED: ${stalled}` : written],
        ['write rate (PATCH /node, events on)', `${fmt((UPDATES / writeMs) * 1000)} /s`],
        ['events delivered (all subscribers)', delivered],
        ['delivery rate (all subscribers)', `${fmt((delivered / (lastAt - start)) * 1000)} events/s`],
        ['write → receive p50', `${fmt(s.p50)} ms`],
        ['write → receive p99', `${fmt(s.p99)} ms`],
        ['write → receive max', `${fmt(s.max)} ms`],
        ['lost', lost],
        ['duplicates', received.reduce((n, r) => n + r.duplicates, 0)],
        ['out of order', received.reduce((n, r) => n + r.outOfOrder, 0)],
      ],
    );
  } finally {
    await api?.process.stop(5000);
    await servers.stop();
  }
}
