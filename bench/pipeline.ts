// Benchmark 3: one revision fanning out to 100 shell jobs (trivial commands) run by a real lab worker:
// commit → checkout node, tarball → all 100 job nodes scheduled, tarball → tree done.
import { triggerNow } from '../src/workflows/pipeline/client';
import { startBenchPipeline, until } from './lib/pipeline-stack';
import { fmt, note, printTable } from './lib/stats';

const JOBS = Number(process.env.BENCH_PIPELINE_JOBS ?? 100);
const HOLDOFF_MS = 1000;

function fanoutConfig(a: { storageUrl: string; apiUrl: string; treeUrl: string }): string {
  const names = Array.from({ length: JOBS }, (_, i) => `fan-${String(i).padStart(3, '0')}`);
  return `pipeline: { trigger_interval: 24h, holdoff: 1s, checkout_timeout: 10m, job_timeout: 5m, heartbeat_timeout: 30s }
trees: { bench: { url: "${a.treeUrl}" } }
build_configs: { bench: { tree: bench, branch: master } }
runtimes: { shell: { type: shell } }
jobs:
${names.map((n) => `  ${n}: { kind: job, command: "true" }`).join('\n')}
scheduler:
${names.map((n) => `  - { job: ${n}, event: { kind: checkout, state: available }, runtime: shell }`).join('\n')}
storage: { type: http, base_url: "${a.storageUrl}" }
api: { url: "${a.apiUrl}" }
`;
}

export async function runPipelineBench(): Promise<void> {
  const bench = await startBenchPipeline('pipeline', fanoutConfig);
  try {
    const commit = await bench.stack.commit();
    note(`revision ${commit.slice(0, 12)} → ${JOBS} shell jobs`);
    const t0 = Date.now();
    const triggered = await triggerNow(bench.client, { tree: 'bench' });
    const checkout = await until('checkout node', 60_000, () => bench.checkoutOf(commit));
    const done = await until('tree done', 10 * 60_000, () =>
      bench.node(checkout.id).then((n) => n?.state === 'done' && n),
    );
    const tree = await bench.descendantsOf(checkout.id);
    const jobs = tree.filter((n) => n.kind === 'job');
    const availableAt = done.holdoff!.getTime() - HOLDOFF_MS;
    const lastScheduled = Math.max(...jobs.map((j) => j.created.getTime()));
    const lastJobDone = Math.max(...jobs.map((j) => j.updated.getTime()));
    const handle = bench.client.workflow.getHandle(triggered.started[0]);
    const historyEvents = (await handle.fetchHistory()).events?.length ?? 0;
    printTable(
      `Pipeline fan-out: one revision → ${JOBS} shell jobs (\`true\`), real lab worker, holdoff ${HOLDOFF_MS} ms`,
      ['measure', 'value'],
      [
        ['trigger → checkout node created', `${fmt(checkout.created.getTime() - t0)} ms`],
        [
          'checkout created → tarball uploaded (node available)',
          `${fmt(availableAt - checkout.created.getTime())} ms`,
        ],
        [`tarball → all ${JOBS} job nodes scheduled`, `${fmt(lastScheduled - availableAt)} ms`],
        [`tarball → all ${JOBS} jobs done`, `${fmt(lastJobDone - availableAt)} ms`],
        ['tarball → tree done (checkout done)', `${fmt(done.updated.getTime() - availableAt)} ms`],
        ['job nodes (distinct names)', `${jobs.length} (${new Set(jobs.map((j) => j.name)).size})`],
        [
          'job results',
          Object.entries(
            jobs.reduce<Record<string, number>>(
              (m, j) => ({ ...m, [`${j.state}/${j.result}`]: (m[`${j.state}/${j.result}`] ?? 0) + 1 }),
              {},
            ),
          )
            .map(([k, v]) => `${k}: ${v}`)
            .join(', '),
        ],
        ['checkout workflow history events', historyEvents],
      ],
    );
  } finally {
    await bench.stop();
  }
}
