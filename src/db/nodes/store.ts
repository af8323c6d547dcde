// THE write path for nodes: API routes and workflow activities both go through createNodeStore().
// Every write claims its revision in the outbox (pending-events.ts), writes the node, hands the change
// to the sink, and lets the outbox entry be deleted off the request path.
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoServerError, ObjectId, type Db, type Filter, type Sort } from 'mongodb';
import { invalid, conflict, notFound } from '../../errors';
import { isObjectId } from '../../object-id';
import { componentLogger } from '../../logger';
import { NODES_COLLECTION, toApiNode, type NodeDocument } from './document';
import { submitHierarchy } from './hierarchy';
import {
  changeFromEntry,
  NODE_OUTBOX_COLLECTION,
  OutboxAcker,
  outboxId,
  type OutboxEntry,
} from './pending-events';
import { assertCanEdit, canEditNode } from './permissions';
import { applyPatch, applyReplace, checkEchoedId, newNodeDocument, type NodeDefaults } from './changes';
import type { ParentInfo, PlannedWrite, StoreInternals } from './store-internals';
import { withUpdateSlot } from './update-gate';
import type {
  Actor,
  CreateOptions,
  FindOptions,
  Node,
  NodeChange,
  NodeEventSink,
  NodeInput,
  NodeQuery,
  NodeStore,
  NodeTreeInput,
  Page,
  WriteOptions,
} from './types';
import { checkNodeInput, checkNodePatch, validateKindData, type CheckedInput } from './validate';

const log = componentLogger('mongodb');

export { DEFAULT_CHECKOUT_TIMEOUT_MS, DEFAULT_NODE_TIMEOUT_MS, type ParentInfo } from './changes';
const PARENT_CACHE_MS = 10_000;
const PARENT_CACHE_SIZE = 5000;
const MAX_WRITE_ATTEMPTS = 40;
/** A revision claim this old whose node write never happened belongs to a dead writer. */
const STALE_CLAIM_MS = 30_000;

export interface NodeStoreOptions extends NodeDefaults {
  /** Sink failures and outbox clean-up failures land here; the change stays pending for recovery. */
  onError?: (err: unknown) => void;
}

/** The store plus housekeeping the interface does not need to know about. */
export interface NodeStoreHandle extends NodeStore {
  /** Waits until delivered changes are marked so in the outbox (tests, shutdown). */
  flush(): Promise<void>;
}

/** Parses a node id; a malformed one is a 400 naming `field`. */
export function parseNodeId(id: unknown, field = 'id'): ObjectId {
  if (!isObjectId(id)) {
    throw invalid(`${field}: "${String(id)}" is not a valid node id (24 hex digits)`);
  }
  return new ObjectId(id);
}

