// `kci kcidb export --checkout ID`: a revision's KCIDB report (schema v5.3), read over the API.
import type { Command } from 'commander';
import type { PlatformConfig } from '../../config/types';
import type { Node } from '../../db/nodes/types';
import { reportItems, toReport } from '../../kcidb/report';
import { clientFor, examples } from '../context';
import { CliError } from '../errors';
import { printJson } from '../output';

interface ExportOptions {
  checkout: string;
  origin?: string;
  config?: string;
  all?: boolean;
}

export function registerKcidb(program: Command): void {
  const kcidb = program.command('kcidb').description('KCIDB: the reports the bridge sends');
  examples(kcidb, ['kci kcidb export --checkout 65a1f0c2e4b0a1b2c3d4e5f6 | jq ".tests | length"']);
  examples(
    kcidb
      .command('export')
      .description('print the KCIDB v5.3 report of one revision (every finished node of its tree)')
      .requiredOption('--checkout <id>', 'the checkout node of the revision')
      .option('--origin <name>', 'KCIDB origin (default: results.kcidb.origin of --config, else "maestro")')
      .option('-c, --config <path>', 'pipeline configuration, for the origin and platform details')
      .option('--all', 'include unfinished nodes too')
      .action(async (opts: ExportOptions, cmd: Command) => {
        if (!/^[0-9a-fA-F]{24}$/.test(opts.checkout))
          throw new CliError(`--checkout: "${opts.checkout}" is not a node id`);
        let origin = opts.origin;
        let platforms: Record<string, PlatformConfig> | undefined;
        if (opts.config) {
          const { loadConfig } = await import('../../config/load.js');
          const { config } = loadConfig(opts.config);
          origin ??= config.results.kcidb.origin;
          platforms = config.platforms;
        }
        origin ??= 'maestro';
        if (!/^[a-z0-9_]+$/.test(origin))
          throw new CliError(`--origin: must match [a-z0-9_]+, got "${origin}"`);
        const client = clientFor(cmd);
        const root = await client.getNode(opts.checkout);
        if (!root) throw new CliError(`--checkout: no node ${opts.checkout}`);
        if (root.kind !== 'checkout')
          throw new CliError(`--checkout: node ${root.id} is a ${root.kind}, not a checkout`);
        const nodes: Node[] = [];
        for await (const n of client.iterateNodes({ treeid: root.treeid ?? root.id })) nodes.push(n);
        if (!nodes.some((n) => n.id === root.id)) nodes.push(root);
        printJson(toReport(reportItems(nodes, { origin, platforms }, opts.all ? () => true : undefined)));
      }),
    [
      'kci kcidb export --checkout 65a1f0c2e4b0a1b2c3d4e5f6 > report.json',
      'kci kcidb export --checkout 65a1f0c2e4b0a1b2c3d4e5f6 -c config/ --origin maestro',
    ],
  );
}
