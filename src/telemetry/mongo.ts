// Telemetry records on MongoDB: one document per record, indexed for the filters the routes use most.
import type { Collection, Db, Filter, IndexDescription } from 'mongodb';
import type { TelemetryStore } from './store';
import type { TelemetryFilter, TelemetryRecord } from './types';

export const TELEMETRY_COLLECTION = 'telemetry';

/** Registered with every other index in src/db/indexes.ts. */
export const TELEMETRY_INDEXES: IndexDescription[] = [
  { key: { kind: 1, ts: -1 }, name: 'kind_ts' },
  { key: { runtime: 1, ts: -1 }, name: 'runtime_ts' },
  { key: { ts: -1 }, name: 'ts' },
];

function toQuery(filter: TelemetryFilter): Filter<TelemetryRecord> {
  const query: Record<string, unknown> = { ...filter.equals };
  if (filter.since || filter.until) {
    query.ts = {
      ...(filter.since ? { $gte: filter.since } : {}),
      ...(filter.until ? { $lt: filter.until } : {}),
    };
  }
  if (filter.withDeviceId) query.device_id = { $nin: [null, ''] };
  return query as Filter<TelemetryRecord>;
}

export class MongoTelemetryStore implements TelemetryStore {
  private readonly docs: Collection<TelemetryRecord>;

  constructor(db: Db) {
    this.docs = db.collection<TelemetryRecord>(TELEMETRY_COLLECTION);
  }

  async insert(records: TelemetryRecord[]): Promise<number> {
    if (!records.length) return 0;
    const res = await this.docs.insertMany(records.map((r) => ({ ...r })));
    return res.insertedCount;
  }

  async find(filter: TelemetryFilter, limit: number, offset: number) {
    const query = toQuery(filter);
    const [items, total] = await Promise.all([
      this.docs
        .find(query, { projection: { _id: 0 } })
        .sort({ ts: -1 })
        .skip(offset)
        .limit(limit)
        .toArray(),
      this.docs.countDocuments(query),
    ]);
    return { items, total };
  }

  recent(filter: TelemetryFilter, max: number): Promise<TelemetryRecord[]> {
    return this.docs
      .find(toQuery(filter), { projection: { _id: 0 } })
      .sort({ ts: -1 })
      .limit(max)
      .toArray();
  }
}
