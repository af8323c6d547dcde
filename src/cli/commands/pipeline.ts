// `kci pipeline …`: run the trigger now, follow a revision's progress.
import type { Command } from 'commander';
import type { TriggerResult } from '../../workflows/pipeline/types';
import { SETTINGS } from '../../settings';
import { clientFor, examples, intOption } from '../context';
import { CliError } from '../errors';
import {
  colorResult,
  colorState,
  colors,
  formatFields,
  printJson,
  printJsonLine,
  printLine,
  visibleLength,
} from '../output';
import { latestCheckoutId, progressBar, revisionStatus, type RevisionStatus } from '../pipeline-status';

interface StatusOptions {
  json?: boolean;
  wait?: boolean;
  watch?: boolean;
  interval: number;
  timeout?: number;
}

function envSetting(def: { env: string; default?: string }): string | undefined {
  return process.env[def.env] || def.default;
}

export function registerPipeline(program: Command): void {
  const pipeline = program.command('pipeline').description('the pipeline: trigger, status');
  examples(pipeline, ['kci pipeline trigger --tree mainline --branch master', 'kci pipeline status']);

  registerTrigger(pipeline);

  examples(
    pipeline
      .command('status [checkout-node-id]')
      .description(
        'progress of a revision (default: the latest checkout): jobs done/total, tests, Temporal UI link; live on a TTY',
      )
      .option('-w, --wait', 'keep watching until the tree is closed (default on a TTY)')
      .option('--no-watch', 'print the status once, even on a TTY')
      .option('--interval <seconds>', 'poll interval while watching', intOption('interval', 1), 2)
      .option(
        '--timeout <seconds>',
        'give up watching after this long (exit code 1)',
        intOption('timeout', 1),
      )
      .option('--json', 'print JSON (one line per change while watching)')
      .action(async (checkoutId: string | undefined, opts: StatusOptions, cmd: Command) => {
        const client = clientFor(cmd);
        const id = checkoutId ?? (await latestCheckoutId(client));
        const ui = {
          url: envSetting(SETTINGS.temporalUiUrl)!,
          namespace: envSetting(SETTINGS.temporalNamespace)!,
        };
        const tty = Boolean(process.stdout.isTTY) && !opts.json;
        const watch = opts.watch !== false && (opts.wait || tty);
        const deadline = opts.timeout ? Date.now() + opts.timeout * 1000 : Infinity;
        let previous = '';
        let rows = 0;
        for (;;) {
          const status = await revisionStatus(client, id, ui);
          const key = JSON.stringify([status.jobs, status.tests, status.checkout.state]);
          if (!watch) return opts.json ? printJson(status) : printStatus(status);
          if (tty) rows = renderLive(status, rows);
          else if (key !== previous) {
            if (opts.json) printJsonLine(status);
            else printLine(statusLine(status));
          }
          previous = key;
          if (status.finished) {
            if (tty) process.stdout.write('\n');
            return;
          }
          if (Date.now() > deadline)
            throw new CliError(`revision ${id} still ${status.checkout.state} after ${opts.timeout}s`);
          await new Promise((r) => setTimeout(r, opts.interval * 1000));
        }
      }),
    [
      'kci pipeline status                          # the latest checkout, live on a terminal',
      'kci pipeline status 65a1f0c2e4b0a1b2c3d4e5f6 --no-watch --json',
      'kci pipeline status --wait --timeout 3600    # in scripts: one line per change until done',
    ],
  );
}

function registerTrigger(pipeline: Command): void {
  examples(
    pipeline
      .command('trigger')
      .description(
        'run the trigger now: check the configured trees/branches for new commits and start their checkouts (needs TEMPORAL_ADDRESS and a running pipeline worker)',
      )
      .option('--tree <tree>', 'only this tree')
      .option('--branch <branch>', 'only this branch')
      .option('--task-queue <name>', 'task queue of the pipeline worker', 'pipeline')
      .option('--json', 'print JSON')
      .action(async (opts: { tree?: string; branch?: string; taskQueue: string; json?: boolean }) => {
        const address = process.env[SETTINGS.temporalAddress.env];
        if (!address)
          throw new CliError(`${SETTINGS.temporalAddress.env} must be set (the Temporal frontend host:port)`);
        const namespace = envSetting(SETTINGS.temporalNamespace)!;
        // Loaded lazily: only this command needs the Temporal client.
        const { connectClient } = await import('../../temporal/connection.js');
        const { triggerNow } = await import('../../workflows/pipeline/client.js');
        const client = await connectClient(address, namespace);
        try {
          const result = await triggerNow(client, {
            tree: opts.tree,
            branch: opts.branch,
            taskQueue: opts.taskQueue,
          });
          if (opts.json) printJson(result);
          else printTriggerResult(result);
          if (result.errors.length) process.exitCode = 1;
        } finally {
          await client.connection.close();
        }
      }),
    [
      'TEMPORAL_ADDRESS=127.0.0.1:7233 kci pipeline trigger',
      'kci pipeline trigger --tree mainline --branch master --json',
    ],
  );
}

function printTriggerResult(result: TriggerResult): void {
  printLine(
    `${result.started.length} started, ${result.existing.length} already known, ${result.errors.length} errors`,
  );
  for (const id of result.started) printLine(`  ${colors.green('started')}  ${id}`);
  for (const id of result.existing) printLine(`  ${colors.dim('known')}    ${id}`);
  for (const e of result.errors) process.stderr.write(`  ${colors.red('error')}    ${e}\n`);
}

function statusLine(s: RevisionStatus): string {
  const t = s.tests;
  return `${s.checkout.name} ${s.checkout.state} jobs ${s.jobs.done}/${s.jobs.total} tests pass=${t.pass} fail=${t.fail} skip=${t.skip} incomplete=${t.incomplete} pending=${t.pending}`;
}

function printStatus(s: RevisionStatus): void {
  for (const line of statusBlock(s)) printLine(line);
}

function statusBlock(s: RevisionStatus): string[] {
  const c = s.checkout;
  return formatFields([
    ['checkout', `${c.name} ${colors.dim(c.id)}`],
    ['revision', [c.tree, c.branch, c.commit].filter(Boolean).join(' ') || '-'],
    ['state', `${colorState(c.state)} ${colorResult(c.result)}`],
    ['jobs', progressBar(s.jobs.done, s.jobs.total)],
    [
      'tests',
      `${colors.green(`${s.tests.pass} pass`)}, ${colors.red(`${s.tests.fail} fail`)}, ${s.tests.skip} skip, ${s.tests.incomplete} incomplete, ${s.tests.pending} pending`,
    ],
    ['temporal', s.temporalUi],
  ]);
}

/** Redraws the status block in place (moving up by the rows it took, wrapped lines included). */
function renderLive(s: RevisionStatus, previousRows: number): number {
  const lines = [...statusBlock(s), colors.dim(s.finished ? 'tree closed' : 'watching… (Ctrl-C to stop)')];
  if (previousRows) process.stdout.write(`\x1b[${previousRows}A\x1b[J`);
  for (const line of lines) printLine(line);
  const columns = process.stdout.columns || 80;
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(visibleLength(line) / columns)), 0);
}
