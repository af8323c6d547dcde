// The event backend on MongoDB-wire servers (FerretDB here): sequence numbers claimed by unique inserts,
// batches announced through per-process heads, a poller that fills gaps with void markers. Everything
// FerretDB-specific about events stays in these classes (src/events/{sequencer,ring,poller,…}.ts).
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { EventBackend } from '../../events/backend';
import type { EventBusSettings } from '../../events/bus';
import { nodeEventDraft } from '../../events/cloudevent';
import { EVENTS_COLLECTION } from '../../events/collections';
import { findEvents } from '../../events/history';
import { EventPoller } from '../../events/poller';
import { QueueStore } from '../../events/queues';
import { EventRing } from '../../events/ring';
import { Sequencer } from '../../events/sequencer';
import { SubscriptionStore } from '../../events/subscriptions';
import type { NodeEventSink } from '../nodes/types';

export function mongoEventBackend(
  db: Db,
  settings: EventBusSettings,
  onError: (err: unknown) => void,
): EventBackend & { sequencerForTests: Sequencer } {
  const ring = new EventRing(db, randomBytes(8).toString('hex'));
  const sequencer = new Sequencer(db, () => ring.maxHead());
  const feed = new EventPoller(ring, sequencer, {
    intervalMs: settings.eventPollInterval,
    gapWaitMs: settings.eventGapWait,
    bufferSize: settings.eventBufferSize,
    onError,
  });
  return {
    log: {
      async append(drafts) {
        const stored = await sequencer.write(drafts);
        feed.feed(stored);
        await ring.write(stored);
        return stored;
      },
      readHistory: (after, upTo, limit) => sequencer.readHistory(after, upTo, limit),
      find: (q) => findEvents(db, q),
      prune: async (before) => {
        await db.collection(EVENTS_COLLECTION).deleteMany({ timestamp: { $lt: before } });
      },
    },
    feed,
    subscriptions: new SubscriptionStore(db),
    queues: new QueueStore(db, settings.queueVisibilityTimeout, Math.max(50, settings.eventPollInterval * 4)),
    // The unique indexes publishing relies on are created with all others by the storage's prepare()
    // (src/db/indexes.ts: the one index-registration loop), before any bus exists.
    prepare: async () => undefined,
    housekeeping: () => ring.pruneHeads(),
    close: async () => undefined,
    sequencerForTests: sequencer,
  };
}

/**
 * Publishing without the subscriber machinery (no poller, no sweeper): what a pipeline worker needs to
 * report its node changes. Other processes' pollers pick the events up from the heads.
 */
export function mongoEventPublisher(db: Db, eventSource: string): NodeEventSink {
  const ring = new EventRing(db, randomBytes(8).toString('hex'));
  const sequencer = new Sequencer(db, () => ring.maxHead());
  return {
    async nodeChanged(changes) {
      if (!changes.length) return;
      const stored = await sequencer.write(changes.map((c) => nodeEventDraft(c, eventSource)));
      await ring.write(stored);
    },
  };
}
