// What a new node takes from its parent (path, tree id), remembered per parent. A create then needs no
// read of the parent: its insert checks in the same statement that the parent still has that path and
// tree id (a rename changes the path), and on a mismatch the parent is read again. Profiled here, the
// socket write of each statement was the largest share of the API process's CPU on the create path.
import { ObjectId } from 'mongodb';
import { notFound } from '../../errors';
import type { ParentInfo } from '../nodes/changes';
import type { Queryable } from './pool';

const LIMIT = 10_000;

export class ParentCache {
  private readonly entries = new Map<string, ParentInfo>();

  /** The parent as remembered, else (or when `fresh`: after a mismatch) as stored now. */
  async get(db: Queryable, id: string, fresh = false): Promise<ParentInfo> {
    const key = id.toLowerCase();
    const known = fresh ? undefined : this.entries.get(key);
    if (known) return known;
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
