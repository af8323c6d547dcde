// What the event bus needs from a storage backend: where events are stored and read in order, how a
// process learns about new ones, and where subscriptions and queues live. The bus itself (listen, next,
// streams, acknowledgement rules) is the same on every backend.
import type { EventRecord, HistoryQuery } from './history';
import type { BusEvent, CloudEvent, EventDraft } from './types';

export interface QueueDocument {
  _id: string;
  owner: string;
  name: string;
  created: Date;
  created_by: string;
}

export interface PoppedItem {
  event: CloudEvent;
  receipt: string;
  deliveries: number;
}

export interface SubscriptionDocument {
  _id: number;
  channel: string;
  user: string;
  promiscuous: boolean;
  subscriber_id: string | null;
  /** `<user>/<subscriber_id>` for durable subscriptions, `session:<id>` otherwise (unique). */
  durable_key: string;
  acked: number;
  delivered: number;
  /** Bumped on every write: a stale cached copy fails its conditional write and is re-read. */
  rev: number;
  active: boolean;
  created: Date;
  last_poll: Date;
}

/** The ordered event history. */
export interface EventLog {
  /** Stores events; returns them (and any filler markers the backend needed) in sequence order. */
  append(drafts: EventDraft[]): Promise<BusEvent[]>;
  /** Events with sequence numbers in (after, upTo], in order. */
  readHistory(after: number, upTo: number, limit: number): Promise<BusEvent[]>;
  /** GET /events. */
  find(q: HistoryQuery): Promise<EventRecord[]>;
  /** Deletes events older than `before` (retention). */
  prune(before: Date): Promise<void>;
}

/** One process's in-order view of new events: a cursor, a recent buffer and waiters. */
export interface EventFeed {
  /** Every event up to the cursor has been read. */
  readonly cursor: number;
  /** Below this sequence number the buffer holds nothing: read the history. */
  readonly bufferStart: number;
  readonly isClosed: boolean;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Events this process just stored (a hint: the feed may deliver them before its next read). */
  feed(events: BusEvent[]): void;
  /** Events after `after` from memory, or null when `after` is older than the buffer. */
  recent(after: number, max: number): BusEvent[] | null;
  waitBeyond(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  releaseWaiters(): void;
}

export interface SubscriptionStorage {
  subscribe(
    user: string,
    channel: string,
    promiscuous: boolean,
    subscriberId: string | null,
    position: number,
  ): Promise<SubscriptionDocument>;
  get(id: number, fresh?: boolean): Promise<SubscriptionDocument | null>;
  /** Records a new position; false when the copy was stale (another process served it meanwhile). */
  commit(doc: SubscriptionDocument, position: { acked: number; delivered: number }): Promise<boolean>;
  unsubscribe(doc: SubscriptionDocument, ack?: number): Promise<void>;
  reapIdle(idleMs: number): Promise<number>;
  /** The active subscriptions, oldest first (an admin's statistics). */
  listActive(): Promise<SubscriptionDocument[]>;
}

export interface QueueStorage {
  open(owner: string, name: string, by: string): Promise<{ queue: QueueDocument; created: boolean }>;
  get(key: string): Promise<QueueDocument | null>;
  list(owners: string[]): Promise<QueueDocument[]>;
  close(key: string): Promise<number>;
  size(key: string): Promise<number>;
  push(key: string, event: CloudEvent): Promise<string>;
  pop(key: string, waitMs: number, autoAck: boolean, signal?: AbortSignal): Promise<PoppedItem | null>;
  ack(key: string, receipt: string): Promise<void>;
  release(key: string, receipt: string): Promise<void>;
  /** Housekeeping of delivery bookkeeping (backend specific). */
  prune(): Promise<void>;
}

export interface EventBackend {
  log: EventLog;
  feed: EventFeed;
  subscriptions: SubscriptionStorage;
  queues: QueueStorage;
  /** Before the first write (e.g. indexes the log relies on). */
  prepare(): Promise<void>;
  /** Other periodic housekeeping. */
  housekeeping(): Promise<void>;
  /** After the feed stopped (listener connections). */
  close(): Promise<void>;
}
