// Unicast queues with guaranteed delivery. A queue belongs to the user who opened it (stored as
// `<username>/<name>`; shared queues, opened by an admin, as `*/<name>`), so names never collide
// between users. Items live in the database and survive API restarts.
//
// Claiming without atomic updates: a consumer claims delivery number k of an item by inserting the
// claim document `<item id>:<k>` under the unique `_id` index; exactly one consumer can win it on any
// backend (FerretDB's findOneAndUpdate is not atomic). The winner then hides the item for the
// visibility timeout. An item not acknowledged in time becomes visible again and is claimed as k+1;
// a claim whose winner died before hiding the item expires the same way.
import type { PoppedItem, QueueDocument, QueueStorage } from './backend';

export type { PoppedItem, QueueDocument } from './backend';
import { ObjectId, type Collection, type Db } from 'mongodb';
import { conflict, notFound } from '../errors';
import { QUEUE_CLAIMS_COLLECTION, QUEUE_ITEMS_COLLECTION, QUEUES_COLLECTION } from './collections';
import { isDuplicateKey } from './sequencer';
import type { CloudEvent } from './types';

export const SHARED_QUEUE_OWNER = '*';

interface QueueItemDocument {
  _id: ObjectId;
  queue: string;
  event: CloudEvent;
  pushed: Date;
  visible_at: Date;
  deliveries: number;
}

interface ClaimDocument {
  _id: string;
  at: Date;
}

export const queueKey = (owner: string, name: string) => `${owner}/${name}`;

export class QueueStore implements QueueStorage {
  private readonly queues: Collection<QueueDocument>;
  private readonly items: Collection<QueueItemDocument>;
  private readonly claims: Collection<ClaimDocument>;
  private readonly pushWaiters = new Map<string, Set<() => void>>();

  constructor(
    db: Db,
    private readonly visibilityMs: number,
    private readonly pollMs: number,
  ) {
    this.queues = db.collection<QueueDocument>(QUEUES_COLLECTION);
    this.items = db.collection<QueueItemDocument>(QUEUE_ITEMS_COLLECTION);
    this.claims = db.collection<ClaimDocument>(QUEUE_CLAIMS_COLLECTION);
  }

  /** Opens a queue; opening an already open queue is a no-op. */
  async open(owner: string, name: string, by: string): Promise<{ queue: QueueDocument; created: boolean }> {
    const doc: QueueDocument = {
      _id: queueKey(owner, name),
      owner,
      name,
      created: new Date(),
      created_by: by,
    };
    try {
      await this.queues.insertOne(doc);
      return { queue: doc, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { queue: (await this.queues.findOne({ _id: doc._id }))!, created: false };
    }
  }

  async get(key: string): Promise<QueueDocument | null> {
    return this.queues.findOne({ _id: key });
  }

  async list(owners: string[]): Promise<QueueDocument[]> {
    return this.queues
      .find({ owner: { $in: owners } })
      .sort({ _id: 1 })
      .toArray();
  }

  /** Closes a queue and drops the items still in it. */
  async close(key: string): Promise<number> {
    const res = await this.queues.deleteOne({ _id: key });
    if (res.deletedCount === 0) throw notFound(`queue: "${key}" is not open`);
    const dropped = await this.items.deleteMany({ queue: key });
    return dropped.deletedCount;
  }

  async size(key: string): Promise<number> {
    return this.items.countDocuments({ queue: key });
  }

  async push(key: string, event: CloudEvent): Promise<string> {
    const now = new Date();
    const item: QueueItemDocument = {
      _id: new ObjectId(),
      queue: key,
      event,
      pushed: now,
      visible_at: now,
      deliveries: 0,
    };
    await this.items.insertOne(item);
    for (const wake of this.pushWaiters.get(key) ?? []) wake();
    return item._id.toHexString();
  }

  /** The next visible item, waiting up to `waitMs`; `autoAck` removes it on delivery (upstream behaviour). */
  async pop(key: string, waitMs: number, autoAck: boolean, signal?: AbortSignal): Promise<PoppedItem | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const item = await this.claimNext(key, autoAck);
      if (item) return item;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return null;
      await this.waitForPush(key, Math.min(left, this.pollMs), signal);
    }
  }

  /** Acknowledges a delivery: the item is done. A receipt of an item already acknowledged is a 404. */
  async ack(key: string, receipt: string): Promise<void> {
    const id = /^([0-9a-f]{24}):\d+$/.exec(receipt)?.[1];
    if (!id) throw notFound(`receipt: "${receipt}" is not a receipt of queue "${key}"`);
    const res = await this.items.deleteOne({ _id: new ObjectId(id), queue: key });
    if (res.deletedCount === 0)
      throw notFound(`receipt: item of "${receipt}" is not in queue "${key}" (already acknowledged?)`);
  }

  /** Makes a delivered item visible again now (the consumer gives it back). */
  async release(key: string, receipt: string): Promise<void> {
    const m = /^([0-9a-f]{24}):(\d+)$/.exec(receipt);
    if (!m) throw notFound(`receipt: "${receipt}" is not a receipt of queue "${key}"`);
    const res = await this.items.updateOne(
      { _id: new ObjectId(m[1]), queue: key, deliveries: Number(m[2]) },
      { $set: { visible_at: new Date() } },
    );
    if (res.matchedCount === 0)
      throw conflict(`receipt: "${receipt}" is no longer the current delivery of its item`);
  }

  private async claimNext(key: string, autoAck: boolean): Promise<PoppedItem | null> {
    const now = new Date();
    const candidates = await this.items
      .find({ queue: key, visible_at: { $lte: now } })
      .sort({ _id: 1 })
      .limit(8)
      .toArray();
    for (const item of candidates) {
      const k = await this.claim(item);
      if (k === null) continue;
      if (autoAck) {
        await this.items.deleteOne({ _id: item._id });
      } else {
        await this.items.updateOne(
          { _id: item._id },
          { $set: { visible_at: new Date(Date.now() + this.visibilityMs), deliveries: k } },
        );
      }
      return { event: item.event, receipt: `${item._id.toHexString()}:${k}`, deliveries: k };
    }
    return null;
  }

  /** Wins the next delivery number of `item`, or null when another consumer holds a live claim. */
  private async claim(item: QueueItemDocument): Promise<number | null> {
    for (let k = item.deliveries + 1; ; k++) {
      const claimId = `${item._id.toHexString()}:${k}`;
      try {
        await this.claims.insertOne({ _id: claimId, at: new Date() });
        return k;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const held = await this.claims.findOne({ _id: claimId });
        // A live claim: someone else has this delivery. An expired one: its holder died before
        // hiding the item, so try the next delivery number.
        if (held && held.at.getTime() + this.visibilityMs > Date.now()) return null;
      }
    }
  }

  private waitForPush(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.pushWaiters.get(key);
      if (!set) this.pushWaiters.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(t);
        set!.delete(done);
        if (!set!.size) this.pushWaiters.delete(key);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Claims are only needed while their delivery can still be contested. */
  async prune(): Promise<void> {
    await this.claims.deleteMany({
      at: { $lt: new Date(Date.now() - Math.max(this.visibilityMs * 2, 86_400_000)) },
    });
  }
}
