// The MongoDB backend: documents in KernelCI's own shapes, so an operator can point the system at an
// existing KernelCI database (`MONGODB_URI`). Tested here against FerretDB, whose workarounds (outbox
// claims, update slots, void markers) stay inside this backend's modules.
import type { Db } from 'mongodb';
import { componentLogger } from '../../logger';
import { userCollections } from '../../users/collections';
import { isDuplicateKey } from '../../users/duplicate-key';
import { MongoGroupStore } from '../../users/groups';
import { MongoUserStore } from '../../users/store';
import type { TokenStorage } from '../../users/tokens';
import { EventBus } from '../../events/bus';
import { connectDatabase } from '../client';
import { ensureIndexes, INDEXES } from '../indexes';
import { startPendingEventRecovery } from '../nodes/pending-events';
import { createNodeStore } from '../nodes/store';
import type { Storage } from '../storage';
import { mongoEventBackend, mongoEventPublisher } from './events';
import { ensureMongoServiceUser } from './service-user';
import { MongoDeliveryLog } from './deliveries';
import { MongoKvStore } from '../../kv/mongo';
import { MongoTelemetryStore } from '../../telemetry/mongo';
import { MongoResetTokenStore } from '../../users/password-reset-mongo';

const log = componentLogger('mongodb');

function mongoTokenStorage(db: Db): TokenStorage {
  const { users, revoked, secrets } = userCollections(db);
  return {
    findUser: (id) => users.findOne({ _id: id }),
    isRevoked: async (jti) => !!(await revoked.findOne({ _id: jti }, { projection: { _id: 1 } })),
    async revoke(jti, userId, expiresAt) {
      await revoked.updateOne(
        { _id: jti },
        { $set: { user_id: userId, expires_at: expiresAt } },
        { upsert: true },
      );
      // No TTL indexes on every backend: purge entries whose token would have expired anyway.
      await revoked.deleteMany({ expires_at: { $lt: new Date() } });
    },
    async bumpTokenGeneration(userId) {
      await users.updateOne(
        { _id: userId },
        { $inc: { token_generation: 1 }, $set: { updated: new Date() } },
      );
    },
    async signingSecret(create) {
      const existing = await secrets.findOne({ _id: 'jwt' });
      if (existing) return existing.key;
      try {
        await secrets.insertOne({ _id: 'jwt', key: create(), created: new Date() });
      } catch (err) {
        // Another replica created it first (duplicate key): use theirs.
        if (!isDuplicateKey(err)) throw err;
      }
      const stored = await secrets.findOne({ _id: 'jwt' });
      if (!stored) throw new Error('could not store the token signing key');
      return stored.key;
    },
  };
}

/** A Storage over an open MongoDB database (`close` closes `onClose`). */
export function mongoStorage(
  db: Db,
  location: string,
  onClose: () => Promise<void> = async () => undefined,
): Storage {
  const tokenStorage = mongoTokenStorage(db);
  return {
    kind: 'mongodb',
    location,
    databaseName: db.databaseName,
    tokenStorage,
    kv: new MongoKvStore(db),
    telemetry: new MongoTelemetryStore(db),
    resetTokens: new MongoResetTokenStore(db),
    deliveries: new MongoDeliveryLog(db),
    prepare: () => ensureIndexes(db),
    createNodeStore(settings, bus) {
      const sink = bus ?? mongoEventPublisher(db, settings.eventSource);
      const store = createNodeStore(db, sink, {
        ...settings,
        onError: settings.onError ?? ((err) => log.error({ err }, 'node write path')),
      });
      // Re-delivers node events whose publication a crash interrupted (this backend has no transactions).
      const stopRecovery = startPendingEventRecovery(db, sink, settings.nodeEventRecoveryInterval, (err) =>
        log.error({ err }, 'node event recovery failed'),
      );
      return {
        ...store,
        async close() {
          await stopRecovery();
          await store.flush();
        },
      };
    },
    createEventBus: (settings, onError) =>
      new EventBus(
        mongoEventBackend(db, settings, onError ?? ((err) => log.error({ err }, 'event bus'))),
        settings,
        onError,
      ),
    createUserStore: (tokens) => new MongoUserStore(db, tokens),
    createGroupStore: (tokens) => new MongoGroupStore(db, tokens),
    ensureServiceUser: (username, groups) => ensureMongoServiceUser(db, username, groups),
    async hasActiveSuperuser() {
      return !!(await userCollections(db).users.findOne({ is_superuser: true }, { projection: { _id: 1 } }));
    },
    async healthProbe(probeId) {
      const probes = db.collection<{ _id: string; at: Date }>('health_probes');
      await probes.updateOne({ _id: probeId }, { $set: { at: new Date() } }, { upsert: true });
      const doc = await probes.findOne({ _id: probeId });
      if (!doc) throw new Error(`health probe ${probeId} not found after write`);
      return { probeId: doc._id, storedAt: doc.at.toISOString() };
    },
    async counts() {
      const out: Record<string, number> = {};
      for (const name of Object.keys(INDEXES)) out[name] = await db.collection(name).countDocuments();
      return out;
    },
    close: onClose,
  };
}

export async function openMongoStorage(uri: string, dbName: string): Promise<Storage> {
  const database = await connectDatabase(uri, dbName);
  return mongoStorage(database.db, `${uri.replace(/\/\/[^@/]*@/, '//')}${dbName}`, () => database.close());
}
