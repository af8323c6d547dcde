// The event bus of one API process: publishes (node changes from the write path, client events),
// serves subscriptions, queues, the history and streams. All state is in the database, so several API
// processes against one database deliver every event to every subscriber. Storage specifics (how
// events are ordered and how a process hears of new ones) live in the backend (./backend.ts).
import { forbidden, notFound } from '../errors';
import type { NodeChange, NodeEventSink } from '../db/nodes/types';
import { componentLogger } from '../logger';
import type { Settings } from '../settings';
import type { EventBackend, EventFeed, EventLog, QueueStorage, SubscriptionStorage } from './backend';
import { attributes, nodeEventDraft } from './cloudevent';
import type { EventRecord, HistoryQuery } from './history';
import type { SubscriptionDocument } from './subscriptions';
import type { BusEvent, EventDraft } from './types';

const log = componentLogger('events');

export type EventBusSettings = Pick<
  Settings,
  | 'eventRetention'
  | 'eventPollInterval'
  | 'eventGapWait'
  | 'eventBufferSize'
  | 'eventSource'
  | 'listenTimeout'
  | 'subscriptionIdleTimeout'
  | 'queueVisibilityTimeout'
>;

export interface PublishInput {
  channel: string;
  owner: string | null;
  data: unknown;
  type?: string;
  source?: string;
  extensions?: Record<string, unknown>;
}

export interface ListenOptions {
  ack?: number;
  waitMs?: number;
  signal?: AbortSignal;
}

export interface ListenResult {
  subscription: SubscriptionDocument;
  event: BusEvent | null;
}

/** Which events a reader wants. */
export interface EventMatcher {
  channel: string;
  /** null: every owner (promiscuous). */
  user: string | null;
}

export function matches(ev: BusEvent, m: EventMatcher): boolean {
  return !ev.void && ev.channel === m.channel && (m.user === null || !ev.owner || ev.owner === m.user);
}

const READ_BATCH = 500;
const HISTORY_CACHE_ENTRIES = 16;
const HISTORY_CACHE_MS = 5_000;

export class EventBus implements NodeEventSink {
  readonly log: EventLog;
  readonly poller: EventFeed;
  readonly subscriptions: SubscriptionStorage;
  readonly queues: QueueStorage;
  private readonly historyCache = new Map<string, { at: number; events: Promise<BusEvent[]> }>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Settles when the feed knows where the sequence stands (writes wait for it). */
  readonly ready: Promise<void>;
  private lastRetentionSweep = 0;
  private stopping = false;

  constructor(
    readonly backend: EventBackend,
    readonly settings: EventBusSettings,
    private readonly onError: (err: unknown) => void = (err) => log.error({ err }, 'event bus'),
  ) {
    this.log = backend.log;
    this.poller = backend.feed;
    this.subscriptions = backend.subscriptions;
    this.queues = backend.queues;
    this.ready = backend
      .prepare()
      .then(() => this.poller.start())
      .then(() => {
        this.sweeper = setInterval(() => void this.sweep().catch(this.onError), 60_000);
        this.sweeper.unref();
      });
    this.ready.catch(onError);
  }

  /** Wakes every waiting listener and stream (they answer at once), then stops the poller. */
  async close(): Promise<void> {
    this.interrupt();
    await this.ready.catch(() => undefined);
    if (this.sweeper) clearInterval(this.sweeper);
    await this.poller.close();
    await this.backend.close();
  }

  /** Ends pending long-polls and streams so a closing server is not held open by them. */
  interrupt(): void {
    this.stopping = true;
    this.poller.releaseWaiters();
  }

  get closing(): boolean {
    return this.stopping || this.poller.isClosed;
  }

  // ---- publishing ----------------------------------------------------------------------------------

  /** NodeEventSink: one event per change; idempotent per (node id, revision). */
  async nodeChanged(changes: NodeChange[]): Promise<void> {
    if (!changes.length) return;
    await this.write(changes.map((c) => nodeEventDraft(c, this.settings.eventSource)));
  }

  async publish(input: PublishInput): Promise<BusEvent> {
    const ce = attributes(input.source ?? this.settings.eventSource, input.type, input.extensions);
    const [ev] = await this.write([
      { channel: input.channel, owner: input.owner, data: input.data, ce, dedupe_key: `pub:${ce.id}` },
    ]);
    return ev;
  }

  private async write(drafts: EventDraft[]): Promise<BusEvent[]> {
    await this.ready;
    const stored = await this.log.append(drafts);
    this.poller.feed(stored);
    return stored.filter((e) => !e.void);
  }

  /** GET /events: the history with the SPEC filters. */
  history(q: HistoryQuery): Promise<EventRecord[]> {
    return this.log.find(q);
  }

  // ---- reading -------------------------------------------------------------------------------------

