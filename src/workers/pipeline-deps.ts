// Builds what the pipeline's activities need: the node write path, the `maestro-pipeline` service user,
// the configuration and the storage backend. The worker publishes node events through the write path
// alone: it runs no event feed, sweeper, subscription reaper or queue store (those serve API clients).
import type { PipelineDeps } from '../activities/pipeline';
import type { PipelineConfig } from '../config/types';
import { nodeStoreSettings } from '../db/open';
import type { Storage } from '../db/storage';
import type { Settings } from '../settings';
import { HttpStorageBackend } from '../storage/http-backend';
import type { StorageBackend } from '../storage/backend';
import { startRevision } from '../workflows/pipeline/client';

export const PIPELINE_USER = 'maestro-pipeline';
export const PIPELINE_GROUPS = ['node:edit:any'];

export interface PipelineDepsOptions {
  storage: Storage;
  settings: Pick<
    Settings,
    'nodeTimeout' | 'checkoutTimeout' | 'nodeEventRecoveryInterval' | 'eventSource' | 'queryTimeout'
  >;
  config: PipelineConfig;
  dataDir: string;
  storageToken: string;
  /** Default: the HTTP storage service named by config.storage. */
  artifactStorage?: StorageBackend;
}

export async function createPipelineDeps(
  opts: PipelineDepsOptions,
): Promise<{ deps: PipelineDeps; close(): Promise<void> }> {
  if (opts.config.storage.type !== 'http' && !opts.artifactStorage) {
    throw new Error(`storage type "${opts.config.storage.type}" has no backend in this build (use "http")`);
  }
  const store = opts.storage.createNodeStore(nodeStoreSettings(opts.settings));
  const actor = await opts.storage.ensureServiceUser(PIPELINE_USER, PIPELINE_GROUPS);
  const artifacts =
    opts.artifactStorage ??
    new HttpStorageBackend({
      baseUrl: opts.config.storage.base_url,
      uploadUrl: opts.config.storage.upload_url,
      token: opts.storageToken,
    });
  const config = opts.config;
  return {
    deps: { store, actor, config: () => config, storage: artifacts, dataDir: opts.dataDir, startRevision },
    close: () => store.close(),
  };
}
