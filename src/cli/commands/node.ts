// `kci node …`: read, query, submit nodes and show a whole tree.
import type { Command } from 'commander';
import type { NodeInput, NodeTreeInput } from '../../db/nodes/types';
import { attributesToFilters } from '../attributes';
import { authedClientFor, clientFor, examples, intOption, readJsonInput } from '../context';
import { CliError } from '../errors';
import {
  NODE_TABLE_HEADERS,
  colors,
  nodeRow,
  printFields,
  printJson,
  printLine,
  printTable,
} from '../output';
import { loadTree, renderTree } from '../node-tree';

interface JsonOption {
  json?: boolean;
}

export function registerNode(program: Command): void {
  const node = program.command('node').description('nodes: get, find, count, submit, tree');
  examples(node, [
    'kci node find kind=checkout data.kernel_revision.tree=mainline -l 5',
    'kci node tree 65a1f0c2e4b0a1b2c3d4e5f6',
  ]);

  examples(
    node
      .command('get <id>')
      .description('show one node')
      .option('--json', 'print JSON')
      .action(async (id: string, opts: JsonOption, cmd: Command) => {
        const n = await clientFor(cmd).getNode(id);
        if (opts.json) return printJson(n);
        printFields(Object.entries(n));
      }),
    ['kci node get 65a1f0c2e4b0a1b2c3d4e5f6', 'kci node get 65a1f0c2e4b0a1b2c3d4e5f6 --json | jq .artifacts'],
  );

  examples(
    node
      .command('find [attributes...]')
      .description(
        'find nodes matching attributes (key=value, key>v, key<v, key>=v, key<=v, key!=v, key=~regex)',
      )
      .option('-l, --limit <n>', 'page size', intOption('limit', 1), 10)
      .option('-n, --offset <n>', 'skip this many nodes', intOption('offset', 0), 0)
      .option('-s, --sort <fields>', 'sort order, e.g. -created or kind,name')
      .option('--json', 'print the page as JSON {items, total, limit, offset}')
      .action(
        async (
          attributes: string[],
          opts: { limit: number; offset: number; sort?: string; json?: boolean },
          cmd: Command,
        ) => {
          const filters = attributesToFilters(attributes);
          const page = await clientFor(cmd).findNodes(filters, {
            limit: opts.limit,
            offset: opts.offset,
            sort: opts.sort,
          });
          if (opts.json) return printJson(page);
          printTable(NODE_TABLE_HEADERS, page.items.map(nodeRow));
          const last = page.offset + page.items.length;
          printLine(
            colors.dim(`${page.items.length ? `${page.offset + 1}-${last}` : 'none'} of ${page.total}`),
          );
        },
      ),
    [
      'kci node find kind=kbuild data.arch=arm64 result=fail',
      'kci node find kind=test "created>=2026-01-01" name=~^baseline -l 50 -n 100',
      'kci node find kind__in=kbuild,job state!=done --json',
    ],
  );

  examples(
    node
      .command('count [attributes...]')
      .description('count nodes matching attributes (same syntax as find)')
      .option('--json', 'print JSON')
      .action(async (attributes: string[], opts: JsonOption, cmd: Command) => {
        const count = await clientFor(cmd).countNodes(attributesToFilters(attributes));
        printLine(opts.json ? JSON.stringify(count) : String(count));
      }),
    ['kci node count kind=test result=fail data.kernel_revision.tree=mainline'],
  );

  examples(
    node
      .command('submit <file>')
      .description('create a node from a JSON file (- for stdin), or replace it when the JSON has an "id"')
      .option('--json', 'print the stored node as JSON')
      .action(async (file: string, opts: JsonOption, cmd: Command) => {
        const body = readJsonInput<Partial<NodeInput> & { id?: string }>(file);
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw new CliError(`${file}: expected one JSON object`);
        const client = authedClientFor(cmd);
        // A node as `kci node get --json` prints it goes back unchanged: the API accepts the echoed
        // server fields (id, owner, created, updated) on replace.
        const stored = body.id
          ? await client.replaceNode(body.id, body as NodeInput)
          : await client.createNode(body as NodeInput);
        if (opts.json) return printJson(stored);
        printLine(`${body.id ? 'updated' : 'created'} ${stored.kind} ${stored.name} ${stored.id}`);
      }),
    ['kci node submit checkout.json', 'kci node get ID --json | jq \'.data.note="x"\' | kci node submit -'],
  );

  examples(
    node
      .command('submit-hierarchy <id> <file>')
      .description('submit a tree {node, child_nodes:[…]} under the existing node ID')
      .option('--json', 'print the stored nodes as JSON')
      .action(async (id: string, file: string, opts: JsonOption, cmd: Command) => {
        const tree = readJsonInput<NodeTreeInput>(file);
        if (!tree || typeof tree !== 'object' || !('node' in tree))
          throw new CliError(`${file}: expected {"node": {…}, "child_nodes": […]}`);
        const stored = await authedClientFor(cmd).submitHierarchy(id, {
          ...tree,
          child_nodes: tree.child_nodes ?? [],
        });
        if (opts.json) return printJson(stored);
        printTable(NODE_TABLE_HEADERS, (Array.isArray(stored) ? stored : []).map(nodeRow));
      }),
    ['kci node submit-hierarchy 65a1f0c2e4b0a1b2c3d4e5f6 results.json'],
  );

  examples(
    node
      .command('tree <id>')
      .description('the whole tree under a node: kind, name, state and result of every descendant')
      .option('--json', 'print the tree as JSON {node, child_nodes}')
      .action(async (id: string, opts: JsonOption, cmd: Command) => {
        const tree = await loadTree(clientFor(cmd), id);
        if (opts.json) return printJson(tree);
        for (const line of renderTree(tree)) printLine(line);
      }),
    ['kci node tree 65a1f0c2e4b0a1b2c3d4e5f6', 'kci node tree 65a1f0c2e4b0a1b2c3d4e5f6 --json'],
  );

  examples(
    node
      .command('findfast [attributes...]')
      .description("find nodes without counting them (GET /nodes/fast; KernelCI's kci spelling); prints JSON")
      .option('-l, --limit <n>', 'how many', intOption('limit', 1), 100)
      .option('-n, --offset <n>', 'skip this many nodes', intOption('offset', 0), 0)
      .action(async (attributes: string[], opts: { limit: number; offset: number }, cmd: Command) => {
        const nodes = await clientFor(cmd).findNodesFast(attributesToFilters(attributes), {
          limit: opts.limit,
          offset: opts.offset,
        });
        printJson(nodes);
      }),
    ['kci node findfast kind=kbuild state=done -l 500 | jq length'],
  );
}
