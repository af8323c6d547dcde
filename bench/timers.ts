// Benchmark 4: timer accuracy. One revision schedules 50 kbuilds that pass (each then waits out a holdoff
// timer before closing) and 100 jobs that hang past their timeout, all expiring together (the workflow
// timer marks them done/incomplete). Firing error = when the node changed − its deadline.
import { triggerNow } from '../src/workflows/pipeline/client';
import { startBenchPipeline, until } from './lib/pipeline-stack';
import { fmt, note, printTable, summarize } from './lib/stats';

const N = Number(process.env.BENCH_TIMER_HOLDOFFS ?? 50);
const HUNG = Number(process.env.BENCH_TIMER_TIMEOUTS ?? 100);
const HOLDOFF = '5s';
const JOB_TIMEOUT = '15s';

function timersConfig(a: { storageUrl: string; apiUrl: string; treeUrl: string }): string {
  const ids = Array.from({ length: N }, (_, i) => String(i).padStart(3, '0'));
  const hungIds = Array.from({ length: HUNG }, (_, i) => String(i).padStart(3, '0'));
  return `pipeline: { trigger_interval: 24h, holdoff: ${HOLDOFF}, checkout_timeout: 10m, job_timeout: ${JOB_TIMEOUT}, heartbeat_timeout: 30s }
trees: { bench: { url: "${a.treeUrl}" } }
build_configs: { bench: { tree: bench, branch: master } }
runtimes: { shell: { type: shell } }
jobs:
${ids.map((i) => `  kbuild-${i}: { kind: kbuild, command: "mkdir -p out && echo image > out/bzImage", params: { arch: x86_64, defconfig: defconfig, compiler: cc }, artifacts: { kernel_image: out/bzImage }, timeout: 5m }`).join('\n')}
${hungIds.map((i) => `  hang-${i}: { kind: job, command: "sleep 600", timeout: ${JOB_TIMEOUT} }`).join('\n')}
scheduler:
${ids.map((i) => `  - { job: kbuild-${i}, event: { kind: checkout, state: available }, runtime: shell }`).join('\n')}
${hungIds.map((i) => `  - { job: hang-${i}, event: { kind: checkout, state: available }, runtime: shell }`).join('\n')}
storage: { type: http, base_url: "${a.storageUrl}" }
api: { url: "${a.apiUrl}" }
`;
}

export async function runTimersBench(): Promise<void> {
  const bench = await startBenchPipeline('timers', timersConfig);
  try {
    const commit = await bench.stack.commit();
    note(
      `revision ${commit.slice(0, 12)} → ${N} kbuilds (holdoff ${HOLDOFF}) + ${HUNG} hanging jobs (timeout ${JOB_TIMEOUT})`,
    );
    await triggerNow(bench.client, { tree: 'bench' });
    const checkout = await until('checkout node', 60_000, () => bench.checkoutOf(commit));
    await until('tree done', 10 * 60_000, () =>
      bench.node(checkout.id).then((n) => n?.state === 'done' && n),
    );
    const tree = await bench.descendantsOf(checkout.id);
    const kbuilds = tree.filter((n) => n.kind === 'kbuild' && n.state === 'done' && n.holdoff);
    const hung = tree.filter((n) => n.name.startsWith('hang-'));
    const holdoffErr = kbuilds.map((n) => n.updated.getTime() - n.holdoff!.getTime());
    const timeoutErr = hung.map((n) => n.updated.getTime() - n.timeout.getTime());
    const h = summarize(holdoffErr);
    const t = summarize(timeoutErr);
    const timedOut = hung.filter(
      (n) => n.result === 'incomplete' && n.data.error_code === 'node_timeout',
    ).length;
    printTable(
      `Timer accuracy over ${N} holdoffs and ${HUNG} timeouts (firing error = node change − deadline, ms)`,
      ['timer', 'nodes', 'p50 ms', 'p99 ms', 'max ms', 'min ms'],
      [
        [`kbuild holdoff (${HOLDOFF}) → closed`, h.n, h.p50, h.p99, h.max, Math.min(...holdoffErr)],
        [
          `job timeout (${JOB_TIMEOUT}) → done/incomplete/node_timeout (${timedOut} of ${hung.length})`,
          t.n,
          t.p50,
          t.p99,
          t.max,
          Math.min(...timeoutErr),
        ],
      ],
    );
    if (kbuilds.length < N)
      note(`only ${kbuilds.length} kbuilds closed after a holdoff: ${fmt(N - kbuilds.length)} missing`);
  } finally {
    await bench.stop();
  }
}
