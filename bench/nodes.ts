// Benchmark 1: node create and indexed query throughput, API (HTTP, events on) vs raw SQL on the same
// PostgreSQL at the same concurrency; then /nodes and /count latency with 100k and 1M nodes stored.
import { measureLatency } from './nodes/latency';
import { CONCURRENCY, measureThroughput } from './nodes/throughput';
import { startApi, type RunningApi } from './lib/processes';
import { startBenchServers } from './lib/servers';
import { printTable } from './lib/stats';

export async function runNodesBench(): Promise<void> {
  const servers = await startBenchServers('nodes');
  let api: RunningApi | undefined;
  try {
    const raw = servers.pool(CONCURRENCY);
    const rawTcp = servers.pool(CONCURRENCY, { tcp: true });
    api = await startApi(servers);
    printTable(
      `Node throughput (concurrency ${CONCURRENCY}, API with events on vs raw SQL, same database)`,
      ['operation', 'API ops/s', 'raw SQL ops/s', 'API / raw'],
      await measureThroughput(api, raw, rawTcp),
    );
    printTable(
      'GET /nodes and /count latency with many nodes stored (ms, sequential requests; raw = the same query in SQL)',
      ['stored', 'query', 'samples', 'API p50', 'API p99', 'raw p50', 'raw p99', 'API p99 / raw p99'],
      await measureLatency(api, raw),
    );
  } finally {
    await api?.process.stop(5000);
    await servers.stop();
  }
}
