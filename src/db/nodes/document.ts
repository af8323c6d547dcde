// How a node is stored: `_id` is the node id (ObjectId), timestamps are Dates, and `_rev` counts the
// node's writes (its event revision; see pending-events.ts). The API never sees internal fields.
import type { ObjectId } from 'mongodb';
import type { Node } from './types';

export const NODES_COLLECTION = 'nodes';

/** The API node with ids as ObjectIds and timestamps as Dates, plus the write counter. */
export interface NodeDocument extends Omit<
  Node,
  'id' | 'parent' | 'created' | 'updated' | 'timeout' | 'holdoff'
> {
  _id: ObjectId;
  _rev: number;
  parent: ObjectId | null;
  created: Date;
  updated: Date;
  timeout: Date;
  holdoff: Date | null;
}

function iso(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}

/** The API shape of a stored node (internal fields dropped, ids as 24-hex, timestamps ISO-8601 UTC). */
export function toApiNode(doc: NodeDocument): Node {
  return {
    id: doc._id.toHexString(),
    kind: doc.kind,
    name: doc.name,
    path: doc.path ?? [],
    group: doc.group ?? null,
    parent: doc.parent ? doc.parent.toHexString() : null,
    state: doc.state,
    result: doc.result ?? null,
    artifacts: doc.artifacts ?? {},
    data: doc.data ?? {},
    debug: doc.debug ?? null,
    jobfilter: doc.jobfilter ?? null,
    platform_filter: doc.platform_filter ?? null,
    created: iso(doc.created)!,
    updated: iso(doc.updated)!,
    timeout: iso(doc.timeout)!,
    holdoff: iso(doc.holdoff),
    owner: doc.owner,
    submitter: doc.submitter ?? null,
    treeid: doc.treeid ?? null,
    user_groups: doc.user_groups ?? [],
    retry_counter: doc.retry_counter ?? 0,
    processed_by_kcidb_bridge: doc.processed_by_kcidb_bridge ?? false,
  };
}
