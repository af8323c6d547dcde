// Opens the storage the settings select: MONGODB_URI → MongoDB, else DATABASE_URL → PostgreSQL.
import type { Settings } from '../settings';
import { openMongoStorage } from './mongodb';
import { postgresStorage } from './postgres';
import type { NodeStoreSettings, Storage } from './storage';

export type StorageSettings = Pick<Settings, 'databaseUrl' | 'mongodbUri' | 'dbName' | 'dbPoolSize'>;

/** Opens and prepares (migrations / indexes) the configured storage. */
export async function openStorage(settings: StorageSettings): Promise<Storage> {
  let storage: Storage;
  if (settings.mongodbUri) storage = await openMongoStorage(settings.mongodbUri, settings.dbName);
  else if (settings.databaseUrl)
    storage = postgresStorage(settings.databaseUrl, { max: settings.dbPoolSize });
  else throw new Error('DATABASE_URL (PostgreSQL) or MONGODB_URI (MongoDB) must be set');
  try {
    await storage.prepare();
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  return storage;
}

export function nodeStoreSettings(
  settings: Pick<
    Settings,
    'nodeTimeout' | 'checkoutTimeout' | 'eventSource' | 'nodeEventRecoveryInterval' | 'queryTimeout'
  >,
): NodeStoreSettings {
  return {
    nodeTimeoutMs: settings.nodeTimeout,
    checkoutTimeoutMs: settings.checkoutTimeout,
    eventSource: settings.eventSource,
    nodeEventRecoveryInterval: settings.nodeEventRecoveryInterval,
    queryTimeoutMs: settings.queryTimeout,
  };
}
