// Small helpers over the node store shared by the pipeline's activities.
import { parseNodeQuery } from '../../db/nodes/filters';
import type { Node, NodeStore } from '../../db/nodes/types';

const PAGE = 1000;

export async function childrenOf(store: NodeStore, parentId: string): Promise<Node[]> {
  const out: Node[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { query } = parseNodeQuery(`parent=${parentId}`);
    const page = await store.findFast(query, { limit: PAGE, offset, sort: ['created'] });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** The node and all its descendants, breadth first. */
export async function subtree(store: NodeStore, rootId: string): Promise<Node[]> {
  const root = await store.get(rootId);
  if (!root) return [];
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(await childrenOf(store, all[i].id)));
  return all;
}

export const iso = (ms: number) => new Date(ms).toISOString();
