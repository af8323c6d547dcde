// Connections to PostgreSQL: one pool per process, sized for the machine, every API query bounded by a
// statement timeout so no filter (a pathological regular expression included) can hold the database.
import os from 'node:os';
import pg from 'pg';
import { componentLogger } from '../../logger';

const log = componentLogger('postgres');

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PoolOptions {
  /** Connections; default 4 per core, at least 8 (writes wait on I/O, not on the CPU). */
  max?: number;
  /** Statement timeout of every query on the pool, in ms (0: none). */
  statementTimeoutMs?: number;
}

// timestamptz and bigint come back as Date and number (sequence numbers stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? Math.max(8, os.cpus().length * 4),
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs || undefined,
    application_name: 'maestro',
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle PostgreSQL connection lost'));
  // A checked-out client (a transaction) has no pool listener: without one of its own, a server that
  // dies mid-transaction crashes the process. Its query in flight fails with the error anyway.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs `fn` in one transaction; rolls back on any error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

export const UNIQUE_VIOLATION = '23505';
export const QUERY_CANCELED = '57014';
export const INVALID_REGEX = '2201B';

/** The constraint a unique violation hit. */
export function violatedConstraint(err: unknown): string | undefined {
  return (err as { constraint?: string } | null)?.constraint;
}
