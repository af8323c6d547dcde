// /nodes and /count latency with many nodes stored: each query sampled sequentially through the API and
// as raw SQL on the same database, at each table size.
import type pg from 'pg';
import type { RunningApi } from '../lib/processes';
import { NODES_PER_TREE, seedNodes } from '../lib/seed';
import { fmt, note, summarize, timed } from '../lib/stats';
import { measuredQueries } from './queries';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
/** Seeding stops here (per size step) and the size actually reached is reported. */
const SEED_BUDGET_S = env('BENCH_SEED_BUDGET_S', 900);
/** Per query and side: sample until this many seconds are spent (at least 3, at most 200 samples). */
const LATENCY_BUDGET_S = env('BENCH_LATENCY_BUDGET_S', 8);

async function sample(run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  const until = performance.now() + LATENCY_BUDGET_S * 1000;
  for (let i = 0; i < 5; i++) await run(); // warm the plan and the cache
  while (samples.length < 200 && (samples.length < 3 || performance.now() < until))
    samples.push((await timed(run)).ms);
  return samples;
}

async function apiGet(url: string): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

export async function measureLatency(api: RunningApi, raw: pg.Pool): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  let stored = Number((await raw.query('SELECT count(*) AS n FROM nodes')).rows[0].n);
  let seq = 0;
  for (const size of SIZES) {
    note(`seeding to ${size} nodes (budget ${SEED_BUDGET_S} s)…`);
    const seedStart = performance.now();
    while (stored < size && performance.now() - seedStart < SEED_BUDGET_S * 1000) {
      const r = await seedNodes(raw, Math.min(size - stored, 20 * NODES_PER_TREE), seq);
      seq = r.nextSeq;
      stored += r.inserted;
    }
    const seedS = (performance.now() - seedStart) / 1000;
    // A table at steady state has been vacuumed and analysed by autovacuum; a fresh bulk load has not.
    const vacuum = await timed(() => raw.query('VACUUM ANALYZE nodes'));
    const reached = stored >= size;
    note(
      `${stored} nodes stored (seeding ${fmt(seedS)} s, ${fmt(stored / seedS)} rows/s; VACUUM ANALYZE ${fmt(vacuum.ms / 1000)} s)`,
    );
    const { rows: picked } = await raw.query<{ id: string; treeid: string }>(
      "SELECT id, treeid FROM nodes WHERE kind = 'job' ORDER BY ord DESC LIMIT 1",
    );
    const sizeLabel = `${stored.toLocaleString('en-US')}${reached ? '' : ` (target ${size.toLocaleString('en-US')} not reached in ${SEED_BUDGET_S} s)`}`;
    for (const q of measuredQueries({ jobId: picked[0].id, treeid: picked[0].treeid })) {
      const a = summarize(await sample(() => apiGet(`${api.url}${q.api}`)));
      const r = summarize(
        await sample(async () => {
          for (const s of q.raw) await raw.query(s.sql, s.params);
        }),
      );
      rows.push([sizeLabel, q.label, a.n, a.p50, a.p99, r.p50, r.p99, `${fmt(a.p99 / r.p99)} ×`]);
    }
    rows.push([
      sizeLabel,
      `(bulk insert ${fmt(seedS)} s, VACUUM ANALYZE ${fmt(vacuum.ms / 1000)} s)`,
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
    if (!reached) break;
  }
  return rows;
}
