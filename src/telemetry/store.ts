// Where telemetry records live. Tiny on purpose, so each storage backend provides one (`mongo.ts` for
// MongoDB): statistics and anomalies are computed from `recent()` in `aggregate.ts`, not by the backend.
import type { TelemetryFilter, TelemetryRecord } from './types';

export interface TelemetryStore {
  /** Stores records; answers how many were stored. */
  insert(records: TelemetryRecord[]): Promise<number>;
  /** One page of matching records, newest first, and how many match in all. */
  find(
    filter: TelemetryFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: TelemetryRecord[]; total: number }>;
  /** The newest `max` matching records (what statistics are computed over). */
  recent(filter: TelemetryFilter, max: number): Promise<TelemetryRecord[]>;
}
