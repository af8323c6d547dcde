import type { Db, IndexDescription } from 'mongodb';
import { EVENT_INDEXES } from '../events/collections';
import { USER_INDEXES } from '../users/collections';
import { KV_COLLECTION } from '../kv/mongo';
import { TELEMETRY_COLLECTION, TELEMETRY_INDEXES } from '../telemetry/mongo';
import { PASSWORD_RESET_TOKENS } from '../users/password-reset-mongo';
import { DELIVERIES_COLLECTION } from './mongodb/deliveries';
import { NODE_INDEXES } from './nodes/indexes';

/**
 * Every index the system relies on, per collection, created at start-up by API and workers.
 * Modules add their collection here rather than creating indexes ad hoc.
 */
export const INDEXES: Record<string, IndexDescription[]> = {
  health_probes: [{ key: { at: 1 }, name: 'at' }],
  ...USER_INDEXES,
  ...NODE_INDEXES,
  ...EVENT_INDEXES,
  [TELEMETRY_COLLECTION]: TELEMETRY_INDEXES,
  // Looked up by _id only.
  [KV_COLLECTION]: [],
  [PASSWORD_RESET_TOKENS]: [],
  [DELIVERIES_COLLECTION]: [],
};

export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, specs] of Object.entries(INDEXES)) {
    // One index per command: FerretDB 1.24 drops the connection when a multi-index createIndexes
    // re-creates two or more existing unique indexes (every restart does).
    for (const spec of specs) await db.collection(collection).createIndexes([spec]);
  }
}
