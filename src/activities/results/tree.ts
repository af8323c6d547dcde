// Reading a revision's nodes with indexed queries only: `treeid` (every node of a tree carries its
// checkout's id) and `kind` + tree/branch + `created` for earlier revisions.
import { parseNodeQuery } from '../../db/nodes/filters';
import type { Node, NodeStore } from '../../db/nodes/types';

const PAGE = 1000;

/** Nodes matching `filters` (query-string syntax), every page. */
export async function findAll(
  store: NodeStore,
  filters: Record<string, string>,
  sort = ['created'],
): Promise<Node[]> {
  const { query } = parseNodeQuery(new URLSearchParams(filters).toString());
  const out: Node[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.findFast(query, { limit: PAGE, offset, sort });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** Every node of the revision whose checkout is `checkoutId` (the checkout included). */
export function treeOf(store: NodeStore, checkoutId: string, kind?: string): Promise<Node[]> {
  return findAll(store, { treeid: checkoutId, ...(kind ? { kind } : {}) });
}

export interface RevisionFacts {
  tree: string;
  branch: string;
  commit: string;
  url?: string;
  describe?: string;
}

export function revisionOf(checkout: Node): RevisionFacts {
  const r = (checkout.data.kernel_revision ?? {}) as Record<string, string | undefined>;
  return {
    tree: r.tree ?? '',
    branch: r.branch ?? '',
    commit: r.commit ?? '',
    url: r.url,
    describe: r.describe,
  };
}

/** Up to `limit` checkouts of the same tree and branch created before `checkout`, newest first. */
export async function earlierCheckouts(store: NodeStore, checkout: Node, limit: number): Promise<Node[]> {
  const rev = revisionOf(checkout);
  const { query } = parseNodeQuery(
    new URLSearchParams({
      kind: 'checkout',
      'data.kernel_revision.tree': rev.tree,
      'data.kernel_revision.branch': rev.branch,
      created__lt: checkout.created,
    }).toString(),
  );
  return store.findFast(query, { limit, offset: 0, sort: ['-created'] });
}
