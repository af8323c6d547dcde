// Subscriptions and queues on PostgreSQL.
//
// Subscription positions are committed with a conditional UPDATE on the row's revision, so two API
// processes serving one subscription cannot both move it. Queue pops claim an item with
// `FOR UPDATE SKIP LOCKED`: racing consumers each take a different item (or none), never the same one,
// and a push NOTIFYs every process so waiting pops answer at once.
import { ObjectId } from 'mongodb';
import type pg from 'pg';
import { conflict, notFound } from '../../errors';
import type { QueueStorage, SubscriptionStorage } from '../../events/backend';
import type { PoppedItem, QueueDocument } from '../../events/queues';
import type { SubscriptionDocument } from '../../events/subscriptions';
import type { CloudEvent } from '../../events/types';
import type { PgListener } from './listener';

const SUB_COLUMNS =
  'id, channel, "user", promiscuous, subscriber_id, durable_key, acked, delivered, rev, active, created, last_poll';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows as pg returns them
const toSub = (r: any): SubscriptionDocument => {
  const { id, ...rest } = r;
  return { _id: id, ...rest };
};

export class PgSubscriptionStore implements SubscriptionStorage {
  private readonly cache = new Map<number, SubscriptionDocument>();

  constructor(private readonly pool: pg.Pool) {}

  async subscribe(
    user: string,
    channel: string,
    promiscuous: boolean,
    subscriberId: string | null,
    position: number,
  ): Promise<SubscriptionDocument> {
    if (!subscriberId) {
      const { rows } = await this.pool.query(
        `INSERT INTO event_subscriptions (channel, "user", promiscuous, subscriber_id, durable_key, acked, delivered)
         VALUES ($1, $2, $3, NULL, 'session:' || gen_random_uuid(), $4, $4) RETURNING ${SUB_COLUMNS}`,
        [channel, user, promiscuous, position],
      );
      return toSub(rows[0]);
    }
    const durableKey = `${user}/${subscriberId}`;
    // A durable subscriber resumes after its last acknowledgement (delivered but unacknowledged: again).
    const { rows } = await this.pool.query(
      `INSERT INTO event_subscriptions (channel, "user", promiscuous, subscriber_id, durable_key, acked, delivered)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (durable_key) DO UPDATE
         SET active = true, promiscuous = EXCLUDED.promiscuous, delivered = event_subscriptions.acked,
             last_poll = now(), rev = event_subscriptions.rev + 1
         WHERE event_subscriptions.channel = EXCLUDED.channel
       RETURNING ${SUB_COLUMNS}`,
      [channel, user, promiscuous, subscriberId, durableKey, position],
    );
    if (!rows.length) {
      const { rows: existing } = await this.pool.query(
        'SELECT channel FROM event_subscriptions WHERE durable_key = $1',
        [durableKey],
      );
      throw conflict(
        `subscriber_id: "${subscriberId}" is subscribed to channel "${existing[0]?.channel}", not "${channel}"`,
      );
    }
    const sub = toSub(rows[0]);
    this.cache.delete(sub._id);
    return sub;
  }

  async listActive(): Promise<SubscriptionDocument[]> {
    const { rows } = await this.pool.query(
      `SELECT ${SUB_COLUMNS} FROM event_subscriptions WHERE active ORDER BY id`,
    );
    return rows.map(toSub);
  }

  async get(id: number, fresh = false): Promise<SubscriptionDocument | null> {
    if (!fresh) {
      const cached = this.cache.get(id);
      if (cached) return cached;
    }
    if (!Number.isSafeInteger(id) || id <= 0 || id > 2 ** 31 - 1) return null;
    const { rows } = await this.pool.query(`SELECT ${SUB_COLUMNS} FROM event_subscriptions WHERE id = $1`, [
      id,
    ]);
    const doc = rows.length ? toSub(rows[0]) : null;
    if (doc) this.cache.set(id, doc);
    else this.cache.delete(id);
    return doc;
  }

