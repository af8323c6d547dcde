// The pure part of every node write, shared by both storage backends: a new node's stored form, and what
// PUT and PATCH make of a stored node. No I/O here.
import { ObjectId } from 'mongodb';
import { invalid } from '../../errors';
import type { NodeDocument } from './document';
import { assertTransition } from './state-machine';
import type { Actor, NodePatch } from './types';
import { validateKindData, type CheckedInput, type CheckedPatch } from './validate';

export const DEFAULT_NODE_TIMEOUT_MS = 6 * 3600_000;
export const DEFAULT_CHECKOUT_TIMEOUT_MS = 3 * 3600_000;

export interface NodeDefaults {
  /** Default `timeout` of a new node, from its creation (SPEC §2: 6 h). */
  nodeTimeoutMs?: number;
  /** Default `timeout` of a new checkout (SPEC §2: 3 h). */
  checkoutTimeoutMs?: number;
}

export interface ParentInfo {
  id: ObjectId;
  path: string[];
  treeid: string;
}

export function newNodeDocument(
  defaults: NodeDefaults,
  actor: Actor,
  input: CheckedInput,
  parent: ParentInfo | null,
  id: ObjectId,
  now: Date,
): NodeDocument {
  const timeoutMs =
    input.kind === 'checkout'
      ? (defaults.checkoutTimeoutMs ?? DEFAULT_CHECKOUT_TIMEOUT_MS)
      : (defaults.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS);
  const doc: NodeDocument = {
    _id: id,
    _rev: 1,
    kind: input.kind,
    name: input.name,
    path: parent ? [...parent.path, input.name] : [input.name],
    group: input.group ?? null,
    parent: parent ? parent.id : null,
    state: input.state ?? 'running',
    result: input.result ?? null,
    artifacts: input.artifacts ?? {},
    data: input.data ?? {},
    debug: input.debug ?? null,
    jobfilter: input.jobfilter ?? null,
    platform_filter: input.platform_filter ?? null,
    created: now,
    updated: now,
    timeout: input.timeout ?? new Date(now.getTime() + timeoutMs),
    holdoff: input.holdoff ?? null,
    owner: actor.username,
    submitter: input.submitter ?? null,
    treeid: parent ? parent.treeid : (input.treeid ?? id.toHexString()),
    user_groups: input.user_groups ?? [],
    retry_counter: input.retry_counter ?? 0,
    processed_by_kcidb_bridge: input.processed_by_kcidb_bridge ?? false,
  };
  validateKindData(doc.kind, doc.data);
  return doc;
}

/** PUT's `id` in the body, when given, must be the id in the URL. */
export function checkEchoedId(input: CheckedInput, id: ObjectId): void {
  if (input.echo.id !== undefined && input.echo.id.toLowerCase() !== id.toHexString()) {
    throw invalid(`id: "${input.echo.id}" does not match the node id in the URL`);
  }
}

/** PATCH semantics: the given fields replace the stored ones, `data` is merged key by key. */
export function applyPatch(cur: NodeDocument, checked: CheckedPatch | NodePatch): NodeDocument {
  if (checked.state) assertTransition(cur.state, checked.state);
  const { data, ...rest } = checked as CheckedPatch;
  const merged: NodeDocument = { ...cur, ...(rest as Partial<NodeDocument>) };
  if (data) merged.data = { ...cur.data, ...data };
  // As upstream: a changed node must be re-sent to KCIDB unless the write sets the flag itself.
  if (checked.processed_by_kcidb_bridge === undefined) merged.processed_by_kcidb_bridge = false;
  return merged;
}

/** PUT semantics: the given fields replace the stored ones; absent fields keep their stored value. */
export function applyReplace(cur: NodeDocument, input: CheckedInput): NodeDocument {
  if (input.echo.owner !== undefined && input.echo.owner !== cur.owner) {
    throw invalid(`owner: is immutable (stored "${cur.owner}")`);
  }
  if (input.submitter !== undefined && input.submitter !== (cur.submitter ?? null)) {
    throw invalid('submitter: is immutable');
  }
  if (
    input.user_groups !== undefined &&
    JSON.stringify(input.user_groups) !== JSON.stringify(cur.user_groups ?? [])
  ) {
    throw invalid('user_groups: is immutable');
  }
  if (input.parent !== undefined && input.parent !== (cur.parent ? cur.parent.toHexString() : null)) {
    throw invalid('parent: cannot be changed');
  }
  if (input.state) assertTransition(cur.state, input.state);
  const {
    echo: _echo,
    parent: _parent,
    submitter: _submitter,
    user_groups: _groups,
    treeid: _treeid,
    ...fields
  } = input;
  const next: NodeDocument = { ...cur, ...fields };
  // As upstream: a changed node must be re-sent to KCIDB unless the write changes the flag itself.
  if (
    input.processed_by_kcidb_bridge === undefined ||
    input.processed_by_kcidb_bridge === cur.processed_by_kcidb_bridge
  ) {
    next.processed_by_kcidb_bridge = false;
  }
  if (input.name !== cur.name) next.path = [...(cur.path ?? []).slice(0, -1), input.name];
  return next;
}
