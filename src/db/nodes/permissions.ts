// Who may edit a node (SPEC §3): owner, superuser, `node:edit:any`, a group listed in the node's
// `user_groups`, or `runtime:<data.runtime>:node-editor`. Everyone else gets a 403.
import { forbidden } from '../../errors';
import type { Actor } from './types';

export const EDIT_ANY_GROUP = 'node:edit:any';

export const runtimeEditorGroup = (runtime: string) => `runtime:${runtime}:node-editor`;

interface EditableNode {
  owner: string;
  user_groups?: string[] | null;
  data?: Record<string, unknown> | null;
}

export function canEditNode(actor: Actor, node: EditableNode): boolean {
  if (actor.isSuperuser || node.owner === actor.username) return true;
  const groups = new Set(actor.groups);
  if (groups.has(EDIT_ANY_GROUP)) return true;
  if ((node.user_groups ?? []).some((g) => groups.has(g))) return true;
  const runtime = node.data?.runtime;
  return typeof runtime === 'string' && groups.has(runtimeEditorGroup(runtime));
}

export function assertCanEdit(actor: Actor, node: EditableNode & { _id: { toHexString(): string } }): void {
  if (!canEditNode(actor, node)) {
    throw forbidden(
      `user "${actor.username}" may not edit node ${node._id.toHexString()} (owner "${node.owner}")`,
    );
  }
}
