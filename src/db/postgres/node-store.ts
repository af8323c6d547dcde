// The node write path on PostgreSQL. Each write is one transaction: the node row is locked
// (`SELECT … FOR UPDATE`), the change is decided and checked (permissions, state machine) on the locked
// row, written, and its event appended, so concurrent writers of one node queue on the row lock and none
// is lost, and a node change without its event (or the reverse) cannot be committed.
import { ObjectId } from 'mongodb';
import type pg from 'pg';
import { conflict, invalid, notFound } from '../../errors';
import { isObjectId } from '../../object-id';
import { nodeEventDraft } from '../../events/cloudevent';
import {
  applyPatch,
  applyReplace,
  checkEchoedId,
  newNodeDocument,
  type NodeDefaults,
} from '../nodes/changes';
import { toApiNode, type NodeDocument } from '../nodes/document';
import { checkSubmittedTree, mergeInto, type CheckedTree } from '../nodes/hierarchy';
import { assertCanEdit, canEditNode } from '../nodes/permissions';
import type { NodeStoreHandle } from '../nodes/store';
import type { Actor, Node, NodeChange, NodeQuery, NodeTreeInput, WriteOptions } from '../nodes/types';
import { checkNodeInput, checkNodePatch, validateKindData, type CheckedInput } from '../nodes/validate';
import { appendEvents } from './event-log';
import { nodeRowToDocument, NODE_COLUMNS_SQL } from './node-rows';
import { ParentCache } from './parent-cache';
import { insertNodeWithEvent, insertRows, updateNodeIfAt, updateRow } from './node-writes';
import { orderClause, SqlBuilder, whereClause } from './node-query';
import {
  QUERY_CANCELED,
  INVALID_REGEX,
  sqlState,
  UNIQUE_VIOLATION,
  withTransaction,
  type Queryable,
} from './pool';

export interface PgNodeStoreOptions extends NodeDefaults {
  /** CloudEvents `source` of node events. */
  eventSource: string;
  /** Statement timeout of filter queries (/nodes, /count), ms. */
  queryTimeoutMs: number;
}

function parseId(id: unknown, field = 'id'): ObjectId {
  if (!isObjectId(id)) {
    throw invalid(`${field}: "${String(id)}" is not a valid node id (24 hex digits)`);
  }
  return new ObjectId(id);
}

type Planned = { doc: NodeDocument; prev: NodeDocument | null; isHierarchy: boolean };

