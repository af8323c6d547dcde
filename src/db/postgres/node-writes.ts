// Node rows written with their events. The common writes (one node created, one node changed) are one
// statement each: the node write and the event insert in one WITH, committed on their own, so a write
// costs one round trip after the read that decided it, and the event order lock is held only for the
// commit. A change is conditional on the revision that was read (optimistic); the caller falls back to
// a locked transaction when another writer won.
import type { EventDraft } from '../../events/types';
import type { ParentInfo } from '../nodes/changes';
import type { NodeDocument } from '../nodes/document';
import { EVENT_LOCK_CTE, eventInsert, NOTIFY_EVENTS } from './event-log';
import { nodeParams, NODE_COLUMNS_SQL, NODE_WRITE_COLUMNS } from './node-rows';
import { parentUnchanged } from './parent-cache';
import type { Queryable } from './pool';

/** Rows per INSERT statement (24 parameters each; PostgreSQL allows 65535 per statement). */
const INSERT_CHUNK = 1000;

const SETS = NODE_WRITE_COLUMNS.slice(1)
  .map((c, i) => `${c} = $${i + 2}`)
  .join(', ');

export async function insertRows(client: Queryable, docs: NodeDocument[]): Promise<void> {
  for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
    const chunk = docs.slice(i, i + INSERT_CHUNK);
    const params: unknown[] = [];
    const rows = chunk.map((d) => {
      const values = nodeParams(d).map((v) => {
        params.push(v);
        return `$${params.length}`;
      });
      return `(${values.join(', ')})`;
    });
    await client.query(`INSERT INTO nodes (${NODE_COLUMNS_SQL}) VALUES ${rows.join(', ')}`, params);
  }
}

export async function updateRow(client: Queryable, doc: NodeDocument): Promise<void> {
  await client.query(`UPDATE nodes SET ${SETS} WHERE id = $1`, nodeParams(doc));
}

/**
 * Inserts a node and its event in one statement (either both are stored or neither), if its parent
 * still has the path and tree id the node was built with. `idempotent`: an existing node with the same
 * id is left as it is. Answers whether the node was written.
 */
export async function insertNodeWithEvent(
  db: Queryable,
  doc: NodeDocument,
  event: EventDraft | null,
  opts: { parent: ParentInfo | null; idempotent?: boolean },
): Promise<boolean> {
  const params: unknown[] = nodeParams(doc);
  const values = params.map((_, i) => `$${i + 1}`).join(', ');
  let source = `VALUES (${values})`;
  if (opts.parent) {
    const check = parentUnchanged(opts.parent, params.length + 1);
    source = `SELECT ${values} WHERE ${check.sql}`;
    params.push(...check.params);
  }
  const insert = `INSERT INTO nodes (${NODE_COLUMNS_SQL}) ${source}
    ${opts.idempotent ? 'ON CONFLICT (id) DO NOTHING' : ''} RETURNING id`;
  return writeWithEvent(db, insert, params, event);
}

/**
 * Writes the next version of a node if it is still at `expectedRev`, with its event; false when another
 * writer changed it since it was read (nothing written).
 */
export async function updateNodeIfAt(
  db: Queryable,
  doc: NodeDocument,
  expectedRev: number,
  event: EventDraft | null,
): Promise<boolean> {
  const params = [...nodeParams(doc), expectedRev];
  const update = `UPDATE nodes SET ${SETS} WHERE id = $1 AND rev = $${params.length} RETURNING id`;
  return writeWithEvent(db, update, params, event);
}

/**
 * Runs a one-row node write (`RETURNING id`) with its event in one statement, the event inserted only
 * if the row was written; answers whether it was.
 */
async function writeWithEvent(
  db: Queryable,
  nodeSql: string,
  params: unknown[],
  event: EventDraft | null,
): Promise<boolean> {
  if (!event) return ((await db.query(nodeSql, params)).rowCount ?? 0) === 1;
  const ev = eventInsert([event], params.length + 1, 'EXISTS (SELECT 1 FROM node)');
  const { rows } = await db.query<{ written: number }>(
    `WITH node AS (${nodeSql}), ${EVENT_LOCK_CTE}, ev AS (${ev.sql})
     SELECT (SELECT count(*) FROM node)::int AS written, ${NOTIFY_EVENTS}`,
    [...params, ...ev.params],
  );
  return rows[0].written === 1;
}
