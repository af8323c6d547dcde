// Node events: the exact payload on channel `node`, idempotent re-delivery, hierarchy and noevent,
// through the real node write path with the bus as its sink, received over HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor, NodeChange } from '../../src/db/nodes/types';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { fakeNode } from './fixtures';
import { http, isKeepAlive, listenFor, startEventApi } from './support';

const NODE_KEYS = [
  'op',
  'id',
  'kind',
  'name',
  'path',
  'group',
  'state',
  'result',
  'owner',
  'data',
  'is_hierarchy',
];

describe('node events', () => {
  let api: TestApi;
  let alice: TestUser;
  let actor: Actor;

  beforeAll(async () => {
    api = await startEventApi();
    alice = await createTestUser(api);
    actor = { id: alice.id, username: alice.username, groups: [], isSuperuser: false };
  });

  it('the sink publishes created/updated events with exactly the SPEC keys, once per (node, revision)', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/node', { token: alice.token });
    const node = fakeNode(alice.username);
    const created: NodeChange = { op: 'created', node, revision: 1, is_hierarchy: false };
    const updated: NodeChange = {
      op: 'updated',
      node: { ...node, state: 'done', result: 'pass' },
      revision: 2,
      previous_state: 'running',
      previous_result: null,
      is_hierarchy: false,
    };
    await api.ctx.events.nodeChanged([created]);
    await api.ctx.events.nodeChanged([created, updated]); // re-delivery of rev 1 with rev 2
    await api.ctx.events.nodeChanged([updated]); // re-delivery of rev 2
    const [first, second] = await listenFor(api.url, alice.token, sub.body.id, 2);
    expect(Object.keys(first.data).sort()).toEqual([...NODE_KEYS].sort());
    expect(first.data).toEqual({
      op: 'created',
      id: node.id,
      kind: 'job',
      name: 'baseline-x86',
      path: node.path,
      group: 'baseline-x86',
      state: 'running',
      result: null,
      owner: alice.username,
      data: { arch: 'x86_64' },
      is_hierarchy: false,
    });
    expect(Object.keys(second.data).sort()).toEqual(
      [...NODE_KEYS, 'previous_state', 'previous_result'].sort(),
    );
    expect(second.data).toMatchObject({
      op: 'updated',
      state: 'done',
      result: 'pass',
      previous_state: 'running',
      previous_result: null,
    });
    expect(first).toMatchObject({
      specversion: '1.0',
      type: 'api.kernelci.org',
      owner: alice.username,
      source: expect.any(String),
    });
    // Nothing more: the re-deliveries left no duplicate (their numbers became void markers).
    const more = await http(api.url, 'GET', `/listen/${sub.body.id}?wait=0.3`, { token: alice.token });
    expect(isKeepAlive(more.body)).toBe(true);
    const history = await http(api.url, 'GET', `/events?node_id=${node.id}`);
    expect(history.body.map((e: { data: { op: string } }) => e.data.op)).toEqual(['created', 'updated']);
  });

  it('writes through the node store publish events; noevent suppresses them; hierarchies emit one per node', async () => {
    const store = api.ctx.nodes;
    const sub = await http(api.url, 'POST', '/subscribe/node', { token: alice.token });
    const checkout = await store.create(actor, {
      kind: 'checkout',
      name: 'checkout',
      data: {
        kernel_revision: {
          tree: 'mainline',
          url: 'https://git.example/linux.git',
          branch: 'master',
          commit: 'a'.repeat(40),
        },
      },
    });
    await store.update(actor, checkout.id, { state: 'available' }, { noevent: true });
    await store.update(actor, checkout.id, { state: 'closing' });
    const [c, u] = await listenFor(api.url, alice.token, sub.body.id, 2);
    expect(c.data).toMatchObject({
      op: 'created',
      id: checkout.id,
      kind: 'checkout',
      state: 'running',
      is_hierarchy: false,
    });
    expect(u.data).toMatchObject({
      op: 'updated',
      id: checkout.id,
      state: 'closing',
      previous_state: 'available',
    });

    const tree = {
      node: { id: checkout.id, kind: 'checkout' as const, name: 'checkout' },
      child_nodes: [
        {
          node: { kind: 'kbuild' as const, name: 'kbuild-gcc-12-x86', data: { arch: 'x86_64' } },
          child_nodes: [{ node: { kind: 'test' as const, name: 'boot' }, child_nodes: [] }],
        },
      ],
    };
    const written = await store.submitHierarchy(actor, checkout.id, tree);
    // The unchanged root is not an event; each created node is.
    const children = written.filter((n) => n.id !== checkout.id);
    expect(children.map((n) => n.kind).sort()).toEqual(['kbuild', 'test']);
    const events = await listenFor(api.url, alice.token, sub.body.id, children.length);
    expect(events.every((e) => e.data.is_hierarchy === true && e.data.op === 'created')).toBe(true);
    expect(new Set(events.map((e) => e.data.id))).toEqual(new Set(children.map((n) => n.id)));
    const more = await http(api.url, 'GET', `/listen/${sub.body.id}?wait=0.3`, { token: alice.token });
    expect(isKeepAlive(more.body)).toBe(true);
  });
});
