// The one poller per API process. It advances a cursor through the sequence numbers in order, keeps the
// recent events in memory and wakes the waiting listeners; it never skips a number silently.
//
// Where events come from: this process's own writes are handed over directly (no round trip); events
// written by other processes are found by reading the heads (one small document per API process) and
// fetching, by `_id`, the batches they list that this poller has not read yet (see ./ring.ts).
//
// Gaps: when number N is missing but later ones exist, N is an in-flight write (or a writer that died
// after claiming it). The poller waits up to `gapWaitMs` from when it first saw the gap, then reads the
// history (the event may be there, its batch lost) and, if N is still missing, inserts a void marker
// under N's unique sequence number. The marker is what every process then sees, so all subscribers agree;
// a writer whose insert arrives later collides and retries with a new number, so nothing is lost.
import type { EventFeed } from './backend';
import { CursorWaiters } from './cursor-waiters';
import type { EventRing } from './ring';
import type { Sequencer } from './sequencer';
import type { BusEvent } from './types';

export interface PollerOptions {
  intervalMs: number;
  gapWaitMs: number;
  bufferSize: number;
  onError: (err: unknown) => void;
}

const HISTORY_BATCH = 1000;

export class EventPoller implements EventFeed {
  /** Every number up to the cursor is resolved (an event or a void marker). */
  cursor = 0;
  private buffer: BusEvent[] = [];
  private pending = new Map<number, BusEvent>();
  /** Batches already read (id → last sequence number), so each is fetched once. */
  private fetched = new Map<string, number>();
  private knownMax = 0;
  private gapSince: number | null = null;
  private readonly waiters = new CursorWaiters((after) => this.cursor > after || this.closed);
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly ring: EventRing,
    private readonly sequencer: Sequencer,
    private readonly opts: PollerOptions,
  ) {}

  /**
   * Starts at the oldest batch the heads still list, so writes in flight at start are not missed and
   * the buffer begins warm.
   */
  async start(): Promise<void> {
    const { maxSeq, batches } = await this.ring.readHeads();
    const head = maxSeq || (await this.sequencer.maxInHistory());
    this.sequencer.observe(head);
    this.cursor = batches.length ? Math.min(head, ...batches.map((b) => b.first - 1)) : head;
    this.knownMax = head;
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
    await this.loop;
    this.releaseWaiters();
  }

  /** The first sequence number the in-memory buffer holds. */
  get bufferStart(): number {
    return this.buffer.length ? this.buffer[0].seq : this.cursor + 1;
  }

  /** Events this process wrote: delivered without waiting for the next poll. */
  feed(events: BusEvent[]): void {
    for (const ev of events) {
      if (ev.seq > this.cursor) this.pending.set(ev.seq, ev);
      if (ev.seq > this.knownMax) this.knownMax = ev.seq;
    }
    this.advance();
  }

  /**
   * Resolved events after `after` from memory (up to `max`), or null when `after` is older than the
   * buffer and the caller must read the history.
   */
  recent(after: number, max: number): BusEvent[] | null {
    const start = this.bufferStart;
    if (after + 1 < start) return null;
    const from = after + 1 - start;
    return this.buffer.slice(from, from + max);
  }

  waitBeyond(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.waiters.waitBeyond(after, timeoutMs, signal);
  }

  /** Ends every wait now (shutdown). */
  releaseWaiters(): void {
    this.waiters.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.pollOnce();
      } catch (err) {
        this.opts.onError(err);
      }
      if (this.closed) break;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, this.opts.intervalMs);
      });
      if (this.timer) clearTimeout(this.timer);
      this.wakeUp = null;
    }
  }

  private async pollOnce(): Promise<void> {
    const { maxSeq, batches } = await this.ring.readHeads();
    if (maxSeq > this.knownMax) this.knownMax = maxSeq;
    this.sequencer.observe(this.knownMax);
    for (const [id, last] of this.fetched) if (last <= this.cursor) this.fetched.delete(id);
    if (this.knownMax <= this.cursor) return;

    const unseen = batches.filter((b) => b.last > this.cursor && !this.fetched.has(b.id));
    if (unseen.length) {
      for (const ev of await this.ring.readBatches(unseen.map((b) => b.id)))
        if (ev.seq > this.cursor) this.pending.set(ev.seq, ev);
      for (const b of unseen) this.fetched.set(b.id, b.last);
      this.advance();
    }
    if (this.cursor >= this.knownMax) return;

    const next = this.cursor + 1;
    if (this.sequencer.inFlight.has(next)) return; // our own write: it reports itself
    const now = Date.now();
    this.gapSince ??= now;
    // An in-flight write, a dead writer, or a poller that fell behind the listed batches: after the
    // wait, the history has the answer (or the number gets a void marker).
    if (now - this.gapSince >= this.opts.gapWaitMs) await this.resolveFromHistory();
  }

  private async resolveFromHistory(): Promise<void> {
    const upTo = Math.min(this.knownMax, this.cursor + HISTORY_BATCH);
    for (const ev of await this.sequencer.readHistory(this.cursor, upTo, HISTORY_BATCH)) {
      if (ev.seq > this.cursor) this.pending.set(ev.seq, ev);
    }
    this.advance();
    const next = this.cursor + 1;
    if (this.cursor < this.knownMax && !this.pending.has(next) && !this.sequencer.inFlight.has(next)) {
      const filler = await this.sequencer.voidNumber(next);
      if (filler) this.pending.set(next, filler);
      this.advance();
    }
  }

  private advance(): void {
    const before = this.cursor;
    for (let ev = this.pending.get(this.cursor + 1); ev; ev = this.pending.get(this.cursor + 1)) {
      this.pending.delete(ev.seq);
      this.cursor = ev.seq;
      this.buffer.push(ev);
    }
    if (this.cursor === before) return;
    this.gapSince = null;
    this.sequencer.observe(this.cursor);
    if (this.buffer.length > this.opts.bufferSize * 1.25)
      this.buffer = this.buffer.slice(-this.opts.bufferSize);
    this.waiters.wake();
  }
}
