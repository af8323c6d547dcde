// Progress of one revision for `kci pipeline status`: jobs done/total under its checkout node.
import type { ApiClient } from '../client/api-client';
import type { Node } from '../db/nodes/types';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { countTree, loadTree } from './node-tree';

/** Node kinds that are scheduled work ("jobs"); tests are their results. */
export const JOB_KINDS = ['kbuild', 'job'] as const;

export interface RevisionStatus {
  checkout: {
    id: string;
    name: string;
    tree?: string;
    branch?: string;
    commit?: string;
    state: string;
    result: string | null;
  };
  jobs: { done: number; total: number };
  tests: { pass: number; fail: number; skip: number; incomplete: number; pending: number };
  /** The checkout node is done: the tree is closed. */
  finished: boolean;
  temporalUi: string;
}

export async function latestCheckoutId(client: ApiClient): Promise<string> {
  const page = await client.findNodes({ kind: 'checkout' }, { limit: 1, sort: '-created' });
  if (!page.items.length)
    throw new Error('no checkout node yet: trigger the pipeline with `kci pipeline trigger`');
  return page.items[0].id;
}

export async function revisionStatus(
  client: ApiClient,
  checkoutId: string,
  ui: { url: string; namespace: string },
): Promise<RevisionStatus> {
  const tree = await loadTree(client, checkoutId);
  const root = tree.node;
  const revision = (root.data?.kernel_revision ?? {}) as { tree?: string; branch?: string; commit?: string };
  const tests = { pass: 0, fail: 0, skip: 0, incomplete: 0, pending: 0 };
  const visit = (n: { node: Node; child_nodes: { node: Node; child_nodes: unknown[] }[] }) => {
    if (n.node.kind === 'test') {
      const r = n.node.result;
      if (r && r in tests) tests[r as keyof typeof tests]++;
      else tests.pending++;
    }
    for (const c of n.child_nodes) visit(c as typeof n);
  };
  tree.child_nodes.forEach(visit);
  return {
    checkout: { id: root.id, name: root.name, ...revision, state: root.state, result: root.result },
    jobs: countTree(tree, JOB_KINDS),
    tests,
    finished: root.state === 'done',
    temporalUi: temporalUiLink(
      ui.url,
      ui.namespace,
      revision.commit
        ? { attr: SEARCH_ATTRIBUTES.commit, value: revision.commit }
        : { attr: SEARCH_ATTRIBUTES.nodeId, value: root.id },
    ),
  };
}

/** A Temporal Web UI list of the revision's workflows, filtered by a search attribute. */
export function temporalUiLink(
  base: string,
  namespace: string,
  filter: { attr: string; value: string },
): string {
  const query = `${filter.attr}="${filter.value}"`;
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** `[██████░░░░] 6/10` */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}
