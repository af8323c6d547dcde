// Gives every event its place in the total order and stores it in the history.
//
// Sequence numbers are claimed by inserting under a unique index, never by `$inc`: FerretDB 1.x runs
// updates as read-then-write, so concurrent increments hand out the same number, while a unique index
// insert is atomic on every backend. A writer proposes the next number it knows of; a collision means
// the number is taken (by another process's event, or by a void marker a poller wrote because this
// write was too slow) and the writer simply tries the next one. A collision on `dedupe_key` means the
// node change was already published: its proposed number is then filled with a void marker, so
// re-delivery leaves no gap for subscribers to wait on.
import { MongoBulkWriteError, MongoServerError, ObjectId, type Collection, type Db } from 'mongodb';
import { EVENTS_COLLECTION } from './collections';
import type { BusEvent, EventDocument, EventDraft } from './types';

const DUPLICATE_KEY = 11000;
const MAX_ROUNDS = 1000;

export function toBusEvent(doc: EventDocument): BusEvent {
  return {
    seq: doc.sequence_id,
    historyId: doc._id.toHexString(),
    channel: doc.channel,
    owner: doc.owner,
    timestamp: doc.timestamp,
    data: doc.data,
    ce: doc.ce,
    void: doc.void === true,
  };
}

export function voidDocument(seq: number): EventDocument {
  return {
    _id: new ObjectId(),
    sequence_id: seq,
    channel: '',
    timestamp: new Date(),
    owner: null,
    data: null,
    ce: null,
    dedupe_key: `void:${seq}`,
    void: true,
  };
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

export class Sequencer {
  private readonly events: Collection<EventDocument>;
  /** Highest sequence number known to be taken (own writes and what the poller saw). */
  private known = 0;
  /** Numbers this process proposed whose insert has not finished. */
  readonly inFlight = new Set<number>();

  constructor(
    db: Db,
    /** The newest number any process announced; consulted after a collision. */
    private readonly latest: () => Promise<number>,
  ) {
    this.events = db.collection<EventDocument>(EVENTS_COLLECTION);
  }

  observe(seq: number): void {
    if (seq > this.known) this.known = seq;
  }

  private queue: {
    drafts: EventDraft[];
    resolve: (events: BusEvent[]) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private draining: Promise<void> | null = null;

  /**
   * Writes the drafts to the history; returns, in sequence order, the stored events and the void
   * markers that took the numbers of duplicates (already-published node changes). Concurrent calls are
   * group-committed: one insert for everything queued meanwhile (SQLite serialises writes, so fewer,
   * larger writes is what keeps latency down under load).
   */
  write(drafts: EventDraft[]): Promise<BusEvent[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const jobs = this.queue.splice(0);
      try {
        const results = await this.writeNow(jobs.flatMap((j) => j.drafts));
        let i = 0;
        for (const job of jobs) {
          const mine = results.slice(i, i + job.drafts.length);
          i += job.drafts.length;
          job.resolve(mine.sort((a, b) => a.seq - b.seq));
        }
      } catch (err) {
        for (const job of jobs) job.reject(err);
      }
    }
  }

  /** One stored document per draft, aligned with the drafts: its event, or the void marker of a duplicate. */
  private async writeNow(drafts: EventDraft[]): Promise<BusEvent[]> {
    const results: BusEvent[] = new Array(drafts.length);
    let pending = drafts.map((draft, index) => ({ draft, index }));
    for (let round = 0; pending.length; round++) {
      if (round >= MAX_ROUNDS) throw new Error('could not claim a sequence number for an event');
      if (round > 0) this.observe(await this.latest());
      const docs: EventDocument[] = pending.map(({ draft: d }) => ({
        _id: new ObjectId(),
        sequence_id: ++this.known,
        channel: d.channel,
        timestamp: new Date(),
        owner: d.owner,
        data: d.data,
        ce: d.ce,
        dedupe_key: d.dedupe_key,
      }));
      for (const d of docs) this.inFlight.add(d.sequence_id);
      let failed: Set<number>;
      try {
        failed = await this.insert(docs);
      } finally {
        for (const d of docs) this.inFlight.delete(d.sequence_id);
      }
      const retry: typeof pending = [];
      for (let i = 0; i < docs.length; i++) {
        if (!failed.has(i)) {
          results[pending[i].index] = toBusEvent(docs[i]);
          continue;
        }
        // Which unique key collided? If the number is still free, it was the dedupe key.
        const filler = voidDocument(docs[i].sequence_id);
        try {
          await this.events.insertOne(filler);
          results[pending[i].index] = toBusEvent(filler);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          retry.push(pending[i]);
        }
      }
      pending = retry;
    }
    return results;
  }

  /** Inserts; returns the indexes that collided on a unique key. */
  private async insert(docs: EventDocument[]): Promise<Set<number>> {
    try {
      if (docs.length === 1) await this.events.insertOne(docs[0]);
      else await this.events.insertMany(docs, { ordered: false });
      return new Set();
    } catch (err) {
      if (docs.length === 1 && isDuplicateKey(err)) return new Set([0]);
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      if (errors.some((w) => w.code !== DUPLICATE_KEY)) throw err;
      return new Set(errors.map((w) => w.index));
    }
  }

  /** Fills a number nobody wrote (a writer died after claiming it); false when it is taken after all. */
  async voidNumber(seq: number): Promise<BusEvent | null> {
    const filler = voidDocument(seq);
    try {
      await this.events.insertOne(filler);
      return toBusEvent(filler);
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  /** Events with sequence numbers in (after, upTo], in order (a history scan: slow path only). */
  async readHistory(after: number, upTo: number, limit: number): Promise<BusEvent[]> {
    const docs = await this.events
      .find({ sequence_id: { $gt: after, $lte: upTo } })
      .sort({ sequence_id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toBusEvent);
  }

  async maxInHistory(): Promise<number> {
    const last = await this.events
      .find({}, { projection: { sequence_id: 1 } })
      .sort({ sequence_id: -1 })
      .limit(1)
      .toArray();
    return last[0]?.sequence_id ?? 0;
  }
}