  /**
   * Resolved events after `after` (up to READ_BATCH), from memory or, for a reader behind the buffer,
   * from the history; `scannedTo` is the last sequence number the answer covers.
   */
  async readAfter(after: number): Promise<{ events: BusEvent[]; scannedTo: number }> {
    await this.ready;
    const cursor = this.poller.cursor;
    if (after >= cursor) return { events: [], scannedTo: after };
    const recent = this.poller.recent(after, READ_BATCH);
    if (recent) return { events: recent, scannedTo: recent.length ? recent[recent.length - 1].seq : after };
    const upTo = Math.min(cursor, this.poller.bufferStart - 1);
    // History is read in aligned blocks of numbers, so a reader catching up one event per request (and
    // every reader near it) reuses one read instead of reading a batch per event.
    const start = after - (after % READ_BATCH);
    const end = Math.min(start + READ_BATCH, upTo);
    const block = await this.readHistoryCached(start, end);
    return { events: block.filter((e) => e.seq > after), scannedTo: end };
  }

  /** Several subscribers catching up over the same range share one history read. */
  private readHistoryCached(after: number, upTo: number): Promise<BusEvent[]> {
    const key = `${after}:${upTo}`;
    const now = Date.now();
    const hit = this.historyCache.get(key);
    if (hit && now - hit.at < HISTORY_CACHE_MS) return hit.events;
    const events = this.log.readHistory(after, upTo, READ_BATCH);
    events.catch(() => this.historyCache.delete(key));
    this.historyCache.set(key, { at: now, events });
    while (this.historyCache.size > HISTORY_CACHE_ENTRIES)
      this.historyCache.delete(this.historyCache.keys().next().value!);
    return events;
  }

  /**
   * The next event after `after` that `m` wants, waiting until `deadline`; null with the position
   * reached when none came.
   */
  async next(
    after: number,
    m: EventMatcher,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<{ event: BusEvent | null; position: number }> {
    let pos = after;
    for (;;) {
      const { events, scannedTo } = await this.readAfter(pos);
      for (const ev of events) {
        if (matches(ev, m)) return { event: ev, position: ev.seq };
        pos = ev.seq;
      }
      pos = Math.max(pos, scannedTo);
      if (pos < this.poller.cursor) continue;
      const left = deadline - Date.now();
      if (left <= 0 || this.closing || signal?.aborted) return { event: null, position: pos };
      await this.poller.waitBeyond(pos, left, signal);
      if (this.poller.cursor <= pos && (Date.now() >= deadline || this.closing || signal?.aborted)) {
        return { event: null, position: pos };
      }
    }
  }

  // ---- subscriptions -------------------------------------------------------------------------------

  async subscribe(
    user: string,
    channel: string,
    promiscuous: boolean,
    subscriberId: string | null,
  ): Promise<SubscriptionDocument> {
    await this.ready;
    return this.subscriptions.subscribe(user, channel, promiscuous, subscriberId, this.poller.cursor);
  }

  async ownSubscription(id: number, user: string, fresh = false): Promise<SubscriptionDocument> {
    const sub = await this.subscriptions.get(id, fresh);
    if (!sub || !sub.active) throw notFound(`sub_id: subscription ${id} not found`);
    if (sub.user !== user) throw forbidden(`sub_id: subscription ${id} belongs to another user`);
    return sub;
  }

  async unsubscribe(id: number, user: string, ack?: number): Promise<void> {
    const sub = await this.ownSubscription(id, user, true);
    await this.subscriptions.unsubscribe(sub, ack);
  }

  /**
   * One long-poll: acknowledges (the previous delivery, or up to `ack`), then delivers the next event
   * for the subscription, or null after the wait.
   */
  async listen(id: number, user: string, opts: ListenOptions = {}): Promise<ListenResult> {
    const deadline = Date.now() + (opts.waitMs ?? this.settings.listenTimeout);
    for (let fresh = false; ; fresh = true) {
      const sub = await this.ownSubscription(id, user, fresh);
      const acked =
        opts.ack === undefined ? sub.delivered : Math.max(sub.acked, Math.min(opts.ack, sub.delivered));
      const { event, position } = await this.next(
        acked,
        { channel: sub.channel, user: sub.promiscuous ? null : sub.user },
        deadline,
        opts.signal,
      );
      const committed = await this.subscriptions.commit(
        sub,
        event ? { acked, delivered: event.seq } : { acked: position, delivered: position },
      );
      if (committed) return { subscription: sub, event };
      // Another process served this subscription meanwhile: redo from its stored position.
    }
  }

  // ---- housekeeping --------------------------------------------------------------------------------

  /**
   * Deletes history older than the retention (durable subscribers lose nothing within it), idle plain
   * subscriptions and expired queue claims. Runs every minute; the history pass every 10 minutes.
   */
  async sweep(force = false): Promise<void> {
    await this.subscriptions.reapIdle(this.settings.subscriptionIdleTimeout);
    const now = Date.now();
    if (!force && now - this.lastRetentionSweep < 600_000) return;
    this.lastRetentionSweep = now;
    await this.log.prune(new Date(now - this.settings.eventRetention));
    await this.queues.prune();
    await this.backend.housekeeping();
  }
}

/** Creates the bus of this process; its feed starts at once (`bus.ready`), close it with `close()`. */
export function createEventBus(
  backend: EventBackend,
  settings: EventBusSettings,
  onError?: (err: unknown) => void,
): EventBus {
  return new EventBus(backend, settings, onError);
}
