// Builds what the pipeline's activities need: the node write path (publishing events through the bus),
// the `maestro-pipeline` service user, the configuration and the storage backend.
import type { Db } from 'mongodb';
import type { PipelineDeps } from '../activities/pipeline';
import type { PipelineConfig } from '../config/types';
import { startPendingEventRecovery } from '../db/nodes/pending-events';
import { nodeStoreOptions } from '../db/nodes/settings';
import { createNodeStore } from '../db/nodes/store';
import { createEventBus, type EventBusSettings } from '../events/bus';
import { componentLogger } from '../logger';
import type { Settings } from '../settings';
import { HttpStorageBackend } from '../storage/http-backend';
import type { StorageBackend } from '../storage/backend';
import { ensureServiceUser } from '../users/bootstrap';
import { startRevision } from '../workflows/pipeline/client';

export const PIPELINE_USER = 'maestro-pipeline';
export const PIPELINE_GROUPS = ['node:edit:any'];

export interface PipelineDepsOptions {
  db: Db;
  settings: EventBusSettings &
    Pick<Settings, 'nodeTimeout' | 'checkoutTimeout' | 'nodeEventRecoveryInterval'>;
  config: PipelineConfig;
  dataDir: string;
  storageToken: string;
  /** Default: the HTTP storage service named by config.storage. */
  storage?: StorageBackend;
}

export async function createPipelineDeps(
  opts: PipelineDepsOptions,
): Promise<{ deps: PipelineDeps; close(): Promise<void> }> {
  if (opts.config.storage.type !== 'http' && !opts.storage) {
    throw new Error(`storage type "${opts.config.storage.type}" has no backend in this build (use "http")`);
  }
  const log = componentLogger('pipeline-worker');
  const bus = createEventBus(opts.db, opts.settings, (err) => log.error({ err }, 'event bus'));
  const store = createNodeStore(opts.db, bus, {
    ...nodeStoreOptions(opts.settings),
    onError: (err) => log.error({ err }, 'node write path'),
  });
  // The worker re-delivers its own unconfirmed node events too, so none wait for an API replica.
  const stopRecovery = startPendingEventRecovery(
    opts.db,
    bus,
    opts.settings.nodeEventRecoveryInterval,
    (err) => log.error({ err }, 'node event recovery failed'),
  );
  const actor = await ensureServiceUser(opts.db, PIPELINE_USER, PIPELINE_GROUPS);
  const storage =
    opts.storage ??
    new HttpStorageBackend({
      baseUrl: opts.config.storage.base_url,
      uploadUrl: opts.config.storage.upload_url,
      token: opts.storageToken,
    });
  const config = opts.config;
  return {
    deps: { store, actor, config: () => config, storage, dataDir: opts.dataDir, startRevision },
    close: async () => {
      await stopRecovery();
      await store.flush();
      await bus.close();
    },
  };
}
