/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked field by field */
// Durable subscribers: resume exactly after the last acknowledged event, after a disconnect and
// across an API restart, with no cap on how many events they missed.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/settings';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { openTestDatabase } from '../support/harness';
import { publishNodeEvents } from './fixtures';
import { FAST_EVENTS, http, isKeepAlive, listenFor, startEventApi } from './support';
import type { Storage } from '../../src/db/storage';

function expectInOrderExactlyOnce(events: any[], tag: string, count: number): void {
  const ours = events.filter((e) => e.data.data.tag === tag);
  expect(ours.length).toBe(events.length);
  expect(ours.map((e) => e.data.data.index)).toEqual(Array.from({ length: count }, (_, i) => i));
  for (let i = 1; i < events.length; i++)
    expect(events[i].sequence_id).toBeGreaterThan(events[i - 1].sequence_id);
}

describe('durable subscribers', () => {
  let db: Storage;
  let api: TestApi;
  let alice: TestUser;

  beforeAll(async () => {
    ({ db } = await openTestDatabase());
    api = await startEventApi({ db });
    alice = await createTestUser(api);
  });

  it('resume after a disconnect during which 5,000 events were published: all of them, in order, once', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/node?subscriber_id=scheduler-1', {
      token: alice.token,
    });
    expect(sub.body).toMatchObject({ subscriber_id: 'scheduler-1', channel: 'node' });
    await publishNodeEvents(api.ctx.events, alice.username, 'before', 3);
    const before = await listenFor(api.url, alice.token, sub.body.id, 3);
    expectInOrderExactlyOnce(before, 'before', 3);
    // The client goes away after handling the third event, acknowledging it on the way out.
    await http(api.url, 'POST', `/unsubscribe/${sub.body.id}?ack=${before[2].sequence_id}`, {
      token: alice.token,
    });

    await publishNodeEvents(api.ctx.events, alice.username, 'gap', 5000);

    const again = await http(api.url, 'POST', '/subscribe/node?subscriber_id=scheduler-1', {
      token: alice.token,
    });
    expect(again.body.id).toBe(sub.body.id);
    const resumed = await listenFor(api.url, alice.token, again.body.id, 5000);
    expectInOrderExactlyOnce(resumed, 'gap', 5000);
    expect(resumed[0].sequence_id).toBeGreaterThan(before[2].sequence_id);
    const more = await http(api.url, 'GET', `/listen/${again.body.id}?wait=0.2`, { token: alice.token });
    expect(isKeepAlive(more.body)).toBe(true);
  }, 300_000);

  it('an event delivered but not acknowledged is delivered again on resume', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/node?subscriber_id=scheduler-2', {
      token: alice.token,
    });
    await publishNodeEvents(api.ctx.events, alice.username, 'unacked', 2);
    const [first] = await listenFor(api.url, alice.token, sub.body.id, 1);
    // Disconnect without a further listen: `first` is delivered, not acknowledged.
    await http(api.url, 'POST', `/unsubscribe/${sub.body.id}`, { token: alice.token });
    const again = await http(api.url, 'POST', '/subscribe/node?subscriber_id=scheduler-2', {
      token: alice.token,
    });
    const redelivered = await listenFor(api.url, alice.token, again.body.id, 2);
    expect(redelivered[0].sequence_id).toBe(first.sequence_id);
    expect(redelivered[1].data.data).toEqual({ index: 1, tag: 'unacked' });
  });

  it('resume across an API restart, with 5,000 events published while no API ran', async () => {
    const sub = await http(api.url, 'POST', '/subscribe/node?subscriber_id=scheduler-3', {
      token: alice.token,
    });
    await publishNodeEvents(api.ctx.events, alice.username, 'pre-restart', 2);
    const pre = await listenFor(api.url, alice.token, sub.body.id, 2);
    await http(api.url, 'GET', `/listen/${sub.body.id}?wait=0`, { token: alice.token }); // acknowledges pre[1]
    await api.close();

    // Another writer (e.g. a pipeline worker's bus) publishes while the API is down.
    const writer = db.createEventBus({ ...loadSettings({}), ...FAST_EVENTS });
    await publishNodeEvents(writer, alice.username, 'downtime', 5000);
    await writer.close();

    const restarted = await startEventApi({ db });
    const again = await http(restarted.url, 'POST', '/subscribe/node?subscriber_id=scheduler-3', {
      token: alice.token,
    });
    expect(again.body.id).toBe(sub.body.id);
    const resumed = await listenFor(restarted.url, alice.token, again.body.id, 5000);
    expectInOrderExactlyOnce(resumed, 'downtime', 5000);
    expect(resumed[0].sequence_id).toBeGreaterThan(pre[1].sequence_id);
  }, 300_000);
});