export function createPgNodeStore(pool: pg.Pool, opts: PgNodeStoreOptions): NodeStoreHandle {
  const parents = new ParentCache();

  function change(p: Planned): NodeChange {
    const c: NodeChange = {
      op: p.prev ? 'updated' : 'created',
      node: toApiNode(p.doc),
      revision: p.doc._rev,
      is_hierarchy: p.isHierarchy,
    };
    if (p.prev) {
      c.previous_state = p.prev.state;
      c.previous_result = p.prev.result ?? null;
    }
    return c;
  }

  async function publish(client: Queryable, planned: Planned[], noevent?: boolean): Promise<void> {
    if (noevent || !planned.length) return;
    await appendEvents(
      client,
      planned.map((p) => nodeEventDraft(change(p), opts.eventSource)),
    );
  }

  async function lockNode(client: Queryable, id: ObjectId): Promise<NodeDocument> {
    const { rows } = await client.query(`SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE id = $1 FOR UPDATE`, [
      id.toHexString(),
    ]);
    if (!rows.length) throw notFound(`node ${id.toHexString()} not found`);
    return nodeRowToDocument(rows[0]);
  }

  /** The next version of `cur` (permissions, decision, kind data checked); null decision = no change. */
  function plan(
    actor: Actor | null,
    cur: NodeDocument,
    decide: (cur: NodeDocument) => NodeDocument | null,
    isHierarchy: boolean,
  ): Planned | { doc: NodeDocument; unchanged: true } {
    if (actor) assertCanEdit(actor, cur);
    const next = decide(cur);
    if (!next) return { doc: cur, unchanged: true };
    validateKindData(next.kind, next.data);
    next._rev = cur._rev + 1;
    next.updated = new Date();
    return { doc: next, prev: cur, isHierarchy };
  }

  /** Decides the next version of a locked node and writes it; no change, no write. */
  async function updateLocked(
    client: Queryable,
    actor: Actor | null,
    id: ObjectId,
    decide: (cur: NodeDocument) => NodeDocument | null,
    isHierarchy: boolean,
  ): Promise<Planned | { doc: NodeDocument; unchanged: true }> {
    const r = plan(actor, await lockNode(client, id), decide, isHierarchy);
    if (!('unchanged' in r)) await updateRow(client, r.doc);
    return r;
  }

  function eventOf(p: Planned, noevent?: boolean) {
    return noevent ? null : nodeEventDraft(change(p), opts.eventSource);
  }

  /**
   * A change decided on the node as read and written if nobody changed it meanwhile (one statement);
   * when another writer won, decided again under the row lock.
   */
  async function updateWith(
    actor: Actor,
    id: ObjectId,
    wopts: WriteOptions,
    decide: (cur: NodeDocument) => NodeDocument | null,
  ): Promise<Node> {
    const { rows } = await pool.query(`SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE id = $1`, [
      id.toHexString(),
    ]);
    if (!rows.length) throw notFound(`node ${id.toHexString()} not found`);
    const cur = nodeRowToDocument(rows[0]);
    const planned = plan(actor, cur, decide, false);
    if ('unchanged' in planned) return toApiNode(cur);
    if (await updateNodeIfAt(pool, planned.doc, cur._rev, eventOf(planned, wopts.noevent)))
      return toApiNode(planned.doc);
    const res = await withTransaction(pool, async (client) => {
      const r = await updateLocked(client, actor, id, decide, false);
      if (!('unchanged' in r)) await publish(client, [r], wopts.noevent);
      return r;
    });
    return toApiNode(res.doc);
  }

  /** Filter queries run under the API statement timeout; a query cut off names the filter. */
  async function filtered<T>(
    query: NodeQuery,
    run: (client: Queryable, b: SqlBuilder, where: string) => Promise<T>,
  ) {
    const b = new SqlBuilder();
    const where = whereClause(b, query);
    const client = await pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(opts.queryTimeoutMs))}`);
      const out = await run(client, b, where);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const fields = Object.keys(query).join(', ') || 'the query';
      if (sqlState(err) === QUERY_CANCELED)
        throw invalid(`${fields}: the filter took longer than ${opts.queryTimeoutMs} ms and was stopped`);
      if (sqlState(err) === INVALID_REGEX) throw invalid(`${fields}: invalid regular expression`);
      throw err;
    } finally {
      client.release();
    }
  }

  async function findDocs(
    client: Queryable,
    b: SqlBuilder,
    where: string,
    o: { limit: number; offset: number; sort?: string[] },
  ) {
    if (o.limit === 0) return [];
    const order = orderClause(b, o.sort);
    const { rows } = await client.query(
      `SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE ${where} ORDER BY ${order} OFFSET ${b.param(o.offset)} LIMIT ${b.param(o.limit)}`,
      b.params,
    );
    return rows.map(nodeRowToDocument);
  }

  async function countRows(client: Queryable, b: SqlBuilder, where: string): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*) AS n FROM nodes WHERE ${where}`,
      b.params,
    );
    return rows[0].n;
  }

  async function submit(
    actor: Actor,
    rootId: ObjectId,
    tree: NodeTreeInput,
    wopts: WriteOptions,
  ): Promise<Node[]> {
    const checked = checkSubmittedTree(tree, rootId);
    // One transaction: the root's row lock serialises submits of one tree, so a retried or racing
    // identical submit matches the children the first one created instead of creating them twice.
    const all = await withTransaction(pool, async (client) => {
      const planned: Planned[] = [];
      const r = await updateLocked(client, actor, rootId, (cur) => mergeInto(cur, checked.input, ''), true);
      if (!('unchanged' in r)) planned.push(r);
      const root = r.doc;
      const out: NodeDocument[] = [root];
      let level: { parent: NodeDocument; isNew: boolean; subtree: CheckedTree; where: string }[] = [
        { parent: root, isNew: false, subtree: checked, where: '' },
      ];
      while (level.length) {
        const existingParents = level.filter((l) => !l.isNew).map((l) => l.parent._id.toHexString());
        // One query per level for every existing child (no N+1), locked for the update below.
        const existing = existingParents.length
          ? (
              await client.query(
                `SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE parent = ANY($1::text[]) ORDER BY ord FOR UPDATE`,
                [existingParents],
              )
            ).rows.map(nodeRowToDocument)
          : [];
        const byParentName = new Map<string, NodeDocument[]>();
        for (const doc of existing) {
          const key = `${doc.parent!.toHexString()}/${doc.name}`;
          byParentName.set(key, [...(byParentName.get(key) ?? []), doc]);
        }
        const inserts: NodeDocument[] = [];
        const updates: NodeDocument[] = [];
        const nextLevel: typeof level = [];
        for (const { parent, subtree, where } of level) {
          subtree.children.forEach((child, i) => {
            const childWhere = `${where}child_nodes[${i}].`;
            const input = child.input as CheckedInput;
            if (input.parent != null && input.parent !== parent._id.toHexString()) {
              throw invalid(
                `${childWhere}node.parent: must be the enclosing node ${parent._id.toHexString()}`,
              );
            }
            const match = byParentName.get(`${parent._id.toHexString()}/${input.name}`)?.shift();
            if (match) {
              const next = mergeInto(match, input, childWhere);
              let doc = match;
              if (next) {
                validateKindData(next.kind, next.data);
                next._rev = match._rev + 1;
                next.updated = new Date();
                planned.push({ doc: next, prev: match, isHierarchy: true });
                updates.push(next);
                doc = next;
              }
              out.push(doc);
              nextLevel.push({ parent: doc, isNew: false, subtree: child, where: childWhere });
            } else {
              const doc = newNodeDocument(
                opts,
                actor,
                {
                  ...input,
                  submitter: root.submitter ?? input.submitter ?? null,
                  user_groups: input.user_groups ?? parent.user_groups ?? [],
                },
                {
                  id: parent._id,
                  path: parent.path ?? [],
                  treeid: parent.treeid ?? parent._id.toHexString(),
                },
                new ObjectId(),
                new Date(),
              );
              inserts.push(doc);
              planned.push({ doc, prev: null, isHierarchy: true });
              out.push(doc);
              nextLevel.push({ parent: doc, isNew: true, subtree: child, where: childWhere });
            }
          });
        }
        await insertRows(client, inserts);
        for (const doc of updates) await updateRow(client, doc);
        level = nextLevel.filter((l) => l.subtree.children.length);
      }
      await publish(client, planned, wopts.noevent);
      return out;
    });
    return all.map(toApiNode);
  }

  return {
    async get(id) {
      const { rows } = await pool.query(`SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE id = $1`, [
        parseId(id).toHexString(),
      ]);
      return rows.length ? toApiNode(nodeRowToDocument(rows[0])) : null;
    },

    async find(query, o) {
      return filtered(query, async (client, b, where) => {
        const total = await countRows(client, b, where);
        const docs = await findDocs(client, b, where, o);
        return { items: docs.map(toApiNode), total, limit: o.limit, offset: o.offset };
      });
    },

    findFast: (query, o) =>
      filtered(query, async (client, b, where) => (await findDocs(client, b, where, o)).map(toApiNode)),

    count: (query) => filtered(query, (client, b, where) => countRows(client, b, where)),

    async create(actor, input, copts = {}) {
      const checked = checkNodeInput(input, false) as CheckedInput;
      const id = copts.id ? parseId(copts.id) : new ObjectId();
      // One statement: the node, its event, and the check that the parent is as remembered.
      for (let fresh = false; ; fresh = true) {
        const parent = checked.parent ? await parents.get(pool, checked.parent, fresh) : null;
        const d = newNodeDocument(opts, actor, checked, parent, id, new Date());
        const event = eventOf({ doc: d, prev: null, isHierarchy: false }, copts.noevent);
        const written = await insertNodeWithEvent(pool, d, event, {
          parent,
          idempotent: !!copts.id,
        }).catch((err) => {
          if (sqlState(err) === UNIQUE_VIOLATION) throw conflict(`id: node ${id.toHexString()} exists`);
          throw err;
        });
        if (written) return toApiNode(d);
        if (copts.id) {
          // Idempotent internal create (activity retries): an existing node is returned as stored.
          const { rows } = await pool.query(`SELECT ${NODE_COLUMNS_SQL} FROM nodes WHERE id = $1`, [
            id.toHexString(),
          ]);
          if (rows.length) return toApiNode(nodeRowToDocument(rows[0]));
        }
        if (fresh) throw conflict(`parent: node ${checked.parent} changed while the node was created`);
      }
    },

    async replace(actor, id, input, wopts = {}) {
      const oid = parseId(id);
      const checked = checkNodeInput(input, true) as CheckedInput;
      checkEchoedId(checked, oid);
      return updateWith(actor, oid, wopts, (cur) => applyReplace(cur, checked));
    },

    async update(actor, id, patch, wopts = {}) {
      const oid = parseId(id);
      const checked = checkNodePatch(patch);
      return updateWith(actor, oid, wopts, (cur) => applyPatch(cur, checked));
    },

    submitHierarchy: (actor, rootId, tree, wopts = {}) => submit(actor, parseId(rootId), tree, wopts),

    async setField(actor, ids, field, value) {
      if (field !== 'processed_by_kcidb_bridge')
        throw invalid('field: only "processed_by_kcidb_bridge" may be set in batch');
      if (typeof value !== 'boolean') throw invalid('value: must be a boolean');
      const hex = ids.map((id, i) => parseId(id, `nodes[${i}]`).toHexString());
      const { rows } = await pool.query<{
        id: string;
        owner: string;
        user_groups: string[];
        data: Record<string, unknown>;
      }>(
        `SELECT id, owner, user_groups, jsonb_build_object('runtime', data -> 'runtime') AS data
         FROM nodes WHERE id = ANY($1::text[])`,
        [hex],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const missing = hex.find((id) => !byId.has(id));
      if (missing) throw notFound(`nodes: node ${missing} not found`);
      // As upstream: nodes the caller may not edit are skipped; the answer counts the updated ones.
      const editable = hex.filter((id) => canEditNode(actor, byId.get(id)!));
      if (editable.length) {
        await pool.query(
          `UPDATE nodes SET processed_by_kcidb_bridge = $2, updated = now(), rev = rev + 1
           WHERE id = ANY($1::text[]) AND processed_by_kcidb_bridge <> $2`,
          [editable, value],
        );
      }
      return editable.length;
    },

    flush: async () => undefined,
  };
}
