import type { Client } from '@temporalio/client';
import type { PipelineConfig } from '../../config/types';
import type { Actor, NodeStore } from '../../db/nodes/types';
import type { StorageBackend } from '../../storage/backend';
import type { Revision } from '../../workflows/pipeline/types';

/** What the pipeline's activities need; built once by the pipeline worker. */
export interface PipelineDeps {
  store: NodeStore;
  /** The pipeline's service user (`maestro-pipeline`, group `node:edit:any`). */
  actor: Actor;
  /** Current configuration (read on every call, so a reload takes effect for new steps). */
  config: () => PipelineConfig;
  storage: StorageBackend;
  /** Bare git mirrors and tarball scratch space live here. */
  dataDir: string;
  /**
   * Starts a revision's checkout workflow (`startRevision` of the pipeline's client module), handed in
   * by the worker: the workflow modules import these activities' types, so the activities do not
   * import the workflows back.
   */
  startRevision(
    client: Client,
    rev: Revision,
    taskQueue: string,
  ): Promise<{ workflowId: string; started: boolean }>;
}
