// `kci job …`: KernelCI's own kci spells job handling `job new|generate|submit` (create a job node, render
// its definition, hand it to a runtime). Here jobs are scheduled by the pipeline's workflows, so these
// spellings are accepted and answer which command does the work instead.
import type { Command } from 'commander';
import { examples } from '../context';
import { CliError, EXIT } from '../errors';

/** What each of KernelCI's `kci job` commands maps to here. */
export const JOB_COMMAND_REPLACEMENTS: Record<string, string> = {
  new: 'jobs are created by the pipeline when a scheduler entry matches: run `kci pipeline trigger --tree T --branch B` (or submit a node with `kci node submit FILE`)',
  generate:
    'job definitions are rendered by the pipeline workflows: `kci config forecast --tree T --branch B --explain-job JOB` shows what would run and with which parameters',
  submit:
    'jobs reach runtimes through Temporal task queues: run `kci worker --runtime NAME` next to the runtime, and `kci pipeline status` to follow jobs',
};

export function registerJob(program: Command): void {
  const job = program
    .command('job')
    .description("KernelCI's `kci job new|generate|submit`: says which command to use here");
  for (const [name, instead] of Object.entries(JOB_COMMAND_REPLACEMENTS)) {
    examples(
      job
        .command(`${name} [args...]`)
        .allowUnknownOption()
        .description(`not needed here: ${instead}`)
        .action(() => {
          throw new CliError(`kci job ${name} is not used with Maestro on Temporal: ${instead}`, EXIT.usage);
        }),
      [`kci job ${name}  # prints which command to use instead`],
    );
  }
  examples(job, [
    'kci pipeline trigger --tree mainline --branch master',
    'kci config forecast --tree mainline',
  ]);
}
