// The recent-events ring and the per-process heads: how pollers learn about events without scanning
// the history. FerretDB 1.x answers every filtered query with a scan, so the history (which grows to
// millions of events) is only read on the slow paths; the hot path reads one head document per API
// process and a fixed number of ring slots.
import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';
import { EVENT_HEADS_COLLECTION, EVENT_RING_COLLECTION } from './collections';
import type { BusEvent } from './types';

interface RingDocument {
  _id: number;
  seq: number;
  ev: Omit<BusEvent, 'seq'>;
}

interface HeadDocument {
  _id: string;
  seq: number;
  at: Date;
}

export class EventRing {
  private readonly ring: Collection<RingDocument>;
  private readonly heads: Collection<HeadDocument>;
  private headTarget = 0;
  private headWritten = 0;
  private headLoop: Promise<void> | null = null;

  constructor(
    db: Db,
    readonly size: number,
    private readonly replicaId: string,
  ) {
    this.ring = db.collection<RingDocument>(EVENT_RING_COLLECTION);
    this.heads = db.collection<HeadDocument>(EVENT_HEADS_COLLECTION);
  }

  /** Puts written events into their slots, then raises this process's head. */
  async write(events: BusEvent[]): Promise<void> {
    if (!events.length) return;
    const ops = events.map(({ seq, ...ev }) => ({
      replaceOne: { filter: { _id: seq % this.size }, replacement: { seq, ev } as RingDocument, upsert: true },
    }));
    try {
      await this.ring.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Two processes creating the same slot at once: one insert loses; the slot exists now.
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const failed = (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).map((w) => ops[w.index]);
      for (const op of failed) await this.ring.replaceOne(op.replaceOne.filter, op.replaceOne.replacement, { upsert: true });
    }
    await this.raiseHead(Math.max(...events.map((e) => e.seq)));
  }

  /** Highest sequence number any process has announced. */
  async maxHead(): Promise<number> {
    const heads = await this.heads.find({}, { projection: { seq: 1 } }).toArray();
    return heads.reduce((max, h) => Math.max(max, h.seq), 0);
  }

  /**
   * The events in the slots of `seqs`. `overwritten` is true when a wanted slot already holds a later
   * event (this reader fell more than a ring behind and must read the history).
   */
  async read(seqs: number[]): Promise<{ found: BusEvent[]; overwritten: boolean }> {
    const docs =
      seqs.length <= 8
        ? (await Promise.all(seqs.map((s) => this.ring.findOne({ _id: s % this.size })))).filter((d) => d !== null)
        : await this.ring.find({}).toArray();
    const bySlot = new Map(docs.map((d) => [d._id, d]));
    const found: BusEvent[] = [];
    let overwritten = false;
    for (const s of seqs) {
      const doc = bySlot.get(s % this.size);
      if (!doc) continue;
      if (doc.seq === s) found.push({ ...doc.ev, seq: s, timestamp: new Date(doc.ev.timestamp) });
      else if (doc.seq > s) overwritten = true;
    }
    return { found, overwritten };
  }

  /** Head writes are serialised per process and coalesced: only the latest value is written. */
  private async raiseHead(seq: number): Promise<void> {
    if (seq > this.headTarget) this.headTarget = seq;
    while (this.headWritten < seq) {
      this.headLoop ??= this.writeHeads().finally(() => {
        this.headLoop = null;
      });
      await this.headLoop;
    }
  }

  private async writeHeads(): Promise<void> {
    while (this.headWritten < this.headTarget) {
      const target = this.headTarget;
      await this.heads.updateOne({ _id: this.replicaId }, { $set: { seq: target, at: new Date() } }, { upsert: true });
      this.headWritten = target;
    }
  }

  /** Forgets heads of processes gone for a day (their sequence numbers are long delivered). */
  async pruneHeads(): Promise<void> {
    const max = await this.maxHead();
    await this.heads.deleteMany({ at: { $lt: new Date(Date.now() - 86_400_000) }, seq: { $lt: max } });
  }
}
