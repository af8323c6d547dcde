// The process's PostgreSQL pool when the server goes away under a transaction (a crash, a restart):
// the transaction fails, the process lives on.
import { describe, expect, inject, it } from 'vitest';
import { createPool } from '../../src/db/postgres/pool';

describe('PostgreSQL pool', () => {
  it('a connection ended by the server mid-transaction fails that transaction, not the process', async () => {
    const pool = createPool(inject('postgresUrl'), { max: 2 });
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // The server's FATAL reaches the checked-out client as an 'error' event before the next query.
      await new Promise((r) => setTimeout(r, 200));
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