  async commit(doc: SubscriptionDocument, position: { acked: number; delivered: number }): Promise<boolean> {
    const { rows } = await this.pool.query(
      `UPDATE event_subscriptions SET acked = $3, delivered = $4, last_poll = now(), rev = rev + 1
       WHERE id = $1 AND rev = $2 RETURNING last_poll`,
      [doc._id, doc.rev, position.acked, position.delivered],
    );
    if (rows.length) {
      this.cache.set(doc._id, { ...doc, ...position, last_poll: rows[0].last_poll, rev: doc.rev + 1 });
      return true;
    }
    this.cache.delete(doc._id);
    return false;
  }

  async unsubscribe(doc: SubscriptionDocument, ack?: number): Promise<void> {
    this.cache.delete(doc._id);
    if (!doc.subscriber_id) {
      await this.pool.query('DELETE FROM event_subscriptions WHERE id = $1', [doc._id]);
      return;
    }
    await this.pool.query(
      `UPDATE event_subscriptions SET active = false, last_poll = now(), rev = rev + 1,
         acked = CASE WHEN $2::bigint IS NULL THEN acked ELSE greatest(acked, least($2::bigint, delivered)) END
       WHERE id = $1`,
      [doc._id, ack ?? null],
    );
  }

  async reapIdle(idleMs: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM event_subscriptions WHERE subscriber_id IS NULL AND last_poll < now() - make_interval(secs => $1)`,
      [idleMs / 1000],
    );
    this.cache.clear();
    return rowCount ?? 0;
  }
}

export const QUEUE_CHANNEL = 'maestro_queues';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toQueue = (r: any): QueueDocument => ({
  _id: r.key,
  owner: r.owner,
  name: r.name,
  created: r.created,
  created_by: r.created_by,
});

const RECEIPT = /^([0-9a-f]{24}):(\d+)$/;

export class PgQueueStore implements QueueStorage {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly pool: pg.Pool,
    listener: PgListener,
    private readonly visibilityMs: number,
  ) {
    listener.on(QUEUE_CHANNEL, (key) => this.wakeQueue(key));
    listener.onReconnect(() => {
      for (const key of this.waiters.keys()) this.wakeQueue(key);
    });
  }

  async open(owner: string, name: string, by: string) {
    const key = `${owner}/${name}`;
    const { rows } = await this.pool.query(
      `INSERT INTO event_queues (key, owner, name, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO NOTHING RETURNING *`,
      [key, owner, name, by],
    );
    if (rows.length) return { queue: toQueue(rows[0]), created: true };
    return { queue: (await this.get(key))!, created: false };
  }

  async get(key: string): Promise<QueueDocument | null> {
    const { rows } = await this.pool.query('SELECT * FROM event_queues WHERE key = $1', [key]);
    return rows.length ? toQueue(rows[0]) : null;
  }

  async list(owners: string[]): Promise<QueueDocument[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM event_queues WHERE owner = ANY($1::text[]) ORDER BY key',
      [owners],
    );
    return rows.map(toQueue);
  }

  async close(key: string): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query('DELETE FROM event_queues WHERE key = $1', [key]);
      if (!rowCount) throw notFound(`queue: "${key}" is not open`);
      const dropped = await client.query('DELETE FROM event_queue_items WHERE queue = $1', [key]);
      await client.query('COMMIT');
      return dropped.rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async size(key: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM event_queue_items WHERE queue = $1',
      [key],
    );
    return rows[0].n;
  }

  /** Pushing to a queue nobody opened creates it (owner and name from the key). */
  async push(key: string, event: CloudEvent): Promise<string> {
    const itemId = new ObjectId().toHexString();
    const slash = key.indexOf('/');
    await this.pool.query(
      `WITH q AS (
         INSERT INTO event_queues (key, owner, name, created_by) VALUES ($1, $4, $5, $4) ON CONFLICT (key) DO NOTHING
       )
       INSERT INTO event_queue_items (item_id, queue, event) SELECT $2, $1, $3
       RETURNING pg_notify('${QUEUE_CHANNEL}', $1)`,
      [key, itemId, JSON.stringify(event), key.slice(0, slash), key.slice(slash + 1)],
    );
    this.wakeQueue(key);
    return itemId;
  }

  async pop(key: string, waitMs: number, autoAck: boolean, signal?: AbortSignal): Promise<PoppedItem | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      // Register before trying, so a push between the try and the wait is not missed.
      const woken = this.waitFor(key, signal);
      const item = await this.claimNext(key, autoAck);
      const left = deadline - Date.now();
      if (item || left <= 0 || signal?.aborted) {
        woken.cancel();
        return item;
      }
      // An unacknowledged item becomes visible again without a notification: look again by then.
      await woken.wait(Math.min(left, this.visibilityMs));
    }
  }

  private async claimNext(key: string, autoAck: boolean): Promise<PoppedItem | null> {
    const pick = `SELECT id FROM event_queue_items WHERE queue = $1 AND visible_at <= now()
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`;
    const { rows } = autoAck
      ? await this.pool.query(
          `DELETE FROM event_queue_items WHERE id = (${pick}) RETURNING item_id, event, deliveries + 1 AS deliveries`,
          [key],
        )
      : await this.pool.query(
          `UPDATE event_queue_items SET deliveries = deliveries + 1,
             visible_at = now() + make_interval(secs => $2)
           WHERE id = (${pick}) RETURNING item_id, event, deliveries`,
          [key, this.visibilityMs / 1000],
        );
    if (!rows.length) return null;
    const r = rows[0];
    return { event: r.event, receipt: `${r.item_id}:${r.deliveries}`, deliveries: r.deliveries };
  }

  async ack(key: string, receipt: string): Promise<void> {
    const id = RECEIPT.exec(receipt)?.[1];
    if (!id) throw notFound(`receipt: "${receipt}" is not a receipt of queue "${key}"`);
    const { rowCount } = await this.pool.query(
      'DELETE FROM event_queue_items WHERE item_id = $1 AND queue = $2',
      [id, key],
    );
    if (!rowCount)
      throw notFound(`receipt: item of "${receipt}" is not in queue "${key}" (already acknowledged?)`);
  }

  async release(key: string, receipt: string): Promise<void> {
    const m = RECEIPT.exec(receipt);
    if (!m) throw notFound(`receipt: "${receipt}" is not a receipt of queue "${key}"`);
    const { rowCount } = await this.pool.query(
      `WITH u AS (UPDATE event_queue_items SET visible_at = now()
                  WHERE item_id = $1 AND queue = $2 AND deliveries = $3 RETURNING 1)
       SELECT pg_notify('${QUEUE_CHANNEL}', $2) FROM u`,
      [m[1], key, Number(m[2])],
    );
    if (!rowCount) throw conflict(`receipt: "${receipt}" is no longer the current delivery of its item`);
  }

  async prune(): Promise<void> {
    // Nothing to prune: a claim is the row lock of the pop's own statement.
  }

  private wakeQueue(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }

  private waitFor(key: string, signal?: AbortSignal) {
    let set = this.waiters.get(key);
    if (!set) this.waiters.set(key, (set = new Set()));
    let fired = false;
    let resolve: (() => void) | null = null;
    const wake = () => {
      fired = true;
      resolve?.();
    };
    set.add(wake);
    const cancel = () => {
      set!.delete(wake);
      if (!set!.size) this.waiters.delete(key);
      signal?.removeEventListener('abort', wake);
    };
    signal?.addEventListener('abort', wake, { once: true });
    return {
      cancel,
      wait: (ms: number) =>
        new Promise<void>((r) => {
          if (fired) {
            cancel();
            return r();
          }
          const t = setTimeout(() => resolve?.(), ms);
          resolve = () => {
            clearTimeout(t);
            cancel();
            r();
          };
        }),
    };
  }
}
