// `kci config …`: validate, dump and forecast the pipeline's YAML configuration (no server needed).
import type { Command } from 'commander';
import type { PipelineConfig } from '../../config';
import { SETTINGS } from '../../settings';
import { examples } from '../context';
import { CliError } from '../errors';
import { colors, printJson, printLine, printTable } from '../output';

interface ConfigOptions {
  config?: string[];
  json?: boolean;
}

/** `-c` paths, else MAESTRO_CONFIG (and its default). */
function configPaths(opts: ConfigOptions): string | string[] {
  if (opts.config?.length) return opts.config;
  return process.env[SETTINGS.pipelineConfig.env] || SETTINGS.pipelineConfig.default;
}

/** Loaded on use: the YAML stack is not needed by other commands. */
const configModule = () => import('../../config/index.js');

async function load(opts: ConfigOptions): Promise<{ config: PipelineConfig; files: string[] }> {
  const { loadConfig, ConfigError } = await configModule();
  try {
    return loadConfig(configPaths(opts));
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const e of err.errors) process.stderr.write(`${e}\n`);
      throw new CliError(
        `invalid configuration (${err.errors.length} error${err.errors.length === 1 ? '' : 's'})`,
      );
    }
    throw err;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('the pipeline configuration: validate, dump, forecast');
  examples(config, ['kci config validate -c config/', 'kci config forecast --tree mainline --branch master']);
  const pathOption = [
    '-c, --config <path>',
    'configuration file or directory (repeatable; default $MAESTRO_CONFIG, else config/local.yaml)',
  ] as const;

  examples(
    config
      .command('validate')
      .description('check the configuration; every error names file:line and path, exit code 1 when invalid')
      .option(...pathOption, collect)
      .option('--json', 'print JSON {valid, files, errors}')
      .action(async (opts: ConfigOptions) => {
        if (opts.json) {
          const { loadConfig, ConfigError } = await configModule();
          try {
            const { files } = loadConfig(configPaths(opts));
            return printJson({ valid: true, files, errors: [] });
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            printJson({ valid: false, errors: err.errors });
            process.exitCode = 1;
            return;
          }
        }
        const { config: cfg, files } = await load(opts);
        printLine(
          `configuration valid: ${files.length} file${files.length === 1 ? '' : 's'}, ${Object.keys(cfg.trees).length} trees, ` +
            `${Object.keys(cfg.build_configs).length} build configs, ${Object.keys(cfg.jobs).length} jobs, ` +
            `${Object.keys(cfg.platforms).length} platforms, ${Object.keys(cfg.runtimes).length} runtimes, ${cfg.scheduler.length} scheduler entries`,
        );
      }),
    ['kci config validate', 'kci config validate -c config/pipeline.yaml -c lab-overrides.yaml'],
  );

  examples(
    config
      .command('dump [section]')
      .description('print the merged configuration (or one section) as YAML')
      .option(...pathOption, collect)
      .option('--json', 'print JSON')
      .action(async (section: string | undefined, opts: ConfigOptions) => {
        const { config: cfg } = await load(opts);
        let value: unknown = cfg;
        if (section) {
          if (!(section in cfg))
            throw new CliError(`no section "${section}" (sections: ${Object.keys(cfg).join(', ')})`);
          value = (cfg as unknown as Record<string, unknown>)[section];
        }
        if (opts.json) return printJson(value);
        const { stringify } = await import('yaml');
        process.stdout.write(stringify(value));
      }),
    ['kci config dump', 'kci config dump scheduler', 'kci config dump jobs --json | jq keys'],
  );

  examples(
    config
      .command('forecast')
      .description(
        'which builds and tests a revision of a tree/branch would get (and why a job would not run)',
      )
      .requiredOption('--tree <tree>', 'tree name')
      .option('--branch <branch>', 'branch (default: every configured branch of the tree)')
      .option('--explain-job <job>', 'explain where and why this job runs or does not run')
      .option(...pathOption, collect)
      .option('--json', 'print JSON')
      .action(async (opts: ConfigOptions & { tree: string; branch?: string; explainJob?: string }) => {
        const { config: cfg } = await load(opts);
        const result = (await configModule()).forecast(cfg, {
          tree: opts.tree,
          branch: opts.branch,
          explainJob: opts.explainJob,
        });
        if (opts.json) return printJson(result);
        if (!result.revisions.length)
          printLine(
            `no build config for tree "${opts.tree}"${opts.branch ? ` branch "${opts.branch}"` : ''}`,
          );
        for (const rev of result.revisions) {
          printLine(colors.bold(`${rev.buildConfig}: ${rev.tree}/${rev.branch} — ${rev.jobs.length} jobs`));
          printTable(
            ['JOB', 'KIND', 'PLATFORM', 'RUNTIME', 'AFTER'],
            rev.jobs.map((j) => [j.job, colors.cyan(j.kind), j.platform, j.runtime, j.after]),
          );
          if (rev.skipped.length)
            printLine(
              colors.dim(`${rev.skipped.length} skipped (use --explain-job JOB or --json for reasons)`),
            );
          printLine();
        }
        if (result.explanation) {
          printLine(colors.bold(`why ${opts.explainJob}:`));
          for (const line of result.explanation) printLine(`  ${line}`);
        }
      }),
    [
      'kci config forecast --tree mainline --branch master',
      'kci config forecast --tree mainline --explain-job baseline-arm64',
    ],
  );
}
