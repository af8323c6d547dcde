// Small helpers over the node store shared by the pipeline's activities.
import { nodeQuery } from '../../db/nodes/filters';
import type { Node, NodeStore } from '../../db/nodes/types';

const PAGE = 1000;

export async function childrenOf(store: NodeStore, parentId: string): Promise<Node[]> {
  const out: Node[] = [];
  const query = nodeQuery({ parent: parentId });
  for (let offset = 0; ; offset += PAGE) {
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

// The pipeline keeps times as epoch ms; the node model speaks ISO-8601, so times cross over only here.
export const iso = (ms: number) => new Date(ms).toISOString();
/** A node's deadline as epoch ms. Read back from the node: an idempotent re-create keeps the first one. */
export const deadlineOf = (node: Node) => Date.parse(node.timeout);
