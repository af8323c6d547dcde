// Retention and reaping: old history is deleted by the sweep (no TTL indexes on FerretDB), idle plain
// subscriptions are removed, durable subscription state is never reaped.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { http, startEventApi } from './support';

describe('event housekeeping', () => {
  let api: TestApi;
  let alice: TestUser;

  beforeAll(async () => {
    api = await startEventApi({ settings: { eventRetention: 1500, subscriptionIdleTimeout: 1000 } });
    alice = await createTestUser(api);
  });

  it('the sweep deletes events older than the retention and idle plain subscriptions, never durable state', async () => {
    const plain = await http(api.url, 'POST', '/subscribe/sweep', { token: alice.token });
    const durable = await http(api.url, 'POST', '/subscribe/sweep?subscriber_id=keeper', {
      token: alice.token,
    });
    await http(api.url, 'POST', '/publish/sweep', { token: alice.token, json: { data: 'old' } });
    await new Promise((r) => setTimeout(r, 1800));
    await http(api.url, 'POST', '/publish/sweep', { token: alice.token, json: { data: 'new' } });
    await api.ctx.events.sweep(true);

    const history = await http(api.url, 'GET', '/events?channel=sweep');
    expect(history.body.map((e: { data: string }) => e.data)).toEqual(['new']);
    expect(
      (await http(api.url, 'GET', `/listen/${plain.body.id}?wait=0`, { token: alice.token })).status,
    ).toBe(404);
    const resumed = await http(api.url, 'GET', `/listen/${durable.body.id}?wait=1`, { token: alice.token });
    expect(resumed.status).toBe(200);
  });
});
