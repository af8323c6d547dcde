// GET /events: the event history with the SPEC filters, in sequence order.
import { ObjectId, type Db, type Filter } from 'mongodb';
import { NODES_COLLECTION, toApiNode, type NodeDocument } from '../db/nodes/document';
import type { Node } from '../db/nodes/types';
import { EVENTS_COLLECTION } from './collections';
import type { EventDocument } from './types';

export interface HistoryQuery {
  kind?: string;
  state?: string;
  result?: string;
  op?: string;
  name?: string;
  group?: string;
  owner?: string;
  channel?: string;
  node_id?: string;
  path?: string;
  from?: string;
  id?: string;
  ids?: string;
  sequence_id__gt?: number;
  limit: number;
  offset: number;
  recursive: boolean;
}

export interface EventRecord {
  id: string;
  sequence_id: number;
  channel: string;
  timestamp: string;
  owner: string | null;
  data: unknown;
  node?: Node | null;
}

/** Query-string filters to a MongoDB filter (values are plain strings: nothing to inject). */
export function historyFilter(q: HistoryQuery): Filter<EventDocument> {
  const f: Record<string, unknown> = { void: { $ne: true } };
  const dataFields = {
    kind: 'data.kind',
    state: 'data.state',
    result: 'data.result',
    op: 'data.op',
    name: 'data.name',
    group: 'data.group',
    node_id: 'data.id',
  } as const;
  for (const [param, field] of Object.entries(dataFields)) {
    const v = q[param as keyof typeof dataFields];
    if (v !== undefined) f[field] = v;
  }
  if (q.owner !== undefined) f.owner = q.owner;
  if (q.channel !== undefined) f.channel = q.channel;
  if (q.path !== undefined) f['data.path'] = { $all: q.path.split(',').filter(Boolean) };
  if (q.from !== undefined) f.timestamp = { $gt: new Date(q.from) };
  const ids = [...(q.id ? [q.id] : []), ...(q.ids ? q.ids.split(',') : [])];
  if (ids.length) f._id = { $in: ids.map((i) => new ObjectId(i)) };
  if (q.sequence_id__gt !== undefined) f.sequence_id = { $gt: q.sequence_id__gt };
  return f as Filter<EventDocument>;
}

export async function findEvents(db: Db, q: HistoryQuery): Promise<EventRecord[]> {
  const docs = await db
    .collection<EventDocument>(EVENTS_COLLECTION)
    .find(historyFilter(q))
    .sort({ sequence_id: 1 })
    .skip(q.offset)
    .limit(q.limit)
    .toArray();
  const records: EventRecord[] = docs.map((d) => ({
    id: d._id.toHexString(),
    sequence_id: d.sequence_id,
    channel: d.channel,
    timestamp: d.timestamp.toISOString(),
    owner: d.owner,
    data: d.data,
  }));
  if (q.recursive) await embedNodes(db, records);
  return records;
}

/** `recursive=true`: the node each node event is about, as it is now (null when deleted). */
async function embedNodes(db: Db, records: EventRecord[]): Promise<void> {
  const ids = new Set<string>();
  for (const r of records) {
    const id = (r.data as { id?: unknown } | null)?.id;
    if (r.channel === 'node' && typeof id === 'string' && ObjectId.isValid(id)) ids.add(id);
  }
  if (!ids.size) return;
  const nodes = await db
    .collection<NodeDocument>(NODES_COLLECTION)
    .find({ _id: { $in: [...ids].map((i) => new ObjectId(i)) } }, { projection: { _pending: 0, _rev: 0 } })
    .toArray();
  const byId = new Map(nodes.map((n) => [n._id.toHexString(), toApiNode(n)]));
  for (const r of records) {
    const id = (r.data as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && ids.has(id)) r.node = byId.get(id) ?? null;
  }
}
