// Pub/sub and queues as kernelci-core's client uses them (kernelci/api/latest.py: `subscribe(channel,
// promisc)`, `receive_event(sub_id, block)`, `push_event`, `pop_event`, `subscription_stats`) and as
// kernelci-api answers (api/pubsub_mongo.py: listen messages `{type, channel, data, pattern}`, keep-alive
// CloudEvents with data "BEEP", the sequence id inside the CloudEvent, lists shared by name, blocking pop).
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, http, startTestApi, type TestApi, type TestUser } from '../support/api';
import { uniqueSuffix } from '../support/harness';

/** What the Python client's receive_event does with one /listen answer: the event, "BEEP" or a loop. */
function pythonReceive(body: { data?: string | null }): 'loop' | 'beep' | Record<string, unknown> {
  if (!body.data) return 'loop';
  const event = JSON.parse(body.data) as Record<string, unknown>;
  return event.data === 'BEEP' ? 'beep' : event;
}

describe('KernelCI compatibility: events and queues', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let lavaCallback: TestUser;

  beforeAll(async () => {
    api = await startTestApi({ settings: { listenTimeout: 300, eventPollInterval: 20 } });
    [alice, bob, admin, lavaCallback] = await Promise.all([
      createTestUser(api),
      createTestUser(api),
      createTestUser(api, { superuser: true, adminScope: false }),
      createTestUser(api, { groups: ['events:publish:node'] }),
    ]);
  });

  it('boolean query parameters take every spelling pydantic accepts, in any case', async () => {
    for (const word of ['True', 'true', 'TRUE', '1', 'yes', 'On', 'y', 't']) {
      const sub = await http(api, 'POST', `/latest/subscribe/bools?promisc=${word}`, { token: alice.token });
      expect(sub.status, word).toBe(200);
      expect(sub.body.promiscuous, word).toBe(true);
    }
    for (const word of ['False', 'false', '0', 'no', 'OFF', 'n', 'f']) {
      const sub = await http(api, 'POST', `/latest/subscribe/bools?promisc=${word}`, { token: alice.token });
      expect(sub.body.promiscuous, word).toBe(false);
    }
    const bad = await http(api, 'POST', '/latest/subscribe/bools?promisc=maybe', { token: alice.token });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^querystring\.promisc: must be a boolean/);
    // Other routes' booleans too: noevent on a node write, recursive on the history.
    const node = await http(api, 'POST', '/latest/node?noevent=True', {
      token: alice.token,
      json: { kind: 'checkout', name: 'quiet' },
    });
    expect(node.status).toBe(200);
    expect((await http(api, 'GET', `/latest/events?node_id=${node.body.id}&recursive=Yes`)).body).toEqual([]);
  });

  it('/listen answers exactly {type, channel, data, pattern}; the sequence id is in the CloudEvent', async () => {
    const sub = await http(api, 'POST', '/latest/subscribe/compat-chat?promisc=True', { token: alice.token });
    const pub = await http(api, 'POST', '/latest/publish/compat-chat', {
      token: bob.token,
      json: { data: { hello: 'world' } },
    });
    expect(pub.status).toBe(200);
    const msg = await http(api, 'GET', `/latest/listen/${sub.body.id}`, { token: alice.token });
    expect(Object.keys(msg.body).sort()).toEqual(['channel', 'data', 'pattern', 'type']);
    expect(msg.body).toMatchObject({ type: 'message', channel: 'compat-chat', pattern: null });
    const event = pythonReceive(msg.body) as Record<string, unknown>;
    expect(event).toMatchObject({ specversion: '1.0', owner: bob.username, data: { hello: 'world' } });
    expect(event._sequence_id).toBe(pub.body.sequence_id);
  });

  it('a wait without an event answers the BEEP keep-alive, so receive_event(block=False) returns', async () => {
    const sub = await http(api, 'POST', '/latest/subscribe/compat-quiet', { token: alice.token });
    const started = Date.now();
    const msg = await http(api, 'GET', `/latest/listen/${sub.body.id}`, { token: alice.token });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // waited MAESTRO_LISTEN_TIMEOUT
    expect(msg.status).toBe(200);
    expect(Object.keys(msg.body).sort()).toEqual(['channel', 'data', 'pattern', 'type']);
    expect(pythonReceive(msg.body)).toBe('beep');
    const ce = JSON.parse(msg.body.data);
    expect(ce).toMatchObject({ specversion: '1.0', type: 'api.kernelci.org', data: 'BEEP' });
    expect(ce._sequence_id).toBeUndefined();
  });

  it('publishing on "node": an admin or the group permission, not an ordinary user', async () => {
    const body = { data: { op: 'updated', id: 'f'.repeat(24), retry: true } };
    const plain = await http(api, 'POST', '/latest/publish/node', { token: alice.token, json: body });
    expect(plain.status).toBe(403);
    expect(plain.body.detail).toMatch(/events:publish:node/);
    expect(
      (await http(api, 'POST', '/latest/publish/node', { token: lavaCallback.token, json: body })).status,
    ).toBe(200);
    expect((await http(api, 'POST', '/latest/publish/node', { token: admin.token, json: body })).status).toBe(
      200,
    );
  });

  it('queues are shared by name: push creates, another user pops (ack=auto, no receipt)', async () => {
    const list = `compat-list-${uniqueSuffix()}`;
    // kernelci-core's push_event posts {'data': …} with extra attributes at the top level.
    const pushed = await http(api, 'POST', `/latest/push/${list}`, {
      token: alice.token,
      json: { data: { job: 'baseline' }, type: 'api.kernelci.org', lab: 'lava-a' },
    });
    expect(pushed.status).toBe(200);
    const popped = await http(api, 'GET', `/latest/pop/${list}`, { token: bob.token });
    expect(popped.status).toBe(200);
    expect(popped.body).toMatchObject({
      specversion: '1.0',
      type: 'api.kernelci.org',
      data: { job: 'baseline' },
      lab: 'lava-a',
      owner: alice.username,
    });
    expect(popped.body.receipt).toBeUndefined();
  });

  it('pop without wait long-polls: an item pushed meanwhile is delivered; none → a BEEP CloudEvent', async () => {
    const list = `compat-wait-${uniqueSuffix()}`;
    const waiting = http(api, 'GET', `/latest/pop/${list}`, { token: bob.token });
    await new Promise((r) => setTimeout(r, 100));
    await http(api, 'POST', `/latest/push/${list}`, { token: alice.token, json: { data: 'late' } });
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(got.body.data).toBe('late');
    const empty = await http(api, 'GET', `/latest/pop/${list}`, { token: bob.token });
    expect(empty.status).toBe(200); // never an empty 204 for an upstream client
    expect(empty.body).toMatchObject({ specversion: '1.0', data: 'BEEP' });
  });

  it('GET /stats/subscriptions (admin) lists subscriptions with upstream keys', async () => {
    const sub = await http(api, 'POST', '/latest/subscribe/compat-stats', { token: bob.token });
    expect((await http(api, 'GET', '/latest/stats/subscriptions', { token: bob.token })).status).toBe(403);
    const res = await http(api, 'GET', '/latest/stats/subscriptions', { token: admin.token });
    expect(res.status).toBe(200);
    const mine = res.body.find((s: { id: number }) => s.id === sub.body.id);
    expect(Object.keys(mine)).toEqual(['id', 'channel', 'user', 'created', 'last_poll']);
    expect(mine).toMatchObject({ channel: 'compat-stats', user: bob.username });
  });
});
