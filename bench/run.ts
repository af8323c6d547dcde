// `npm run bench [-- nodes events pipeline timers day]`: runs the benchmarks in order, each printing a
// table. Each starts its own PostgreSQL and Temporal dev server; they are measurements, not tests.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { runDayBench } from './day';
import { runEventsBench } from './events';
import { note } from './lib/stats';
import { runNodesBench } from './nodes';
import { runPipelineBench } from './pipeline';
import { runTimersBench } from './timers';

type Bench = () => Promise<void>;

const BENCHES: Record<string, Bench> = {
  nodes: runNodesBench,
  events: runEventsBench,
  pipeline: runPipelineBench,
  timers: runTimersBench,
  day: runDayBench,
};

function machine(): string {
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return 'n/a';
    }
  };
  return [
    `date: ${new Date().toISOString()}`,
    `cpus: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node: ${process.version}, ${os.type()} ${os.release()}`,
    `git: ${version('git', ['--version'])}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected = names.length ? names : Object.keys(BENCHES);
  for (const name of selected) {
    if (!BENCHES[name])
      throw new Error(`unknown benchmark "${name}"; choose from ${Object.keys(BENCHES).join(', ')}`);
  }
  process.stdout.write(`## Benchmark run\n\n\`\`\`\n${machine()}\n\`\`\`\n`);
  let failed = 0;
  for (const name of selected) {
    note(`running ${name}…`);
    const started = Date.now();
    try {
      await BENCHES[name]();
    } catch (err) {
      failed++;
      process.stdout.write(`\n### ${name}: FAILED — ${(err as Error).stack ?? err}\n`);
    }
    note(`${name} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  process.exit(failed ? 1 : 0);
}

void main();
