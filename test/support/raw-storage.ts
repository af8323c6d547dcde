// Writes behind the API's back, for tests that need a state the API cannot produce (a node it never
// validated). API tests run on PostgreSQL.
import { ObjectId } from 'mongodb';
import type { postgresStorage } from '../../src/db/postgres';
import type { Storage } from '../../src/db/storage';

/** A minimal node listing `group` in user_groups; `remove()` deletes it again. */
export async function insertBareNode(db: Storage, group: string): Promise<{ remove(): Promise<void> }> {
  if (db.kind !== 'postgres') throw new Error('insertBareNode: PostgreSQL only');
  const pool = (db as ReturnType<typeof postgresStorage>).pool;
  const id = new ObjectId().toHexString();
  await pool.query(
    `INSERT INTO nodes (id, kind, name, path, state, created, updated, timeout, owner, user_groups)
     VALUES ($1, 'checkout', 'n', '{n}', 'running', now(), now(), now(), 'nobody', $2)`,
    [id, [group]],
  );
  return {
    async remove() {
      await pool.query('DELETE FROM nodes WHERE id = $1', [id]);
    },
  };
}