export function createNodeStore(
  db: Db,
  sink: NodeEventSink,
  options: NodeStoreOptions = {},
): NodeStoreHandle {
  const nodes = db.collection<NodeDocument>(NODES_COLLECTION);
  const outbox = db.collection<OutboxEntry>(NODE_OUTBOX_COLLECTION);
  const onError = options.onError ?? ((err: unknown) => log.error({ err }, 'node write path'));
  const acker = new OutboxAcker(outbox, onError);
  const parentCache = new Map<string, { info: ParentInfo; until: number }>();

  /** Parent path and tree id; nodes are never deleted, so a short cache only risks a stale renamed path. */
  async function parentInfo(id: string): Promise<ParentInfo> {
    const hit = parentCache.get(id);
    if (hit && hit.until > Date.now()) return hit.info;
    const doc = await nodes.findOne({ _id: new ObjectId(id) }, { projection: { path: 1, treeid: 1 } });
    if (!doc) throw notFound(`parent: node ${id} not found`);
    const info = { id: doc._id, path: doc.path ?? [], treeid: doc.treeid ?? doc._id.toHexString() };
    if (parentCache.size >= PARENT_CACHE_SIZE) parentCache.clear();
    parentCache.set(id, { info, until: Date.now() + PARENT_CACHE_MS });
    return info;
  }

  function entry(
    doc: NodeDocument,
    prev: NodeDocument | null,
    isHierarchy: boolean,
    noevent: boolean,
    now: Date,
  ): OutboxEntry {
    const e: OutboxEntry = {
      _id: outboxId(doc._id, doc._rev),
      node_id: doc._id,
      rev: doc._rev,
      op: prev ? 'updated' : 'created',
      is_hierarchy: isHierarchy,
      noevent,
      delivered: noevent,
      at: now,
    };
    if (prev) {
      e.previous_state = prev.state;
      e.previous_result = prev.result ?? null;
    }
    return e;
  }

  function newDocument(
    actor: Actor,
    input: CheckedInput,
    parent: ParentInfo | null,
    id: ObjectId,
    now: Date,
  ): NodeDocument {
    return newNodeDocument(options, actor, input, parent, id, now);
  }

  /** Hands written changes to the sink; on failure the outbox keeps them for recovery. */
  async function deliver(writes: PlannedWrite[]): Promise<void> {
    const changes: NodeChange[] = writes
      .filter((w) => !w.entry.noevent)
      .map((w) => changeFromEntry(w.doc, w.entry));
    if (!changes.length) return;
    try {
      await sink.nodeChanged(changes);
    } catch (err) {
      onError(err);
      return;
    }
    acker.enqueue(writes.filter((w) => !w.entry.noevent).map((w) => w.entry._id));
  }

  /** Inserts the claim; false when another writer holds this revision (a dead one's claim is removed). */
  async function claim(e: OutboxEntry): Promise<boolean> {
    try {
      await outbox.insertOne(e);
      return true;
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
    }
    const held = await outbox.findOne({ _id: e._id });
    if (held && held.at.getTime() < Date.now() - STALE_CLAIM_MS) {
      const doc = await nodes.findOne({ _id: e.node_id }, { projection: { _rev: 1 } });
      // The claim's writer never wrote its revision: the change did not happen, the claim can go.
      if (doc && (doc._rev ?? 0) < e.rev)
        await withUpdateSlot(() => outbox.deleteOne({ _id: e._id, at: held.at }));
    }
    return false;
  }

  async function load(id: ObjectId): Promise<NodeDocument> {
    const doc = await nodes.findOne({ _id: id });
    if (!doc) throw notFound(`node ${id.toHexString()} not found`);
    return doc;
  }

  async function updateWith(
    actor: Actor | null,
    id: ObjectId,
    opts: WriteOptions & { isHierarchy?: boolean },
    decide: (cur: NodeDocument) => NodeDocument | null,
  ): Promise<NodeDocument> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const cur = await load(id);
      if (actor) assertCanEdit(actor, cur);
      const next = decide(cur);
      if (!next) return cur;
      validateKindData(next.kind, next.data);
      const now = new Date();
      next._rev = (cur._rev ?? 0) + 1;
      next.updated = now;
      const e = entry(next, cur, opts.isHierarchy ?? false, opts.noevent ?? false, now);
      if (!(await claim(e))) {
        await sleep(Math.min(100, 2 + attempt * 5) * Math.random());
        continue;
      }
      let written;
      try {
        // The claim serialises writers; the revision condition also guards on backends with atomic updates.
        written = await withUpdateSlot(() =>
          nodes.replaceOne({ _id: id, _rev: cur._rev ?? null } as Filter<NodeDocument>, next),
        );
      } catch (err) {
        await outbox.deleteOne({ _id: e._id }).catch(() => undefined);
        throw err;
      }
      if (written.matchedCount !== 1) continue;
      parentCache.delete(id.toHexString());
      await deliver([{ doc: next, entry: e }]);
      return next;
    }
    throw conflict(`node ${id.toHexString()}: too many concurrent writes, retry`);
  }

  async function insertAll(writes: PlannedWrite[]): Promise<void> {
    if (!writes.length) return;
    // Claims first: a crash after them leaves entries recovery drops (their nodes do not exist).
    await outbox.insertMany(
      writes.map((w) => w.entry),
      { ordered: true },
    );
    await nodes.insertMany(
      writes.map((w) => w.doc),
      { ordered: true },
    );
    await deliver(writes);
  }

  const internals: StoreInternals = { nodes, newDocument, entry, updateWith, insertAll };

  const sortSpec = (sort: string[] | undefined): Sort | undefined => {
    if (!sort?.length) return undefined;
    const spec: Record<string, 1 | -1> = {};
    for (const s of sort) {
      const desc = s.startsWith('-');
      const field = desc ? s.slice(1) : s;
      spec[field === 'id' ? '_id' : field] = desc ? -1 : 1;
    }
    return spec;
  };

  function findDocs(query: NodeQuery, opts: FindOptions): Promise<NodeDocument[]> {
    if (opts.limit === 0) return Promise.resolve([]);
    let cursor = nodes.find(query as Filter<NodeDocument>);
    const sort = sortSpec(opts.sort);
    if (sort) cursor = cursor.sort(sort);
    return cursor.skip(opts.offset).limit(opts.limit).toArray();
  }

  async function count(query: NodeQuery): Promise<number> {
    // An empty filter would make countDocuments scan; the collection metadata answers instead.
    return Object.keys(query).length
      ? nodes.countDocuments(query as Filter<NodeDocument>)
      : nodes.estimatedDocumentCount();
  }

  async function createOne(actor: Actor, input: NodeInput, opts: CreateOptions): Promise<Node> {
    const checked = checkNodeInput(input, false) as CheckedInput;
    const id = opts.id ? parseNodeId(opts.id) : new ObjectId();
    const parent = checked.parent ? await parentInfo(checked.parent) : null;
    const now = new Date();
    const doc = newDocument(actor, checked, parent, id, now);
    const e = entry(doc, null, false, opts.noevent ?? false, now);
    if (!opts.id) {
      await insertAll([{ doc, entry: e }]);
      return toApiNode(doc);
    }
    // Idempotent internal create (activity retries): an existing node is returned as stored.
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const existing = await nodes.findOne({ _id: id });
      if (existing) return toApiNode(existing);
      if (!(await claim(e))) {
        await sleep(20 + attempt * 10);
        continue;
      }
      try {
        await nodes.insertOne(doc);
      } catch (err) {
        await outbox.deleteOne({ _id: e._id }).catch(() => undefined);
        if (err instanceof MongoServerError && err.code === 11000) continue;
        throw err;
      }
      await deliver([{ doc, entry: e }]);
      return toApiNode(doc);
    }
    throw conflict(`node ${id.toHexString()}: creation in progress elsewhere, retry`);
  }

  const store: NodeStoreHandle = {
    async get(id) {
      const doc = await nodes.findOne({ _id: parseNodeId(id) });
      return doc ? toApiNode(doc) : null;
    },

    async find(query, opts): Promise<Page<Node>> {
      const [docs, total] = await Promise.all([findDocs(query, opts), count(query)]);
      return { items: docs.map(toApiNode), total, limit: opts.limit, offset: opts.offset };
    },

    async findFast(query, opts) {
      return (await findDocs(query, opts)).map(toApiNode);
    },

    count,

    create: (actor, input, opts = {}) => createOne(actor, input, opts),

    async replace(actor, id, input, opts = {}) {
      const oid = parseNodeId(id);
      const checked = checkNodeInput(input, true) as CheckedInput;
      checkEchoedId(checked, oid);
      return toApiNode(await updateWith(actor, oid, opts, (cur) => applyReplace(cur, checked)));
    },

    async update(actor, id, patch, opts = {}) {
      const oid = parseNodeId(id);
      const checked = checkNodePatch(patch);
      const next = await updateWith(actor, oid, opts, (cur) => applyPatch(cur, checked));
      return toApiNode(next);
    },

    async submitHierarchy(actor: Actor, rootId: string, tree: NodeTreeInput, opts: WriteOptions = {}) {
      return submitHierarchy(internals, actor, parseNodeId(rootId), tree, opts);
    },

    async setField(actor, ids, field, value) {
      if (field !== 'processed_by_kcidb_bridge')
        throw invalid('field: only "processed_by_kcidb_bridge" may be set in batch');
      if (typeof value !== 'boolean') throw invalid('value: must be a boolean');
      const oids = ids.map((id, i) => parseNodeId(id, `nodes[${i}]`));
      const docs = await Promise.all(
        oids.map((oid) =>
          nodes.findOne(
            { _id: oid },
            { projection: { owner: 1, user_groups: 1, 'data.runtime': 1, processed_by_kcidb_bridge: 1 } },
          ),
        ),
      );
      const missing = oids.find((_, i) => !docs[i]);
      if (missing) throw notFound(`nodes: node ${missing.toHexString()} not found`);
      // As upstream: nodes the caller may not edit are skipped; the answer counts the updated ones.
      const editable = oids.filter((_, i) => canEditNode(actor, docs[i]!));
      // One small update per node, by `_id` alone (no event, as upstream): FerretDB pushes down only `_id`
      // filters, so a replace guarded by `_rev` or an `$in` update scans the collection each time
      // (minutes for a KCIDB batch). `_rev` moves on, so a concurrent replace of the node retries.
      const todo = oids.filter(
        (_, i) => canEditNode(actor, docs[i]!) && docs[i]!.processed_by_kcidb_bridge !== value,
      );
      await Promise.all(
        todo.map((oid) =>
          withUpdateSlot(() =>
            nodes.updateOne(
              { _id: oid },
              { $set: { processed_by_kcidb_bridge: value, updated: new Date() }, $inc: { _rev: 1 } },
            ),
          ),
        ),
      );
      return editable.length;
    },

    flush: () => acker.flush(),
  };
  return store;
}
