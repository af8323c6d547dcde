// Benchmark 5: "a KernelCI day". About 200k node writes with their events, shaped like a day of upstream
// traffic (checkouts, kbuilds and jobs created and moved through their states, test results arriving as
// one hierarchy submit per job, as LAVA callbacks send them), replayed as fast as the API takes them
// while 3 durable subscribers drain every event. Wall time ends when the last subscriber has them all.
import type pg from 'pg';
import type { ApiClient } from '../src/client/api-client';
import { startApi, type RunningApi } from './lib/processes';
import { startBenchServers } from './lib/servers';
import { fmt, note, printTable, runConcurrently, timed } from './lib/stats';
import { SubscriberFleet } from './lib/subscribers';

const WRITES = Number(process.env.BENCH_DAY_WRITES ?? 200_000);
/** Revisions in flight together; each runs its steps with a few requests in flight. */
const LANES = Number(process.env.BENCH_DAY_LANES ?? 4);
const STEP_CONCURRENCY = 4;
const SUBSCRIBERS = 3;
const KBUILDS = 10;
const JOBS_PER_KBUILD = 5;
const TESTS_PER_JOB = 40;
/** checkout: create, available, closing, done; kbuild: create, available, done; job: create; submit: job + tests. */
export const WRITES_PER_REVISION = 4 + KBUILDS * 3 + KBUILDS * JOBS_PER_KBUILD * (1 + 1 + TESTS_PER_JOB);

async function revision(client: ApiClient, r: number): Promise<void> {
  const revisionData = {
    kernel_revision: { tree: 'mainline', branch: 'master', commit: `${r}`.padStart(40, '0'), url: 'x' },
  };
  const checkout = await client.createNode({
    kind: 'checkout',
    name: 'checkout',
    state: 'running',
    data: revisionData,
  });
  await client.patchNode(checkout.id, { state: 'available' });
  await runConcurrently(KBUILDS, STEP_CONCURRENCY, async (b) => {
    const kbuild = await client.createNode({
      kind: 'kbuild',
      name: `kbuild-gcc-12-x86-${b}`,
      parent: checkout.id,
      state: 'running',
      data: { ...revisionData, arch: 'x86_64', defconfig: 'defconfig', compiler: 'gcc-12' },
    });
    await client.patchNode(kbuild.id, { state: 'available', result: 'pass' });
    await runConcurrently(JOBS_PER_KBUILD, 1, async (j) => {
      const job = await client.createNode({
        kind: 'job',
        name: `baseline-${j}`,
        parent: kbuild.id,
        state: 'running',
        data: { ...revisionData, platform: `board-${j}`, runtime: 'lava-bench' },
      });
      await client.submitHierarchy(job.id, {
        node: { state: 'done', result: 'pass' },
        child_nodes: Array.from({ length: TESTS_PER_JOB }, (_, t) => ({
          node: { kind: 'test', name: `test-case-${t}`, state: 'done', result: t % 7 ? 'pass' : 'fail' },
          child_nodes: [],
        })),
      });
    });
    await client.patchNode(kbuild.id, { state: 'done' });
  });
  await client.patchNode(checkout.id, { state: 'closing' });
  await client.patchNode(checkout.id, { state: 'done', result: 'pass' });
}

async function eventSeqs(raw: pg.Pool, after: number): Promise<number[]> {
  const { rows } = await raw.query<{ seq: number }>(
    "SELECT seq FROM events WHERE channel = 'node' AND seq > $1 ORDER BY seq",
    [after],
  );
  return rows.map((r) => r.seq);
}

export async function runDayBench(): Promise<void> {
  const servers = await startBenchServers('day');
  let api: RunningApi | undefined;
  try {
    const raw = servers.pool(2);
    api = await startApi(servers);
    const revisions = Math.ceil(WRITES / WRITES_PER_REVISION);
    const writes = revisions * WRITES_PER_REVISION;
    const base = Number((await raw.query('SELECT coalesce(max(seq), 0) AS n FROM events')).rows[0].n);
    // Room for every event of the run, with slack for sequence numbers a rolled-back write skipped.
    const capacity = Math.ceil(writes * 1.1) + 1000;
    const fleet = new SubscriberFleet(api.url, api.admin.token!, SUBSCRIBERS, capacity, (_node, seq) =>
      seq > base && seq - base < capacity ? seq - base : undefined,
    );
    await fleet.start('bench-day');
    note(
      `${revisions} revisions × ${WRITES_PER_REVISION} node writes = ${writes}, ${LANES} revisions at a time`,
    );
    const start = performance.now();
    const written = await timed(() => runConcurrently(revisions, LANES, (r) => revision(api!.admin, r)));
    const seqs = await eventSeqs(raw, base);
    note(`writes done in ${fmt(written.ms / 1000)} s; ${seqs.length} events; waiting for the subscribers`);
    const result = await fleet.drain(seqs.length, 30 * 60_000);
    const wallS = (Math.max(result.lastArrival, start + written.ms) - start) / 1000;
    let lost = 0;
    for (const arrivals of result.arrivals)
      for (const s of seqs) if (Number.isNaN(arrivals[s - base])) lost++;
    const delivered = seqs.length * SUBSCRIBERS - lost;
    printTable(
      `A KernelCI day: ${fmt(writes)} node writes (${revisions} revisions) with events → ${SUBSCRIBERS} durable subscribers`,
      ['measure', 'value'],
      [
        ['node writes (POST /node, PATCH /node, PUT /nodes/{id} per node)', writes],
        ['node events stored', seqs.length],
        [
          'writes: wall time / rate',
          `${fmt(written.ms / 1000)} s / ${fmt((writes / written.ms) * 1000)} per s`,
        ],
        ['event deliveries (all subscribers)', delivered],
        ['first write → last delivery (wall time)', `${fmt(wallS)} s (${fmt(wallS / 60)} min)`],
        ['delivery rate (all subscribers)', `${fmt(delivered / wallS)} per s`],
        ['lost / duplicated / out of order', `${lost} / ${result.duplicates} / ${result.outOfOrder}`],
      ],
    );
  } finally {
    await api?.process.stop(5000);
    await servers.stop();
  }
}
