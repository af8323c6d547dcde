// `kci regression list`: regressions found by the pipeline, newest first.
import type { Command } from 'commander';
import { clientFor, examples, intOption } from '../context';
import { colors, printJson, printTable } from '../output';

interface ListOptions {
  tree?: string;
  branch?: string;
  active?: boolean;
  limit: number;
  json?: boolean;
}

export function registerRegression(program: Command): void {
  const regression = program.command('regression').description('regressions: tests that passed and now fail');
  examples(regression, ['kci regression list --active']);
  examples(
    regression
      .command('list')
      .description('list regressions (active ones have result "fail"; fixed ones "pass")')
      .option('-t, --tree <name>', 'only this tree')
      .option('-b, --branch <name>', 'only this branch')
      .option('--active', 'only regressions not fixed yet')
      .option('-l, --limit <n>', 'at most this many', intOption('limit', 1), 50)
      .option('--json', 'print the nodes as JSON')
      .action(async (opts: ListOptions, cmd: Command) => {
        const filters: Record<string, string> = { kind: 'regression' };
        if (opts.tree) filters['data.kernel_revision.tree'] = opts.tree;
        if (opts.branch) filters['data.kernel_revision.branch'] = opts.branch;
        if (opts.active) filters.result = 'fail';
        const page = await clientFor(cmd).findNodes(filters, { limit: opts.limit, sort: '-created' });
        if (opts.json) return printJson(page.items);
        const rev = (v: unknown) => {
          const r = (v ?? {}) as { tree?: string; branch?: string; describe?: string; commit?: string };
          return `${r.tree ?? '?'}/${r.branch ?? '?'} ${r.describe ?? r.commit?.slice(0, 12) ?? ''}`;
        };
        printTable(
          ['id', 'status', 'test', 'platform', 'fails since', 'created'],
          page.items.map((n) => [
            n.id,
            n.result === 'fail' ? colors.red('active') : colors.green('fixed'),
            String(n.data.test_path ?? n.path.join('.')),
            String(n.data.platform ?? ''),
            rev(n.data.kernel_revision),
            n.created,
          ]),
        );
      }),
    ['kci regression list --tree mainline --active', 'kci regression list --json | jq ".[].data.fail_node"'],
  );
}
