// Indexes for every node filter the pipeline and dashboards use. Created at start-up (src/db/indexes.ts).
// Note: FerretDB 1.x with SQLite creates them but pushes down only `_id` filters; on MongoDB every
// listed query shape is served from an index.
import type { IndexDescription } from 'mongodb';
import { NODES_COLLECTION } from './document';
import { NODE_OUTBOX_COLLECTION } from './pending-events';

const single = (field: string): IndexDescription => ({ key: { [field]: 1 }, name: field });

export const NODE_INDEXES: Record<string, IndexDescription[]> = {
  [NODES_COLLECTION]: [
    ...[
      'kind',
      'state',
      'parent',
      'name',
      'group',
      'owner',
      'created',
      'updated',
      'treeid',
      'result',
      'data.kernel_revision.tree',
      'data.kernel_revision.branch',
      'data.kernel_revision.commit',
      'data.platform',
      'data.arch',
      'data.runtime',
      'data.defconfig',
      'data.job_id',
    ].map(single),
    { key: { kind: 1, created: -1 }, name: 'kind_created' },
    { key: { kind: 1, state: 1 }, name: 'kind_state' },
    { key: { parent: 1, name: 1 }, name: 'parent_name' },
    { key: { state: 1, timeout: 1 }, name: 'state_timeout' },
    { key: { treeid: 1, kind: 1 }, name: 'treeid_kind' },
    {
      key: { 'data.kernel_revision.tree': 1, 'data.kernel_revision.branch': 1, created: -1 },
      name: 'tree_branch_created',
    },
    { key: { processed_by_kcidb_bridge: 1, updated: 1 }, name: 'kcidb_pending' },
  ],
  // Recovery looks for old undelivered entries, and expires old delivered ones.
  [NODE_OUTBOX_COLLECTION]: [{ key: { delivered: 1, at: 1 }, name: 'delivered_at' }],
};
