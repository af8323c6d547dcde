// Queues: owned names, explicit open/close, every item to exactly one of competing consumers, and a
// killed consumer's item delivered again after the visibility timeout.
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

  it('a queue must be opened; names belong to their user; shared queues are opened by admins', async () => {
    const closed = await http(api.url, 'POST', '/push/jobs', { token: alice.token, json: { data: 1 } });
    expect(closed.status).toBe(404);
    expect(closed.body.detail).toMatch(/queue/);
    expect((await http(api.url, 'POST', '/queue/jobs', { token: alice.token })).status).toBe(201);
    expect((await http(api.url, 'POST', '/queue/jobs', { token: alice.token })).status).toBe(200);
    expect((await http(api.url, 'POST', '/queue/jobs', { token: bob.token })).status).toBe(201); // bob's own "jobs"
    await http(api.url, 'POST', '/push/jobs', { token: alice.token, json: { data: 'for alice' } });
    const bobs = await http(api.url, 'GET', '/pop/jobs', { token: bob.token });
    expect(bobs.status).toBe(204); // bob's queue is a different one
    expect(
      (await http(api.url, 'GET', `/pop/jobs?owner=${alice.username}`, { token: bob.token })).status,
    ).toBe(403);
    const popped = await http(api.url, 'GET', '/pop/jobs?ack=auto', { token: alice.token });
    expect(popped.body).toMatchObject({ specversion: '1.0', data: 'for alice', owner: alice.username });

    expect(
      (await http(api.url, 'POST', '/queue/shared-work?shared=true', { token: alice.token })).status,
    ).toBe(403);
    expect(
      (await http(api.url, 'POST', '/queue/shared-work?shared=true', { token: admin.token })).status,
    ).toBe(201);
    await http(api.url, 'POST', '/push/shared-work?shared=true', {
      token: alice.token,
      json: { data: 'shared' },
    });
    const shared = await http(api.url, 'GET', '/pop/shared-work?shared=true&ack=auto', { token: bob.token });
    expect(shared.body.data).toBe('shared');

    const listed = await http(api.url, 'GET', '/queues', { token: alice.token });
    expect(listed.body.map((q: { name: string; shared: boolean }) => `${q.name}:${q.shared}`).sort()).toEqual(
      ['jobs:false', 'shared-work:true'],
    );
    const close = await http(api.url, 'DELETE', '/queue/jobs', { token: alice.token });
    expect(close.status).toBe(200);
    expect((await http(api.url, 'GET', '/pop/jobs', { token: alice.token })).status).toBe(404);
  });

  it('three competing consumers receive every item exactly once', async () => {
    await http(api.url, 'POST', '/queue/work', { token: alice.token });
    const total = 45;
    for (let i = 0; i < total; i++)
      await http(api.url, 'POST', '/push/work', { token: alice.token, json: { data: { i } } });
    const consumer = async () => {
      const got: number[] = [];
      for (;;) {
        const res = await http(api.url, 'GET', '/pop/work?wait=0.3', { token: alice.token });
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
    const first = await http(api.url, 'GET', '/pop/fragile', { token: alice.token });
    expect(first.body.data).toBe('precious');
    // The consumer dies here. Meanwhile the item is invisible to others:
    expect((await http(api.url, 'GET', '/pop/fragile?wait=0.2', { token: alice.token })).status).toBe(204);
    const again = await http(api.url, 'GET', '/pop/fragile?wait=5', { token: alice.token });
    expect(again.status).toBe(200);
    expect(again.body.data).toBe('precious');
    expect(again.body.receipt).not.toBe(first.body.receipt);
    expect(
      (await http(api.url, 'POST', `/queue/fragile/ack/${again.body.receipt}`, { token: alice.token }))
        .status,
    ).toBe(200);
    expect((await http(api.url, 'GET', '/pop/fragile?wait=2', { token: alice.token })).status).toBe(204);
  });

  it('items survive an API restart', async () => {
    await http(api.url, 'POST', '/queue/persistent', { token: alice.token });
    await http(api.url, 'POST', '/push/persistent', { token: alice.token, json: { data: 'kept' } });
    await api.close();
    api = await startEventApi({ db: api.db });
    const popped = await http(api.url, 'GET', '/pop/persistent?ack=auto', { token: alice.token });
    expect(popped.body.data).toBe('kept');
  });
});
