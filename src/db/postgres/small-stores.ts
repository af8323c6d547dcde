// PostgreSQL forms of the small stores: key/value, telemetry, password-reset tokens and the mail
// delivery log. Each is one table (migration 2) and a few single statements.
import type pg from 'pg';
import type { KvStore } from '../../kv/store';
import type { DeliveryLog } from '../../mail/deliveries';
import type { TelemetryStore } from '../../telemetry/store';
import { TELEMETRY_TEXT_FIELDS, type TelemetryFilter, type TelemetryRecord } from '../../telemetry/types';
import type { ResetTokenStore } from '../../users/password-reset';

export const SMALL_STORES_SCHEMA = `
CREATE TABLE kv (
  namespace text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  updated timestamptz NOT NULL,
  PRIMARY KEY (namespace, key)
);
CREATE TABLE telemetry (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL,
  kind text NOT NULL,
  runtime text,
  device_id text,
  doc jsonb NOT NULL
);
CREATE INDEX telemetry_kind_ts ON telemetry (kind, ts DESC);
CREATE INDEX telemetry_runtime_ts ON telemetry (runtime, ts DESC);
CREATE INDEX telemetry_ts ON telemetry (ts DESC);
CREATE TABLE password_reset_tokens (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id);
CREATE TABLE result_deliveries (
  key text PRIMARY KEY,
  state text NOT NULL,
  at timestamptz NOT NULL,
  detail jsonb
);
`;

export class PgKvStore implements KvStore {
  constructor(private readonly pool: pg.Pool) {}

  async get(namespace: string, key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM kv WHERE namespace = $1 AND key = $2',
      [namespace, key],
    );
    return rows.length ? rows[0].value : null;
  }

  async set(namespace: string, key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO kv (namespace, key, value, updated) VALUES ($1, $2, $3, now())
       ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated = EXCLUDED.updated`,
      [namespace, key, value],
    );
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM kv WHERE namespace = $1 AND key = $2', [namespace, key]);
  }
}

/** WHERE clause and parameters of a telemetry filter (text fields compared inside the stored record). */
function telemetryWhere(filter: TelemetryFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(filter.equals)) {
    if (!(TELEMETRY_TEXT_FIELDS as readonly string[]).includes(field) || value === undefined) continue;
    params.push(value);
    // kind and runtime have their own indexed columns; the other fields are read from the record.
    clauses.push(
      field === 'kind' || field === 'runtime'
        ? `${field} = $${params.length}`
        : `doc->>'${field}' = $${params.length}`,
    );
  }
  if (filter.since) {
    params.push(filter.since);
    clauses.push(`ts >= $${params.length}`);
  }
  if (filter.until) {
    params.push(filter.until);
    clauses.push(`ts < $${params.length}`);
  }
  if (filter.withDeviceId) clauses.push(`coalesce(device_id, '') <> ''`);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function toRecord(doc: TelemetryRecord & { ts: string | Date }): TelemetryRecord {
  return { ...doc, ts: new Date(doc.ts) };
}

export class PgTelemetryStore implements TelemetryStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(records: TelemetryRecord[]): Promise<number> {
    if (!records.length) return 0;
    const params: unknown[] = [];
    const values = records.map((r) => {
      params.push(r.ts, r.kind, r.runtime ?? null, r.device_id ?? null, JSON.stringify(r));
      const n = params.length;
      return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
    });
    const { rowCount } = await this.pool.query(
      `INSERT INTO telemetry (ts, kind, runtime, device_id, doc) VALUES ${values.join(', ')}`,
      params,
    );
    return rowCount ?? 0;
  }

  async find(filter: TelemetryFilter, limit: number, offset: number) {
    const { sql, params } = telemetryWhere(filter);
    const [page, count] = await Promise.all([
      this.pool.query<{ doc: TelemetryRecord }>(
        `SELECT doc FROM telemetry ${sql} ORDER BY ts DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
      this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM telemetry ${sql}`, params),
    ]);
    return { items: page.rows.map((r) => toRecord(r.doc)), total: Number(count.rows[0].n) };
  }

  async recent(filter: TelemetryFilter, max: number): Promise<TelemetryRecord[]> {
    const { sql, params } = telemetryWhere(filter);
    const { rows } = await this.pool.query<{ doc: TelemetryRecord }>(
      `SELECT doc FROM telemetry ${sql} ORDER BY ts DESC, id DESC LIMIT ${max}`,
      params,
    );
    return rows.map((r) => toRecord(r.doc));
  }
}

export class PgResetTokenStore implements ResetTokenStore {
  constructor(private readonly pool: pg.Pool) {}

  async put(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.pool.query('DELETE FROM password_reset_tokens WHERE user_id = $1', [userId]);
    await this.pool.query(
      'INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)',
      [tokenHash, userId, expiresAt],
    );
  }

  async take(tokenHash: string, now: Date): Promise<string | null> {
    // Deleting consumes it: exactly one caller gets the row back.
    const { rows } = await this.pool.query<{ user_id: string; expires_at: Date }>(
      'DELETE FROM password_reset_tokens WHERE token_hash = $1 RETURNING user_id, expires_at',
      [tokenHash],
    );
    return rows.length && rows[0].expires_at > now ? rows[0].user_id : null;
  }
}

export class PgDeliveryLog implements DeliveryLog {
  constructor(private readonly pool: pg.Pool) {}

  async isSent(key: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ state: string }>(
      'SELECT state FROM result_deliveries WHERE key = $1',
      [key],
    );
    return rows[0]?.state === 'sent';
  }

  async markSending(key: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO result_deliveries (key, state, at) VALUES ($1, 'sending', now()) ON CONFLICT (key) DO NOTHING`,
      [key],
    );
  }

  async markSent(key: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.pool.query(
      `UPDATE result_deliveries SET state = 'sent', at = now(), detail = $2::jsonb WHERE key = $1`,
      [key, JSON.stringify(detail)],
    );
  }
}
