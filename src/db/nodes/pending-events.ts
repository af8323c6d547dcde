// The node event outbox, and the per-node write lock, without transactions.
//
// FerretDB 1.x applies an update as read-modify-write of the whole document with no atomicity: two
// concurrent updates of one document lose one of them, and two conditional updates can both "match".
// Only inserts are atomic (the unique `_id`). So every node write first inserts an outbox entry whose
// `_id` is `<node id>:<revision>`: inserting it claims that revision (a second writer gets a duplicate
// key and retries on the new revision), and it records the change before the node is written. After the
// node write the change goes to the sink and the entry is marked delivered. A crash in between leaves it
// undelivered, and recovery re-delivers it (the sink is idempotent per (node id, revision)). Entries are
// kept for OUTBOX_RETENTION_MS after that, so a writer that read an older revision can never claim a
// revision again; recovery deletes them afterwards.
import type { Collection, Db, ObjectId } from 'mongodb';
import { NODES_COLLECTION, toApiNode, type NodeDocument } from './document';
import type { NodeChange, NodeEventSink, NodeResult, NodeState } from './types';
import { withUpdateSlot } from './update-gate';
import { componentLogger } from '../../logger';

const log = componentLogger('mongodb');

export const NODE_OUTBOX_COLLECTION = 'node_outbox';
export const OUTBOX_RETENTION_MS = 2 * 60_000;

export interface OutboxEntry {
  /** `<node id>:<revision>` */
  _id: string;
  node_id: ObjectId;
  rev: number;
  op: 'created' | 'updated';
  previous_state?: NodeState;
  previous_result?: NodeResult | null;
  is_hierarchy: boolean;
  /** A `?noevent=true` write: the entry only serialises writers and is never delivered. */
  noevent: boolean;
  /** The sink took the change (always true for noevent entries). */
  delivered: boolean;
  at: Date;
}

export const outboxId = (nodeId: ObjectId, rev: number) => `${nodeId.toHexString()}:${rev}`;

export function changeFromEntry(doc: NodeDocument, entry: OutboxEntry): NodeChange {
  const change: NodeChange = {
    op: entry.op,
    node: toApiNode(doc),
    revision: entry.rev,
    is_hierarchy: entry.is_hierarchy,
  };
  if (entry.op === 'updated') {
    change.previous_state = entry.previous_state;
    change.previous_result = entry.previous_result ?? null;
  }
  return change;
}

/**
 * One single-statement update per entry, by `_id` equality: FerretDB/SQLite pushes down `_id` equality but
 * not `_id: {$in}` (which would scan the outbox), and a multi-statement bulk update running next to other
 * writes can deadlock FerretDB 1.24 for good (measured).
 */
async function markDelivered(outbox: Collection<OutboxEntry>, ids: string[]): Promise<void> {
  for (const _id of ids) await withUpdateSlot(() => outbox.updateOne({ _id }, { $set: { delivered: true } }));
}

/** Marks delivered outbox entries in batches, off the request path. */
export class OutboxAcker {
  private queue: string[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly outbox: Collection<OutboxEntry>,
    private readonly onError: (err: unknown) => void,
  ) {}

  enqueue(ids: string[]): void {
    if (!ids.length) return;
    this.queue.push(...ids);
    if (!this.draining)
      this.draining = new Promise((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Resolves when every queued entry has been marked (or failed to). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 500);
        await markDelivered(this.outbox, batch).catch(this.onError);
      }
    } finally {
      this.draining = null;
    }
  }
}

/**
 * Re-delivers every outbox entry older than `olderThanMs` whose node write happened, drops the ones
 * whose writer died before writing the node (the change never happened), and deletes them. Returns the
 * number of changes re-delivered. Safe to run concurrently with writers and other recoverers.
 */
export async function recoverPendingEvents(
  db: Db,
  sink: NodeEventSink,
  olderThanMs: number,
): Promise<number> {
  const outbox = db.collection<OutboxEntry>(NODE_OUTBOX_COLLECTION);
  const nodes = db.collection<NodeDocument>(NODES_COLLECTION);
  const cutoff = new Date(Date.now() - olderThanMs);
  const seen = new Set<string>();
  let delivered = 0;
  for (;;) {
    const batch = await outbox
      .find({ delivered: false, at: { $lt: cutoff } })
      .sort({ at: 1 })
      .limit(200)
      .toArray();
    const entries = batch.filter((e) => !seen.has(e._id));
    if (!entries.length) break;
    entries.forEach((e) => seen.add(e._id));
    // One lookup per node: `_id` equality is the one filter FerretDB/SQLite serves without a scan.
    const docs = await Promise.all(entries.map((e) => nodes.findOne({ _id: e.node_id })));
    const changes: NodeChange[] = [];
    const dead: string[] = [];
    entries.forEach((entry, i) => {
      const doc = docs[i];
      if (doc && (doc._rev ?? 0) >= entry.rev) changes.push(changeFromEntry(doc, entry));
      else dead.push(entry._id);
    });
    if (changes.length) await sink.nodeChanged(changes);
    // A dead writer's claim goes, so the revision can be claimed again; delivered ones are marked.
    for (const _id of dead) await withUpdateSlot(() => outbox.deleteOne({ _id }));
    const done = entries.filter((e) => !dead.includes(e._id)).map((e) => e._id);
    if (done.length) await markDelivered(outbox, done);
    delivered += changes.length;
  }
  await withUpdateSlot(() =>
    outbox.deleteMany({ delivered: true, at: { $lt: new Date(Date.now() - OUTBOX_RETENTION_MS) } }),
  );
  return delivered;
}

/** Runs recovery now and every `intervalMs` (entries older than the interval); returns stop(). */
export function startPendingEventRecovery(
  db: Db,
  sink: NodeEventSink,
  intervalMs: number,
  onError: (err: unknown) => void = (err) => log.error({ err }, 'node event recovery failed'),
): () => Promise<void> {
  let stopped = false;
  let busy = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped || busy) return;
    busy = true;
    running = recoverPendingEvents(db, sink, intervalMs)
      .catch(onError)
      .finally(() => (busy = false));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
