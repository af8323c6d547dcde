import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { http, isKeepAlive, listenFor, startEventApi } from './support';

describe('pub/sub over HTTP', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    api = await startEventApi();
    alice = await createTestUser(api);
    bob = await createTestUser(api);
  });

  it('publish → listen round trip delivers the CloudEvent in the upstream message shape', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/chat', { token: alice.token });
    expect(sub.status).toBe(200);
    expect(sub.body).toMatchObject({ channel: 'chat', user: alice.username, promiscuous: false });
    expect(typeof sub.body.id).toBe('number');

    const pub = await http(api.url, 'POST', '/publish/chat', {
      token: alice.token,
      json: { data: { hello: 'world' }, attributes: { lab: 'x1' } },
    });
    expect(pub.status).toBe(200);
    const msg = await http(api.url, 'GET', `/listen/${sub.body.id}`, { token: alice.token });
    expect(msg.status).toBe(200);
    expect(msg.body.type).toBe('message');
    expect(msg.body.channel).toBe('chat');
    expect(typeof msg.body.data).toBe('string');
    const ce = JSON.parse(msg.body.data);
    expect(ce).toMatchObject({
      specversion: '1.0',
      type: 'api.kernelci.org',
      owner: alice.username,
      data: { hello: 'world' },
      lab: 'x1',
    });
    expect(ce.id).toEqual(pub.body.id);
    expect(Number.isNaN(Date.parse(ce.time))).toBe(false);
    expect(ce._sequence_id).toBe(pub.body.sequence_id);
    expect(Object.keys(msg.body).sort()).toEqual(['channel', 'data', 'pattern', 'type']);
  });

  it('a listen with nothing to deliver answers a keep-alive after the wait', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/quiet', { token: alice.token });
    const msg = await http(api.url, 'GET', `/listen/${sub.body.id}?wait=0.2`, { token: alice.token });
    expect(msg.status).toBe(200);
    expect(msg.body).toMatchObject({ type: 'message', channel: 'quiet', pattern: null });
    expect(isKeepAlive(msg.body)).toBe(true);
  });

  it('non-promiscuous subscriptions see only their owner’s events; promiscuous ones see all', async () => {
    const own = await http(api.url, 'POST', '/subscribe/owners', { token: alice.token });
    const all = await http(api.url, 'POST', '/subscribe/owners?promisc=true', { token: alice.token });
    expect(all.body.promiscuous).toBe(true);
    await http(api.url, 'POST', '/publish/owners', { token: bob.token, json: { data: 'from bob' } });
    await http(api.url, 'POST', '/publish/owners', { token: alice.token, json: { data: 'from alice' } });
    const mine = await listenFor(api.url, alice.token, own.body.id, 1);
    expect(mine.map((e) => e.data)).toEqual(['from alice']);
    const every = await listenFor(api.url, alice.token, all.body.id, 2);
    expect(every.map((e) => e.data)).toEqual(['from bob', 'from alice']);
  });

  it('only the owner may listen or unsubscribe; unknown subscriptions are 404', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/private', { token: alice.token });
    expect((await http(api.url, 'GET', `/listen/${sub.body.id}?wait=0`, { token: bob.token })).status).toBe(
      403,
    );
    expect((await http(api.url, 'POST', `/unsubscribe/${sub.body.id}`, { token: bob.token })).status).toBe(
      403,
    );
    expect((await http(api.url, 'POST', `/unsubscribe/${sub.body.id}`, { token: alice.token })).status).toBe(
      200,
    );
    const gone = await http(api.url, 'GET', `/listen/${sub.body.id}?wait=0`, { token: alice.token });
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toMatch(/sub_id/);
    expect((await http(api.url, 'POST', '/subscribe/private')).status).toBe(401);
  });

  it('publish validates its body and reserves the node channel for the write path', async () => {
    const noData = await http(api.url, 'POST', '/publish/chat', { token: alice.token, json: { type: 'x' } });
    expect(noData.status).toBe(400);
    expect(noData.body.detail).toMatch(/data/);
    const badKey = await http(api.url, 'POST', '/publish/chat', {
      token: alice.token,
      json: { data: { 'a.b': 1 } },
    });
    expect(badKey.status).toBe(400);
    expect(badKey.body.detail).toMatch(/a\.b/);
    const badAttr = await http(api.url, 'POST', '/publish/chat', {
      token: alice.token,
      json: { data: 1, attributes: { Bad_Name: 'x' } },
    });
    expect(badAttr.status).toBe(400);
    expect(badAttr.body.detail).toMatch(/Bad_Name/);
    expect(
      (await http(api.url, 'POST', '/publish/node', { token: alice.token, json: { data: 1 } })).status,
    ).toBe(403);
  });

  it('events of one subscription arrive in sequence order', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/order', { token: alice.token });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        http(api.url, 'POST', '/publish/order', { token: alice.token, json: { data: { i } } }),
      ),
    );
    const got = await listenFor(api.url, alice.token, sub.body.id, 30);
    const seqs = got.map((e) => e.sequence_id);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(got.map((e) => e.data.i)).size).toBe(30);
  });
});
