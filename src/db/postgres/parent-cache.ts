// What a new node takes from its parent (path, tree id), remembered per parent. A create then needs no
// read of the parent: its insert checks in the same statement that the parent still has that path and
// tree id (a rename changes the path), and on a mismatch the parent is read again. Measured here, each
// statement a request sends costs the API process about as much CPU as the HTTP request itself, so the
// read saved is a third of a create's database work (bench/RESULTS.md).
import { ObjectId } from 'mongodb';
import { notFound } from '../../errors';
import type { ParentInfo } from '../nodes/changes';
import type { Queryable } from './pool';

const LIMIT = 10_000;

export class ParentCache {
  private readonly entries = new Map<string, ParentInfo>();

  /** The parent as remembered, else as read now. */
  async get(db: Queryable, id: string): Promise<ParentInfo> {
    return this.entries.get(id.toLowerCase()) ?? this.read(db, id);
  }

  /** The parent as stored now (after a mismatch, or the first time). */
  async read(db: Queryable, id: string): Promise<ParentInfo> {
    const key = id.toLowerCase();
    const { rows } = await db.query<{ path: string[]; treeid: string | null }>(
      'SELECT path, treeid FROM nodes WHERE id = $1',
      [key],
    );
    this.entries.delete(key);
    if (!rows.length) throw notFound(`parent: node ${id} not found`);
    const info = { id: new ObjectId(key), path: rows[0].path, treeid: rows[0].treeid ?? key };
    if (this.entries.size >= LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, info);
    return info;
  }
}

/** The condition (parameters from `$first`) that the parent is still as remembered, and its parameters. */
export function parentUnchanged(parent: ParentInfo, first: number): { sql: string; params: unknown[] } {
  return {
    sql: `EXISTS (SELECT 1 FROM nodes WHERE id = $${first} AND path = $${first + 1}::text[]
      AND coalesce(treeid, id) = $${first + 2})`,
    params: [parent.id.toHexString(), parent.path, parent.treeid],
  };
}
