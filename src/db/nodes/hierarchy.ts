// PUT /nodes/{id}: create or update a tree of nodes under an existing root. Written top-down, one level
// at a time (an interrupted submit never leaves an orphan), and children are matched to existing nodes
// by (parent, name) so a retried identical submit creates nothing twice and emits nothing twice.
import { ObjectId } from 'mongodb';
import { invalid } from '../../errors';
import { toApiNode, type NodeDocument } from './document';
import { assertTransition } from './state-machine';
import type { PlannedWrite, StoreInternals } from './store-internals';
import type { Actor, Node, NodeTreeInput, WriteOptions } from './types';
import { assertObject, checkNodeInput, type CheckedInput } from './validate';

export const MAX_HIERARCHY_NODES = 10_000;

export interface CheckedTree {
  input: Partial<CheckedInput>;
  children: CheckedTree[];
}

/** Validates the whole tree before anything is written. */
export function checkTree(
  tree: unknown,
  where: string,
  isRoot: boolean,
  counter: { n: number },
): CheckedTree {
  assertObject(tree, where || 'body');
  for (const key of Object.keys(tree)) {
    if (key !== 'node' && key !== 'child_nodes') throw invalid(`${where}${key}: unknown field`);
  }
  if (++counter.n > MAX_HIERARCHY_NODES)
    throw invalid(`child_nodes: more than ${MAX_HIERARCHY_NODES} nodes in one submit`);
  if (tree.node === undefined) throw invalid(`${where}node: field required`);
  const children = tree.child_nodes ?? [];
  if (!Array.isArray(children)) throw invalid(`${where}child_nodes: must be a list`);
  const input = checkNodeInput(tree.node, isRoot, `${where}node.`, !isRoot);
  if (!isRoot && (tree.node as Record<string, unknown>).id !== undefined) {
    throw invalid(`${where}node.id: child ids are assigned by the server`);
  }
  return {
    input,
    children: children.map((c, i) => checkTree(c, `${where}child_nodes[${i}].`, false, counter)),
  };
}

const SAME = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The stored node with the submitted fields applied, or null when nothing would change. */
export function mergeInto(
  cur: NodeDocument,
  input: Partial<CheckedInput>,
  where: string,
): NodeDocument | null {
  const next: NodeDocument = { ...cur };
  let changed = false;
  const settable = [
    'kind',
    'group',
    'state',
    'result',
    'artifacts',
    'data',
    'debug',
    'jobfilter',
    'platform_filter',
    'timeout',
    'holdoff',
    'retry_counter',
    'processed_by_kcidb_bridge',
  ] as const;
  for (const f of settable) {
    const v = input[f];
    if (v === undefined) continue;
    const stored = cur[f] instanceof Date ? (cur[f] as Date).toISOString() : cur[f];
    const given = v instanceof Date ? v.toISOString() : v;
    if (SAME(stored, given)) continue;
    if (f === 'state') {
      try {
        assertTransition(cur.state, input.state!);
      } catch {
        throw invalid(
          `${where}node.state: transition from "${cur.state}" to "${input.state}" is not allowed`,
        );
      }
    }
    (next as unknown as Record<string, unknown>)[f] = v;
    changed = true;
  }
  return changed ? next : null;
}

/** The submitted tree, checked whole; its root may echo the root's id, never another. */
export function checkSubmittedTree(tree: NodeTreeInput, rootId: ObjectId): CheckedTree {
  const checked = checkTree(tree, '', true, { n: 0 });
  const echoId = checked.input.echo?.id;
  if (echoId !== undefined && echoId.toLowerCase() !== rootId.toHexString()) {
    throw invalid(`node.id: "${echoId}" does not match the node id in the URL`);
  }
  return checked;
}

export async function submitHierarchy(
  s: StoreInternals,
  actor: Actor,
  rootId: ObjectId,
  tree: NodeTreeInput,
  opts: WriteOptions,
): Promise<Node[]> {
  const checked = checkSubmittedTree(tree, rootId);
  const writeOpts = { noevent: opts.noevent, isHierarchy: true };
  const root = await s.updateWith(actor, rootId, writeOpts, (cur) => mergeInto(cur, checked.input, ''));
  // Every node of the submitted tree, top-down, as stored after the submit (upstream answers this list).
  const all: NodeDocument[] = [root];

  // One level at a time: every parent of a level exists before any of its children is written.
  let level: { parent: NodeDocument; isNew: boolean; subtree: CheckedTree; where: string }[] = [
    { parent: root, isNew: false, subtree: checked, where: '' },
  ];
  while (level.length) {
    const existingParents = level.filter((l) => !l.isNew).map((l) => l.parent._id);
    const existing = existingParents.length
      ? await s.nodes
          .find({ parent: { $in: existingParents } })
          .sort({ _id: 1 })
          .toArray()
      : [];
    // Siblings sharing a name are matched in creation order.
    const byParentName = new Map<string, NodeDocument[]>();
    for (const doc of existing) {
      const key = `${doc.parent!.toHexString()}/${doc.name}`;
      byParentName.set(key, [...(byParentName.get(key) ?? []), doc]);
    }

    const inserts: PlannedWrite[] = [];
    const updates: { match: NodeDocument; input: Partial<CheckedInput>; where: string; slot: number }[] = [];
    const nextLevel: typeof level = [];
    for (const { parent, subtree, where } of level) {
      subtree.children.forEach((child, i) => {
        const childWhere = `${where}child_nodes[${i}].`;
        const input = child.input as CheckedInput;
        if (input.parent != null && input.parent !== parent._id.toHexString()) {
          throw invalid(`${childWhere}node.parent: must be the enclosing node ${parent._id.toHexString()}`);
        }
        const match = byParentName.get(`${parent._id.toHexString()}/${input.name}`)?.shift();
        if (match) {
          // Checked now so a bad transition fails before anything of this level is written.
          mergeInto(match, input, childWhere);
          updates.push({ match, input, where: childWhere, slot: all.length });
          all.push(match);
          nextLevel.push({ parent: match, isNew: false, subtree: child, where: childWhere });
        } else {
          const t = new Date();
          const parentInfo = {
            id: parent._id,
            path: parent.path ?? [],
            treeid: parent.treeid ?? parent._id.toHexString(),
          };
          const doc = s.newDocument(
            actor,
            // As upstream: children carry the root's submitter and tree id.
            {
              ...input,
              submitter: root.submitter ?? input.submitter ?? null,
              user_groups: input.user_groups ?? parent.user_groups ?? [],
            },
            parentInfo,
            new ObjectId(),
            t,
          );
          inserts.push({ doc, entry: s.entry(doc, null, true, opts.noevent ?? false, t) });
          all.push(doc);
          nextLevel.push({ parent: doc, isNew: true, subtree: child, where: childWhere });
        }
      });
    }
    await s.insertAll(inserts);
    for (const u of updates) {
      all[u.slot] = await s.updateWith(null, u.match._id, writeOpts, (cur) =>
        mergeInto(cur, u.input, u.where),
      );
    }
    level = nextLevel.filter((l) => l.subtree.children.length);
  }
  return all.map(toApiNode);
}
