/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked field by field */
// What FerretDB gets wrong and PostgreSQL must get right, over the real HTTP API: concurrent PATCHes of
// one node lose nothing and emit one event each; racing pops of one item have one winner; racing
// hierarchy submits create each child once; racing state transitions never produce an illegal state.
import { beforeAll, describe, expect, it } from 'vitest';
import { isAllowedTransition } from '../../src/db/nodes/state-machine';
import type { NodeState } from '../../src/db/nodes/types';
import { createTestUser, http, type TestApi, type TestUser } from '../support/api';
import { startEventApi } from '../events/support';

const checkout = (name: string) => ({
  kind: 'checkout',
  name,
  data: {
    kernel_revision: {
      tree: 'mainline',
      url: 'https://git.example/linux.git',
      branch: 'master',
      commit: 'c'.repeat(40),
    },
  },
});

async function eventsOf(api: TestApi, nodeId: string): Promise<any[]> {
  const res = await http(api, 'GET', `/latest/events?node_id=${nodeId}&limit=1000`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('concurrency on PostgreSQL', () => {
  let api: TestApi;
  let alice: TestUser;

  beforeAll(async () => {
    api = await startEventApi();
    expect(api.db.kind).toBe('postgres');
    alice = await createTestUser(api);
  });

  it('100 parallel PATCHes of one node, each a different data key: all 100 kept, one event each', async () => {
    const created = await http(api, 'POST', '/latest/node', {
      token: alice.token,
      json: checkout('patch-race'),
    });
    expect(created.status).toBe(200);
    const id = created.body.id;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        http(api, 'PATCH', `/latest/node/${id}`, { token: alice.token, json: { data: { [`k${i}`]: i } } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    const node = (await http(api, 'GET', `/latest/node/${id}`)).body;
    for (let i = 0; i < 100; i++) expect(node.data[`k${i}`], `data.k${i}`).toBe(i);
    expect(node.data.kernel_revision.tree).toBe('mainline');
    const events = await eventsOf(api, id);
    expect(events.map((e) => e.data.op)).toEqual(['created', ...Array(100).fill('updated')]);
    // Each update's event carries the data as that write left it: key counts grow by one per event.
    const sizes = events.slice(1).map((e) => Object.keys(e.data.data).length);
    expect(sizes).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
  });

  it('a child created after its parent was renamed takes the new path (the remembered parent is checked)', async () => {
    const parent = await http(api, 'POST', '/latest/node', {
      token: alice.token,
      json: checkout('old-name'),
    });
    const child = (name: string) =>
      http(api, 'POST', '/latest/node', {
        token: alice.token,
        json: { kind: 'kbuild', name, parent: parent.body.id, data: { arch: 'x86_64' } },
      });
    expect((await child('first')).body.path).toEqual(['old-name', 'first']);
    const renamed = await http(api, 'PUT', `/latest/node/${parent.body.id}`, {
      token: alice.token,
      json: { ...parent.body, name: 'new-name' },
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const second = await child('second');
    expect(second.body.path).toEqual(['new-name', 'second']);
    expect(second.body.treeid).toBe(parent.body.treeid);
  });

  it('50 racing pops of one queued item: exactly one winner', async () => {
    expect((await http(api, 'POST', '/latest/queue/race', { token: alice.token })).status).toBe(201);
    await http(api, 'POST', '/latest/push/race', { token: alice.token, json: { data: 'the one' } });
    const pops = await Promise.all(
      Array.from({ length: 50 }, () => http(api, 'GET', '/latest/pop/race?wait=0.5', { token: alice.token })),
    );
    const winners = pops.filter((p) => p.status === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0].body.data).toBe('the one');
    expect(pops.filter((p) => p.status !== 200).every((p) => p.status === 204)).toBe(true);
  });

  it('racing identical hierarchy submits create every child once', async () => {
    const root = (
      await http(api, 'POST', '/latest/node', { token: alice.token, json: checkout('tree-race') })
    ).body;
    const tree = {
      node: { ...root, state: 'available' },
      child_nodes: Array.from({ length: 5 }, (_, i) => ({
        node: { kind: 'kbuild', name: `kbuild-${i}`, data: { arch: 'x86_64' } },
        child_nodes: Array.from({ length: 4 }, (_, j) => ({
          node: { kind: 'test', name: `test-${j}`, state: 'done', result: 'pass' },
          child_nodes: [],
        })),
      })),
    };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        http(api, 'PUT', `/latest/nodes/${root.id}`, { token: alice.token, json: tree }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const all = await http(api, 'GET', `/latest/nodes?treeid=${root.id}&limit=1000`);
    expect(all.body.total).toBe(1 + 5 + 20);
    const ids = new Set(answers.flatMap((a) => a.body.map((n: { id: string }) => n.id)));
    expect(ids.size).toBe(26);
    // One "created" event per node, whichever submit created it.
    const history = await http(api, 'GET', `/latest/events?op=created&limit=1000&kind=test`);
    const testIds = history.body.map((e: any) => e.data.id).filter((id: string) => ids.has(id));
    expect(testIds).toHaveLength(20);
  });

  it('racing state transitions: every write is legal against the state it replaced', async () => {
    const node = (
      await http(api, 'POST', '/latest/node', { token: alice.token, json: checkout('state-race') })
    ).body;
    const targets: NodeState[] = ['available', 'closing', 'done', 'running'];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        http(api, 'PATCH', `/latest/node/${node.id}`, {
          token: alice.token,
          json: { state: targets[i % targets.length] },
        }),
      ),
    );
    expect(answers.every((a) => a.status === 200 || a.status === 400)).toBe(true);
    const events = (await eventsOf(api, node.id)).slice(1);
    // Events chain: each one's previous_state is the state the previous write left.
    let state: NodeState = 'running';
    for (const e of events) {
      expect(e.data.previous_state).toBe(state);
      expect(isAllowedTransition(state, e.data.state), `${state} → ${e.data.state}`).toBe(true);
      state = e.data.state;
    }
    expect(events).toHaveLength(answers.filter((a) => a.status === 200).length);
    expect((await http(api, 'GET', `/latest/node/${node.id}`)).body.state).toBe(state);
  });
});
