// One process's in-order view of new events on PostgreSQL. NOTIFY (sent by every event-writing
// transaction at its commit) wakes the feed at once, on every API replica; the feed then reads
// `seq > cursor` in order. Commits happen in sequence order (./event-log.ts), so a read never passes an
// event that is still to commit. A slow safety read covers a notification lost with a connection; it is
// not in the latency path.
import type pg from 'pg';
import type { EventFeed } from '../../events/backend';
import { CursorWaiters } from '../../events/cursor-waiters';
import type { BusEvent } from '../../events/types';
import { EVENTS_CHANNEL, maxSequence, readEvents } from './event-log';
import type { PgListener } from './listener';

const READ_BATCH = 1000;
const SAFETY_READ_MS = 5_000;

export class PgEventFeed implements EventFeed {
  cursor = 0;
  /** Events after `trimmedUpTo`, in order (sequence numbers may have holes: rolled-back writes). */
  private buffer: BusEvent[] = [];
  private trimmedUpTo = 0;
  private readonly waiters = new CursorWaiters((after) => this.cursor > after || this.closed);
  private closed = false;
  private dirty = false;
  private reading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Notifications before the cursor is known are ignored (the first read follows start). */
  private started = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly listener: PgListener,
    private readonly bufferSize: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    this.listener.on(EVENTS_CHANNEL, () => this.wake());
    this.listener.onReconnect(() => this.wake());
    await this.listener.start();
    this.cursor = await maxSequence(this.pool);
    this.trimmedUpTo = this.cursor;
    this.started = true;
    this.wake();
    this.timer = setInterval(() => this.wake(), SAFETY_READ_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.reading;
    this.releaseWaiters();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get bufferStart(): number {
    return this.trimmedUpTo + 1;
  }

  feed(): void {
    this.wake();
  }

  /** Starts a read, or marks one to follow the read in progress. */
  private wake(): void {
    if (this.closed || !this.started) return;
    if (this.reading) {
      this.dirty = true;
      return;
    }
    this.reading = this.readNew()
      .catch(this.onError)
      .finally(() => {
        this.reading = null;
        if (this.dirty) {
          this.dirty = false;
          this.wake();
        }
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const events = await readEvents(this.pool, this.cursor, Number.MAX_SAFE_INTEGER, READ_BATCH);
      if (!events.length) return;
      this.buffer.push(...events);
      this.cursor = events[events.length - 1].seq;
      if (this.buffer.length > this.bufferSize * 1.25) {
        const drop = this.buffer.length - this.bufferSize;
        this.trimmedUpTo = this.buffer[drop - 1].seq;
        this.buffer = this.buffer.slice(drop);
      }
      this.waiters.wake();
      if (events.length < READ_BATCH) return;
    }
  }

  recent(after: number, max: number): BusEvent[] | null {
    if (after < this.trimmedUpTo) return null;
    // First buffered event after `after` (binary search: sequence numbers are increasing).
    let lo = 0;
    let hi = this.buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.buffer[mid].seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.buffer.slice(lo, lo + max);
  }

  waitBeyond(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.waiters.waitBeyond(after, timeoutMs, signal);
  }

  releaseWaiters(): void {
    this.waiters.wake();
  }
}
