import type { Db } from 'mongodb';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/harness';
import { NODES_COLLECTION, type NodeDocument } from './document';
import {
  NODE_OUTBOX_COLLECTION,
  outboxId,
  recoverPendingEvents,
  startPendingEventRecovery,
  type OutboxEntry,
} from './pending-events';
import { createNodeStore } from './store';
import type { Actor, NodeChange, NodeEventSink } from './types';

/** Records every change; can be told to fail, like a publisher whose database is down. */
class RecordingSink implements NodeEventSink {
  changes: NodeChange[] = [];
  failing = false;
  async nodeChanged(changes: NodeChange[]): Promise<void> {
    if (this.failing) throw new Error('sink down');
    this.changes.push(...changes);
  }
  revisions(id: string): number[] {
    return this.changes.filter((c) => c.node.id === id).map((c) => c.revision);
  }
}

const pipeline: Actor = { id: 'svc', username: 'pipeline', groups: [], isSuperuser: false };
const checkoutInput = {
  kind: 'checkout' as const,
  name: 'checkout',
  data: {
    kernel_revision: {
      tree: 'mainline',
      url: 'https://git.example/linux.git',
      branch: 'master',
      commit: 'a'.repeat(40),
    },
  },
};

describe('node store (write path) against FerretDB', () => {
  let db: Db;
  beforeAll(async () => {
    db = (await openTestDatabase(undefined, 'mongodb')).mongoDb!;
  });

  it('creates a node with server-set fields and hands one change to the sink', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const before = Date.now();
    const node = await store.create(pipeline, checkoutInput);
    expect(node.id).toMatch(/^[0-9a-f]{24}$/);
    expect(node).toMatchObject({
      owner: 'pipeline',
      state: 'running',
      result: null,
      path: ['checkout'],
      treeid: node.id,
      parent: null,
    });
    // checkout default timeout: 3 h after creation
    expect(Date.parse(node.timeout) - Date.parse(node.created)).toBe(3 * 3600_000);
    expect(Date.parse(node.created)).toBeGreaterThanOrEqual(before - 1000);
    expect(sink.changes).toHaveLength(1);
    expect(sink.changes[0]).toMatchObject({ op: 'created', revision: 1, is_hierarchy: false });
    const child = await store.create(pipeline, {
      kind: 'kbuild',
      name: 'kbuild-gcc-12-x86',
      parent: node.id,
      data: { arch: 'x86_64' },
    });
    expect(child.path).toEqual(['checkout', 'kbuild-gcc-12-x86']);
    expect(child.treeid).toBe(node.id);
    expect(Date.parse(child.timeout) - Date.parse(child.created)).toBe(6 * 3600_000);
    await store.flush();
    const raw = await db.collection<NodeDocument>(NODES_COLLECTION).findOne({ _id: new ObjectId(child.id) });
    expect(
      await db
        .collection(NODE_OUTBOX_COLLECTION)
        .countDocuments({ node_id: new ObjectId(child.id), delivered: false }),
    ).toBe(0);
    expect(raw?._rev).toBe(1);
    expect(raw?.created).toBeInstanceOf(Date);
  });

  it('an internal create with an existing id returns the stored node: no duplicate, no second event', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const id = new ObjectId().toHexString();
    const first = await store.create(pipeline, { ...checkoutInput, name: 'idem' }, { id });
    const again = await store.create(pipeline, { ...checkoutInput, name: 'idem', state: 'done' }, { id });
    expect(again).toEqual(first);
    expect(await store.count({ name: 'idem' })).toBe(1);
    await store.flush();
    expect(sink.revisions(id)).toEqual([1]);
  });

  it('a change the sink could not take stays in the outbox and recovery re-delivers it once', async () => {
    const sink = new RecordingSink();
    const errors: unknown[] = [];
    const store = createNodeStore(db, sink, { onError: (e) => errors.push(e) });
    sink.failing = true;
    const node = await store.create(pipeline, { ...checkoutInput, name: 'lost-event' });
    expect(errors).toHaveLength(1);
    expect(sink.changes).toHaveLength(0);
    sink.failing = false;
    // Not stale yet: nothing re-delivered.
    expect(await recoverPendingEvents(db, sink, 60_000)).toBe(0);
    expect(await recoverPendingEvents(db, sink, 0)).toBeGreaterThanOrEqual(1);
    expect(sink.revisions(node.id)).toEqual([1]);
    expect(sink.changes.find((c) => c.node.id === node.id)?.op).toBe('created');
    await recoverPendingEvents(db, sink, 0);
    expect(sink.revisions(node.id)).toEqual([1]);
  });

  it('a live writer gets past the claim of a writer that died before writing the node (no phantom event)', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const node = await store.create(pipeline, { ...checkoutInput, name: 'dead-writer' });
    await store.flush();
    const oid = new ObjectId(node.id);
    // A writer claimed revision 2 a minute ago and died before writing the node.
    await db.collection<OutboxEntry>(NODE_OUTBOX_COLLECTION).insertOne({
      _id: outboxId(oid, 2),
      node_id: oid,
      rev: 2,
      op: 'updated',
      previous_state: 'running',
      previous_result: null,
      is_hierarchy: false,
      noevent: false,
      delivered: false,
      at: new Date(Date.now() - 60_000),
    });
    const updated = await store.update(pipeline, node.id, { state: 'available' });
    expect(updated.state).toBe('available');
    expect(sink.revisions(node.id)).toEqual([1, 2]);
    expect(sink.changes.at(-1)).toMatchObject({ previous_state: 'running', node: { state: 'available' } });
  });

  it('recovery drops a dead claim without an event', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const node = await store.create(pipeline, { ...checkoutInput, name: 'dead-claim' });
    await store.flush();
    const oid = new ObjectId(node.id);
    await db.collection<OutboxEntry>(NODE_OUTBOX_COLLECTION).insertOne({
      _id: outboxId(oid, 2),
      node_id: oid,
      rev: 2,
      op: 'updated',
      previous_state: 'running',
      previous_result: null,
      is_hierarchy: false,
      noevent: false,
      delivered: false,
      at: new Date(Date.now() - 60_000),
    });
    await recoverPendingEvents(db, sink, 30_000);
    expect(sink.revisions(node.id)).toEqual([1]);
    expect(
      await db.collection(NODE_OUTBOX_COLLECTION).countDocuments({ node_id: oid, delivered: false }),
    ).toBe(0);
  });

  it('concurrent writers to one node lose no update and emit one event per revision', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const node = await store.create(pipeline, { kind: 'job', name: 'busy' });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.update(pipeline, node.id, { data: { [`k${i}`]: i } })),
    );
    const stored = await store.get(node.id);
    expect(Object.keys(stored!.data).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `k${i}`).sort());
    expect(sink.revisions(node.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });
  it('periodic recovery runs and stops', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    sink.failing = true;
    const node = await store.create(pipeline, { ...checkoutInput, name: 'periodic' });
    sink.failing = false;
    const stop = startPendingEventRecovery(db, sink, 200);
    await expect.poll(() => sink.revisions(node.id), { timeout: 10_000 }).toEqual([1]);
    await stop();
  });

  it('noevent writes reach the database but not the sink', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const node = await store.create(pipeline, { ...checkoutInput, name: 'quiet' }, { noevent: true });
    await store.update(pipeline, node.id, { state: 'available' }, { noevent: true });
    expect(sink.revisions(node.id)).toEqual([]);
    expect((await store.get(node.id))?.state).toBe('available');
    expect(await recoverPendingEvents(db, sink, 0)).toBe(0);
  });

  it('a retried hierarchy submit writes nothing twice', async () => {
    const sink = new RecordingSink();
    const store = createNodeStore(db, sink, { onError: () => undefined });
    const job = await store.create(pipeline, { kind: 'job', name: 'baseline', data: { runtime: 'lava-x' } });
    const tree = {
      node: { state: 'done' as const, result: 'pass' as const },
      child_nodes: [
        {
          node: { kind: 'test' as const, name: 'setup', result: 'pass' as const, state: 'done' as const },
          child_nodes: [
            {
              node: { kind: 'test' as const, name: 'login', result: 'pass' as const, state: 'done' as const },
              child_nodes: [],
            },
          ],
        },
        {
          node: { kind: 'test' as const, name: 'dmesg', result: 'fail' as const, state: 'done' as const },
          child_nodes: [],
        },
      ],
    };
    const before = sink.changes.length;
    const first = await store.submitHierarchy(pipeline, job.id, tree);
    expect(first.map((n) => n.name)).toEqual(['baseline', 'setup', 'dmesg', 'login']);
    expect(first[3].path).toEqual(['baseline', 'setup', 'login']);
    const eventsAfterFirst = sink.changes.length;
    expect(eventsAfterFirst - before).toBe(4);
    expect(sink.changes.slice(before).every((c) => c.is_hierarchy)).toBe(true);
    const second = await store.submitHierarchy(pipeline, job.id, tree);
    expect(second.map((n) => n.id)).toEqual(first.map((n) => n.id));
    expect(sink.changes.slice(eventsAfterFirst).map((c) => [c.node.name, c.revision, c.op])).toEqual([]);
    expect(await store.count({ treeid: job.id })).toBe(4);
  });
});
