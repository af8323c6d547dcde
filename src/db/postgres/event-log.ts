// The event history in PostgreSQL. An event is inserted in the transaction of the write it reports (a
// node write and its event commit together or not at all).
//
// Sequence numbers a reader can never skip: the writer takes a transaction-level advisory lock right
// before it draws its numbers and holds it until its commit, so transactions commit in sequence order.
// A reader that sees number N therefore already sees every committed number below N, and reading
// `seq > cursor` in order never passes an event that commits later; a node's events are in the order
// of its revisions. (A rolled-back transaction leaves a hole nobody waits for.) The lock is taken inside
// the statement that inserts the events, and the common writes are that one statement committed on its
// own (./node-writes.ts), so the lock is held for the commit only: measured here, a plain INSERT under
// the lock ran at 2,064/s against 5,175/s without it at concurrency 16, above what the HTTP write path
// reaches (bench/RESULTS.md). Numbering after commit instead (by transaction id below
// the oldest running one) keeps commits parallel but cannot order two writes of one node whose second
// writer took its transaction id while waiting on the first's row lock.
import type pg from 'pg';
import { ObjectId } from 'mongodb';
import type { EventRecord, HistoryQuery } from '../../events/history';
import type { BusEvent, EventDraft } from '../../events/types';
import type { Queryable } from './pool';
import { nodeRowToDocument, NODE_COLUMNS_SQL } from './node-rows';
import { toApiNode } from '../nodes/document';

/** Key of the advisory lock that orders event commits. */
const EVENT_ORDER_LOCK = 0x6d61_6576; // "maev"
/** The NOTIFY channel that wakes every listener (payload: the newest sequence number). */
export const EVENTS_CHANNEL = 'maestro_events';
/** The CTE an event insert joins: the order lock, taken in the statement right before the numbers. */
export const EVENT_LOCK_CTE = `event_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}))`;

interface EventRow {
  seq: number;
  id: string;
  channel: string;
  owner: string | null;
  timestamp: Date;
  data: unknown;
  ce: BusEvent['ce'];
}

export const EVENT_COLUMNS = 'seq, id, channel, owner, timestamp, data, ce';

export function rowToBusEvent(r: EventRow): BusEvent {
  return {
    seq: r.seq,
    historyId: r.id,
    channel: r.channel,
    owner: r.owner,
    timestamp: r.timestamp,
    data: r.data,
    ce: r.ce,
    void: false,
  };
}

/**
 * The INSERT (for a WITH that also holds EVENT_LOCK_CTE) storing drafts with their numbers, parameters
 * from `$first`; `guard`: a condition the insert happens under (a node write in the same statement
 * succeeded). A draft whose `dedupe_key` is already stored (a node change delivered twice) is skipped.
 */
export function eventInsert(
  drafts: EventDraft[],
  first: number,
  guard = 'true',
): { sql: string; params: unknown[] } {
  const p = (i: number) => `$${first + i}`;
  return {
    sql: `INSERT INTO events (seq, id, channel, owner, data, ce, dedupe_key)
       SELECT nextval('event_seq'), d.id, d.channel, d.owner, d.data, d.ce, d.dedupe_key
       FROM event_lock, unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::jsonb[], ${p(4)}::jsonb[], ${p(5)}::text[])
         WITH ORDINALITY AS d(id, channel, owner, data, ce, dedupe_key, n)
       WHERE ${guard}
       ORDER BY d.n
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING ${EVENT_COLUMNS}`,
    params: [
      drafts.map(() => new ObjectId().toHexString()),
      drafts.map((d) => d.channel),
      drafts.map((d) => d.owner),
      drafts.map((d) => JSON.stringify(d.data ?? null)),
      drafts.map((d) => JSON.stringify(d.ce)),
      drafts.map((d) => d.dedupe_key),
    ],
  };
}

/** The select list item that NOTIFYs the newest number of CTE `ev` (nothing when it inserted none). */
export const NOTIFY_EVENTS = `pg_notify('${EVENTS_CHANNEL}', (SELECT max(seq) FROM ev)::text)`;

/**
 * Appends events inside the caller's transaction (which must commit soon: it holds the order lock from
 * here on). Returns them in sequence order.
 */
export async function appendEvents(client: Queryable, drafts: EventDraft[]): Promise<BusEvent[]> {
  if (!drafts.length) return [];
  const ev = eventInsert(drafts, 1);
  const { rows } = await client.query<EventRow>(
    `WITH ${EVENT_LOCK_CTE}, ev AS (${ev.sql})
     SELECT ev.*, ${NOTIFY_EVENTS} AS notified FROM ev ORDER BY seq`,
    ev.params,
  );
  return rows.map(rowToBusEvent);
}

/** Committed events after `after` (up to `upTo`), in order. */
export async function readEvents(
  db: Queryable,
  after: number,
  upTo: number,
  limit: number,
): Promise<BusEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
    [after, upTo, limit],
  );
  return rows.map(rowToBusEvent);
}

export async function maxSequence(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ max: number | null }>('SELECT max(seq) AS max FROM events');
  return rows[0].max ?? 0;
}

/** GET /events: the SPEC filters as parameterised SQL, in sequence order. */
export async function findEventRecords(pool: pg.Pool, q: HistoryQuery): Promise<EventRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const dataFields = {
    kind: 'kind',
    state: 'state',
    result: 'result',
    op: 'op',
    name: 'name',
    group: 'group',
    node_id: 'id',
  } as const;
  for (const [param, key] of Object.entries(dataFields)) {
    const v = q[param as keyof typeof dataFields];
    if (v !== undefined) where.push(`(data ->> '${key}') = ${p(v)}`);
  }
  if (q.owner !== undefined) where.push(`owner = ${p(q.owner)}`);
  if (q.channel !== undefined) where.push(`channel = ${p(q.channel)}`);
  if (q.path !== undefined)
    where.push(`(data -> 'path') @> ${p(JSON.stringify(q.path.split(',').filter(Boolean)))}::jsonb`);
  if (q.from !== undefined) where.push(`timestamp > ${p(new Date(q.from))}`);
  const ids = [...(q.id ? [q.id] : []), ...(q.ids ? q.ids.split(',') : [])];
  if (ids.length) where.push(`id = ANY(${p(ids.map((i) => i.toLowerCase()))}::text[])`);
  if (q.sequence_id__gt !== undefined) where.push(`seq > ${p(q.sequence_id__gt)}`);
  const { rows } = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY seq OFFSET ${p(q.offset)} LIMIT ${p(q.limit)}`,
    params,
  );
  const records: EventRecord[] = rows.map((r) => ({
    id: r.id,
    sequence_id: r.seq,
    channel: r.channel,
    timestamp: r.timestamp.toISOString(),
    owner: r.owner,
    data: r.data,
  }));
  if (q.recursive) {
    const nodeIds = new Set<string>();
    for (const r of records) {
      const id = (r.data as { id?: unknown } | null)?.id;
      if (r.channel === 'node' && typeof id === 'string' && /^[0-9a-f]{24}$/.test(id)) nodeIds.add(id);
    }
    if (nodeIds.size) {
      const { rows: nodes } = await pool.query(
        `SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE id = ANY($1::text[])`,
        [[...nodeIds]],
      );
      const byId = new Map(nodes.map((n) => [n.id as string, toApiNode(nodeRowToDocument(n))]));
      for (const r of records) {
        const id = (r.data as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && nodeIds.has(id)) r.node = byId.get(id) ?? null;
      }
    }
  }
  return records;
}
