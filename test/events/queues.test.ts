// Queues: shared names by default and private ones on request, every item to exactly one of competing
// consumers, and (with ack=explicit) a killed consumer's item delivered again after the visibility timeout.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { http, startEventApi } from './support';

describe('queues', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    api = await startEventApi();
    alice = await createTestUser(api);
    bob = await createTestUser(api);
    admin = await createTestUser(api, { superuser: true });
  });

  it('names are shared by default (as upstream); private queues are the opt-in; admins reach any', async () => {
    // Pushing opens the queue; another user pops from the same shared name.
    expect(
      (await http(api.url, 'POST', '/push/jobs', { token: alice.token, json: { data: 1 } })).status,
    ).toBe(200);
    const shared = await http(api.url, 'GET', '/pop/jobs?wait=1', { token: bob.token });
    expect(shared.body).toMatchObject({ specversion: '1.0', data: 1, owner: alice.username });
    expect(shared.body.receipt).toBeUndefined(); // ack=auto is the default

    expect((await http(api.url, 'POST', '/queue/mine?private=true', { token: alice.token })).status).toBe(
      201,
    );
    expect((await http(api.url, 'POST', '/queue/mine?private=true', { token: alice.token })).status).toBe(
      200,
    );
    await http(api.url, 'POST', '/push/mine?private=true', {
      token: alice.token,
      json: { data: 'for alice' },
    });
    expect((await http(api.url, 'GET', '/pop/mine?private=true&wait=0.2', { token: bob.token })).status).toBe(
      204,
    ); // bob's own "mine" is another queue
    expect((await http(api.url, 'GET', '/pop/mine?wait=0.2', { token: alice.token })).status).toBe(204); // the shared "mine"
    expect(
      (await http(api.url, 'GET', `/pop/mine?owner=${alice.username}&wait=0.2`, { token: bob.token })).status,
    ).toBe(403);
    const popped = await http(api.url, 'GET', `/pop/mine?owner=${alice.username}&wait=1`, {
      token: admin.token,
    });
    expect(popped.body).toMatchObject({ data: 'for alice', owner: alice.username });

    const listed = await http(api.url, 'GET', '/queues', { token: alice.token });
    const names = listed.body.map((q: { name: string; shared: boolean }) => `${q.name}:${q.shared}`);
    expect(names).toEqual(expect.arrayContaining(['jobs:true', 'mine:false', 'mine:true']));
    // A shared queue is closed by whoever opened it or by an admin.
    expect((await http(api.url, 'DELETE', '/queue/jobs', { token: bob.token })).status).toBe(403);
    expect((await http(api.url, 'DELETE', '/queue/jobs', { token: alice.token })).status).toBe(200);
    expect((await http(api.url, 'DELETE', '/queue/mine?private=true', { token: alice.token })).status).toBe(
      200,
    );
    expect((await http(api.url, 'DELETE', '/queue/mine?private=true', { token: alice.token })).status).toBe(
      404,
    );
  });

  it('three competing consumers receive every item exactly once', async () => {
    await http(api.url, 'POST', '/queue/work', { token: alice.token });
    const total = 45;
    for (let i = 0; i < total; i++)
      await http(api.url, 'POST', '/push/work', { token: alice.token, json: { data: { i } } });
    const consumer = async () => {
      const got: number[] = [];
      for (;;) {
        const res = await http(api.url, 'GET', '/pop/work?wait=0.3&ack=explicit', { token: alice.token });
        if (res.status === 204) return got;
        expect(res.status).toBe(200);
        got.push(res.body.data.i);
        expect(
          (await http(api.url, 'POST', `/queue/work/ack/${res.body.receipt}`, { token: alice.token })).status,
        ).toBe(200);
      }
    };
    const results = await Promise.all([consumer(), consumer(), consumer()]);
    const all = results.flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('an item popped by a consumer that dies before acknowledging is delivered again after the visibility timeout', async () => {
    await http(api.url, 'POST', '/queue/fragile', { token: alice.token });
    await http(api.url, 'POST', '/push/fragile', { token: alice.token, json: { data: 'precious' } });
    const first = await http(api.url, 'GET', '/pop/fragile?wait=1&ack=explicit', { token: alice.token });
    expect(first.body.data).toBe('precious');
    // The consumer dies here. Meanwhile the item is invisible to others:
    expect(
      (await http(api.url, 'GET', '/pop/fragile?wait=0.2&ack=explicit', { token: alice.token })).status,
    ).toBe(204);
    const again = await http(api.url, 'GET', '/pop/fragile?wait=5&ack=explicit', { token: alice.token });
    expect(again.status).toBe(200);
    expect(again.body.data).toBe('precious');
    expect(again.body.receipt).not.toBe(first.body.receipt);
    expect(
      (await http(api.url, 'POST', `/queue/fragile/ack/${again.body.receipt}`, { token: alice.token }))
        .status,
    ).toBe(200);
    expect(
      (await http(api.url, 'GET', '/pop/fragile?wait=2&ack=explicit', { token: alice.token })).status,
    ).toBe(204);
  });

  it('items survive an API restart', async () => {
    await http(api.url, 'POST', '/queue/persistent', { token: alice.token });
    await http(api.url, 'POST', '/push/persistent', { token: alice.token, json: { data: 'kept' } });
    await api.close();
    api = await startEventApi({ db: api.db });
    const popped = await http(api.url, 'GET', '/pop/persistent?wait=1', { token: alice.token });
    expect(popped.body.data).toBe('kept');
  });
});
