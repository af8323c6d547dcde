// Versioned schema migrations, applied at start-up by every process that opens the database. A
// session-level advisory lock makes two processes starting at once apply them one after the other: the
// second finds them recorded in `schema_migrations` and does nothing.
import type pg from 'pg';
import { componentLogger } from '../../logger';
import { INITIAL_SCHEMA } from './schema';
import { SMALL_STORES_SCHEMA } from './small-stores';

const log = componentLogger('postgres');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial schema', sql: INITIAL_SCHEMA },
  { version: 2, name: 'key/value, telemetry, password resets, mail deliveries', sql: SMALL_STORES_SCHEMA },
];

/** An arbitrary constant shared by every process: the key of the migration lock. */
const MIGRATION_LOCK = 0x6d61_6573; // "maes"

export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    let count = 0;
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
      }
      log.info({ version: m.version, migration: m.name }, 'applied schema migration');
      count++;
    }
    return count;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
