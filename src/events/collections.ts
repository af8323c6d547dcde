// Collection names and indexes of the event system (registered in src/db/indexes.ts).
import type { IndexDescription } from 'mongodb';

export const EVENTS_COLLECTION = 'events';
export const EVENT_BATCHES_COLLECTION = 'event_batches';
export const EVENT_HEADS_COLLECTION = 'event_heads';
export const SUBSCRIPTIONS_COLLECTION = 'event_subscriptions';
export const QUEUES_COLLECTION = 'event_queues';
export const QUEUE_ITEMS_COLLECTION = 'event_queue_items';
export const QUEUE_CLAIMS_COLLECTION = 'event_queue_claims';
export const EVENT_COUNTERS_COLLECTION = 'event_counters';

export const EVENT_INDEXES: Record<string, IndexDescription[]> = {
  [EVENTS_COLLECTION]: [
    // Unique: the total order, and idempotent node-event publication. Both are what make concurrent
    // writers safe on FerretDB, whose updates are not atomic but whose unique indexes are.
    { key: { sequence_id: 1 }, name: 'sequence_id', unique: true },
    { key: { dedupe_key: 1 }, name: 'dedupe_key', unique: true },
    { key: { channel: 1, sequence_id: 1 }, name: 'channel_sequence' },
    { key: { 'data.id': 1, sequence_id: 1 }, name: 'node_id_sequence' },
    { key: { 'data.kind': 1, sequence_id: 1 }, name: 'kind_sequence' },
    { key: { owner: 1, sequence_id: 1 }, name: 'owner_sequence' },
    { key: { timestamp: 1 }, name: 'timestamp' },
  ],
  [SUBSCRIPTIONS_COLLECTION]: [
    { key: { durable_key: 1 }, name: 'durable_key', unique: true },
    { key: { last_poll: 1 }, name: 'last_poll' },
  ],
  [QUEUE_ITEMS_COLLECTION]: [{ key: { queue: 1, visible_at: 1 }, name: 'queue_visible' }],
  [QUEUE_CLAIMS_COLLECTION]: [{ key: { at: 1 }, name: 'at' }],
  [EVENT_BATCHES_COLLECTION]: [{ key: { at: 1 }, name: 'at' }],
};
