// The kci command tree: one register function per command group (src/cli/commands/).
import { Command } from 'commander';
import { VERSION } from '../version';
import { registerCompletion } from './commands/completion';
import { registerConfig } from './commands/config';
import { registerEvent } from './commands/event';
import { registerJob } from './commands/job';
import { registerKcidb } from './commands/kcidb';
import { registerLogin } from './commands/login';
import { registerNode } from './commands/node';
import { registerPipeline } from './commands/pipeline';
import { registerRegression } from './commands/regression';
import { registerStorage } from './commands/storage';
import { registerUser } from './commands/user';
import { registerWorker } from './commands/worker';
import { examples } from './context';

export function buildProgram(): Command {
  // exitOverride first: subcommands inherit it, so main() decides every exit code.
  const program = new Command('kci')
    .exitOverride()
    .description(
      'KernelCI command-line tool for Maestro on Temporal: users, nodes, events, configuration, pipeline and lab workers',
    )
    .version(VERSION)
    .option('--api <name>', 'API instance from the kci settings file (default: its "default")')
    .showHelpAfterError('(add --help for usage and examples)');
  registerLogin(program);
  registerUser(program);
  registerNode(program);
  registerEvent(program);
  registerConfig(program);
  registerJob(program);
  registerPipeline(program);
  registerWorker(program);
  registerKcidb(program);
  registerRegression(program);
  registerStorage(program);
  registerCompletion(program);
  examples(program, [
    'kci login -u alice',
    'kci node find kind=checkout -l 5',
    'kci event follow node',
    'kci config validate',
    'kci pipeline status',
    '',
    'Settings: ~/.config/kci/config.toml ($KCI_CONFIG); KCI_API_URL and KCI_API_TOKEN override the selected instance.',
  ]);
  return program;
}
