// Subscriptions live in the database, so any API process can serve any subscription's long-poll, and a
// durable one (`subscriber_id`) survives disconnects and restarts.
//
// Position and acknowledgement: `acked` is the sequence number up to which the subscriber is done;
// `delivered` is the last event handed out (not yet acknowledged). A listen call first acknowledges
// the event the previous call delivered (or, with `?ack=N`, everything up to N only), then delivers the
// next matching event after the acknowledged position. A subscriber that resumes therefore gets exactly
// the events after its last acknowledgement, in order: an event delivered but never acknowledged (the
// client died while handling it) is delivered again.
import type { SubscriptionDocument, SubscriptionStorage } from './backend';

export type { SubscriptionDocument } from './backend';
import type { Collection, Db } from 'mongodb';
import { conflict } from '../errors';
import { EVENT_COUNTERS_COLLECTION, SUBSCRIPTIONS_COLLECTION } from './collections';
import { isDuplicateKey } from './sequencer';

export class SubscriptionStore implements SubscriptionStorage {
  private readonly subs: Collection<SubscriptionDocument>;
  private readonly counters: Collection<{ _id: string; n: number }>;
  private readonly cache = new Map<number, SubscriptionDocument>();

  constructor(db: Db) {
    this.subs = db.collection<SubscriptionDocument>(SUBSCRIPTIONS_COLLECTION);
    this.counters = db.collection<{ _id: string; n: number }>(EVENT_COUNTERS_COLLECTION);
  }

  /**
   * A new session, or for a durable subscriber its existing state reactivated: it resumes after its
   * last acknowledged event (anything delivered but unacknowledged is delivered again).
   */
  async subscribe(
    user: string,
    channel: string,
    promiscuous: boolean,
    subscriberId: string | null,
    position: number,
  ) {
    if (subscriberId) {
      const durableKey = `${user}/${subscriberId}`;
      for (;;) {
        const existing = await this.subs.findOne({ durable_key: durableKey });
        if (existing) {
          if (existing.channel !== channel) {
            throw conflict(
              `subscriber_id: "${subscriberId}" is subscribed to channel "${existing.channel}", not "${channel}"`,
            );
          }
          const set = { active: true, promiscuous, delivered: existing.acked, last_poll: new Date() };
          await this.subs.updateOne({ _id: existing._id }, { $set: set, $inc: { rev: 1 } });
          this.cache.delete(existing._id);
          return { ...existing, ...set, rev: existing.rev + 1 };
        }
        try {
          return await this.insert(user, channel, promiscuous, subscriberId, durableKey, position);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err; // a concurrent first subscribe won: use its state
        }
      }
    }
    return this.insert(user, channel, promiscuous, null, null, position);
  }

  private async insert(
    user: string,
    channel: string,
    promiscuous: boolean,
    subscriberId: string | null,
    durableKey: string | null,
    position: number,
  ): Promise<SubscriptionDocument> {
    // Ids are small integers like upstream's. `$inc` is only a hint (not atomic on FerretDB); the
    // unique `_id` insert decides.
    for (;;) {
      const counter = await this.counters.findOneAndUpdate(
        { _id: 'subscription' },
        { $inc: { n: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      const id = counter!.n;
      const now = new Date();
      const doc: SubscriptionDocument = {
        _id: id,
        channel,
        user,
        promiscuous,
        subscriber_id: subscriberId,
        durable_key: durableKey ?? `session:${id}`,
        acked: position,
        delivered: position,
        rev: 0,
        active: true,
        created: now,
        last_poll: now,
      };
      try {
        await this.subs.insertOne(doc);
        return doc;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (durableKey && (await this.subs.findOne({ durable_key: durableKey }))) throw err;
      }
    }
  }

  async get(id: number, fresh = false): Promise<SubscriptionDocument | null> {
    if (!fresh) {
      const cached = this.cache.get(id);
      if (cached) return cached;
    }
    const doc = await this.subs.findOne({ _id: id });
    if (doc) this.cache.set(id, doc);
    else this.cache.delete(id);
    return doc;
  }

  /**
   * Records a new position; false when the copy was stale (another process served this subscription).
   * One single-statement update per call: FerretDB 1.24 can hang on bulk updates beside other writes.
   */
  async commit(doc: SubscriptionDocument, position: { acked: number; delivered: number }): Promise<boolean> {
    const set = { ...position, last_poll: new Date() };
    const res = await this.subs.updateOne({ _id: doc._id, rev: doc.rev }, { $set: set, $inc: { rev: 1 } });
    if (res.matchedCount === 1) {
      this.cache.set(doc._id, { ...doc, ...set, rev: doc.rev + 1 });
      return true;
    }
    this.cache.delete(doc._id);
    return false;
  }

  /** Ends a session: a durable subscription keeps its state (inactive), a plain one is deleted. */
  async unsubscribe(doc: SubscriptionDocument, ack?: number): Promise<void> {
    this.cache.delete(doc._id);
    if (!doc.subscriber_id) {
      await this.subs.deleteOne({ _id: doc._id });
      return;
    }
    const set: Partial<SubscriptionDocument> = { active: false, last_poll: new Date() };
    if (ack !== undefined) set.acked = Math.max(doc.acked, Math.min(ack, doc.delivered));
    await this.subs.updateOne({ _id: doc._id }, { $set: set, $inc: { rev: 1 } });
  }

  /** The active subscriptions, oldest first (an admin's statistics). */
  listActive(): Promise<SubscriptionDocument[]> {
    return this.subs.find({ active: true }).sort({ _id: 1 }).toArray();
  }

  /** Removes plain subscriptions nobody polled for `idleMs`; durable state is never reaped. */
  async reapIdle(idleMs: number): Promise<number> {
    const res = await this.subs.deleteMany({
      subscriber_id: null,
      last_poll: { $lt: new Date(Date.now() - idleMs) },
    });
    this.cache.clear();
    return res.deletedCount;
  }
}
