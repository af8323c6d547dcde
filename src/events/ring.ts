// How pollers learn about events other processes wrote, without scanning the history. FerretDB 1.x
// answers every filtered query with a scan, so the history (millions of events) is only read on slow
// paths. Each writer process appends its events in batches to `event_batches` (inserts: cheap, no scan)
// and keeps one head document listing its newest sequence number and its recent batches. A poller
// reads the few head documents and fetches by `_id` only the batches it has not seen.
import type { Collection, Db } from 'mongodb';
import { EVENT_BATCHES_COLLECTION, EVENT_HEADS_COLLECTION } from './collections';
import type { BusEvent } from './types';

/** Batches listed per head: a poller that falls further behind reads the history instead. */
const LISTED_BATCHES = 64;
/** Batch documents older than this are deleted (pollers that slow have long fallen back). */
const BATCH_KEEP_MS = 60_000;
const PRUNE_EVERY = 200;

interface BatchDescriptor {
  id: string;
  first: number;
  last: number;
}

interface BatchDocument {
  _id: string;
  at: Date;
  events: BusEvent[];
}

interface HeadDocument {
  _id: string;
  seq: number;
  at: Date;
  batches: BatchDescriptor[];
}

export class EventRing {
  private readonly batches: Collection<BatchDocument>;
  private readonly heads: Collection<HeadDocument>;
  private queue: BusEvent[] = [];
  private enqueued = 0;
  private flushed = 0;
  private flushing: Promise<void> | null = null;
  private written = 0;
  private recent: BatchDescriptor[] = [];
  private headSeq = 0;

  constructor(
    db: Db,
    private readonly replicaId: string,
  ) {
    this.batches = db.collection<BatchDocument>(EVENT_BATCHES_COLLECTION);
    this.heads = db.collection<HeadDocument>(EVENT_HEADS_COLLECTION);
  }

  /**
   * Announces written events to the other processes. Concurrent calls are coalesced into one batch
   * and one head write; resolves once the caller's events are announced.
   */
  async write(events: BusEvent[]): Promise<void> {
    if (!events.length) return;
    this.queue.push(...events);
    const ticket = ++this.enqueued;
    while (this.flushed < ticket) {
      this.flushing ??= this.flush().finally(() => {
        this.flushing = null;
      });
      await this.flushing;
    }
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const upTo = this.enqueued;
      const events = this.queue.splice(0);
      const seqs = events.map((e) => e.seq);
      const batch: BatchDocument = { _id: `${this.replicaId}:${++this.written}`, at: new Date(), events };
      await this.batches.insertOne(batch);
      this.recent.push({ id: batch._id, first: Math.min(...seqs), last: Math.max(...seqs) });
      if (this.recent.length > LISTED_BATCHES) this.recent = this.recent.slice(-LISTED_BATCHES);
      this.headSeq = Math.max(this.headSeq, ...seqs);
      await this.heads.updateOne(
        { _id: this.replicaId },
        { $set: { seq: this.headSeq, at: new Date(), batches: this.recent } },
        { upsert: true },
      );
      this.flushed = upTo;
      if (this.written % PRUNE_EVERY === 0)
        await this.batches.deleteMany({ at: { $lt: new Date(Date.now() - BATCH_KEEP_MS) } });
    }
  }

  /** The head documents: the newest announced number and the recent batches of every process. */
  async readHeads(): Promise<{ maxSeq: number; batches: BatchDescriptor[] }> {
    const heads = await this.heads.find({}).toArray();
    return {
      maxSeq: heads.reduce((max, h) => Math.max(max, h.seq), 0),
      batches: heads.flatMap((h) => h.batches ?? []),
    };
  }

  async maxHead(): Promise<number> {
    return (await this.readHeads()).maxSeq;
  }

  /** The events of the given batches (a batch already pruned is simply absent). */
  async readBatches(ids: string[]): Promise<BusEvent[]> {
    const docs = await Promise.all(ids.map((id) => this.batches.findOne({ _id: id })));
    return docs.flatMap((d) => (d ? d.events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) })) : []));
  }

  /** Forgets heads of processes gone for a day (their events are long delivered). */
  async pruneHeads(): Promise<void> {
    const max = await this.maxHead();
    await this.heads.deleteMany({ at: { $lt: new Date(Date.now() - 86_400_000) }, seq: { $lt: max } });
  }
}
