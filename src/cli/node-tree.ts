// Loading every descendant of a node (level by level with `parent__in`) and drawing it as a tree.
import type { ApiClient } from '../client/api-client';
import type { Node } from '../db/nodes/types';
import { colorKind, colorResult, colorState, colors } from './output';

export interface NodeTree {
  node: Node;
  child_nodes: NodeTree[];
}

/** Ids per `parent__in` query: keeps URLs short. */
const IDS_PER_QUERY = 40;
const PAGE = 1000;

/**
 * Every descendant of a node. Under a checkout one `treeid` query finds the whole tree (the pipeline sets
 * treeid to the checkout's id); anywhere else it walks down level by level.
 */
export async function loadTree(client: ApiClient, rootId: string): Promise<NodeTree> {
  const root: NodeTree = { node: await client.getNode(rootId), child_nodes: [] };
  if (root.node.kind === 'checkout' && root.node.treeid) {
    const byId = new Map<string, NodeTree>([[root.node.id, root]]);
    const all: NodeTree[] = [];
    for await (const n of client.iterateNodes({ treeid: root.node.treeid }, PAGE)) {
      if (n.id === root.node.id) continue;
      const entry: NodeTree = { node: n, child_nodes: [] };
      byId.set(n.id, entry);
      all.push(entry);
    }
    for (const entry of all) byId.get(entry.node.parent ?? '')?.child_nodes.push(entry);
    sortChildren(root);
    return root;
  }
  let level: NodeTree[] = [root];
  while (level.length) {
    const byId = new Map(level.map((t) => [t.node.id, t]));
    const next: NodeTree[] = [];
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const filters = { parent__in: ids.slice(i, i + IDS_PER_QUERY) };
      for await (const child of client.iterateNodes(filters, PAGE)) {
        const entry: NodeTree = { node: child, child_nodes: [] };
        byId.get(child.parent ?? '')?.child_nodes.push(entry);
        next.push(entry);
      }
    }
    level = next;
  }
  sortChildren(root);
  return root;
}

function sortChildren(tree: NodeTree): void {
  // Same-millisecond siblings keep their creation order: ids grow with each insert.
  tree.child_nodes.sort(
    (a, b) => a.node.created.localeCompare(b.node.created) || a.node.id.localeCompare(b.node.id),
  );
  tree.child_nodes.forEach(sortChildren);
}

/** Lines of an indented tree: `├─ kbuild gcc-12-x86 done pass  (id)`. */
export function renderTree(tree: NodeTree): string[] {
  const lines: string[] = [describe(tree.node)];
  const walk = (children: NodeTree[], prefix: string) => {
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${describe(child.node)}`);
      walk(child.child_nodes, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(tree.child_nodes, '');
  return lines;
}

function describe(node: Node): string {
  return `${colorKind(node.kind)} ${colors.bold(node.name)} ${colorState(node.state)} ${colorResult(node.result)} ${colors.dim(node.id)}`;
}

/** Counts of a tree's nodes by state, for progress displays. */
export function countTree(tree: NodeTree, kinds?: readonly string[]): { total: number; done: number } {
  let total = 0;
  let done = 0;
  const visit = (t: NodeTree) => {
    if (!kinds || kinds.includes(t.node.kind)) {
      total++;
      if (t.node.state === 'done') done++;
    }
    t.child_nodes.forEach(visit);
  };
  tree.child_nodes.forEach(visit);
  return { total, done };
}
