/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked field by field */
// GET /events (history filters, paging, recursive) and GET /events/stream (SSE, resumable).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/db/nodes/types';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { http, startEventApi } from './support';

interface SseEvent {
  id: string;
  data: any;
}

/** Reads `count` SSE events from the stream, then disconnects. */
async function readStream(
  url: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<SseEvent[]> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const out: SseEvent[] = [];
  let buffer = '';
  try {
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0 && out.length < count) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
        );
        if (fields.data) out.push({ id: fields.id, data: JSON.parse(fields.data) });
      }
    }
  } finally {
    abort.abort();
  }
  return out;
}

describe('event history and stream', () => {
  let api: TestApi;
  let alice: TestUser;
  let bob: TestUser;
  let actor: Actor;

  beforeAll(async () => {
    api = await startEventApi();
    alice = await createTestUser(api);
    bob = await createTestUser(api);
    actor = { id: alice.id, username: alice.username, groups: [], isSuperuser: false };
  });

  it('GET /events filters by node fields, channel, owner, time and ids, in sequence order, with paging', async () => {
    const store = api.ctx.nodes;
    const checkout = await store.create(actor, {
      kind: 'checkout',
      name: 'checkout',
      data: {
        kernel_revision: {
          tree: 'next',
          url: 'https://git.example/linux.git',
          branch: 'master',
          commit: 'b'.repeat(40),
        },
      },
    });
    const build = await store.create(actor, {
      kind: 'kbuild',
      name: 'kbuild-gcc-12-arm64',
      parent: checkout.id,
      data: { arch: 'arm64' },
    });
    await store.update(actor, build.id, { state: 'done', result: 'fail' });
    const midway = new Date().toISOString();
    await http(api.url, 'POST', '/publish/misc', {
      token: bob.token,
      json: { data: { note: 'not a node' } },
    });

    const all = await http(api.url, 'GET', '/events');
    expect(all.status).toBe(200);
    const seqs = all.body.map((e: { sequence_id: number }) => e.sequence_id);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(all.body[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      sequence_id: expect.any(Number),
      channel: 'node',
      timestamp: expect.any(String),
      owner: alice.username,
      data: expect.objectContaining({ op: 'created', id: checkout.id }),
    });

    const kbuild = await http(api.url, 'GET', '/events?kind=kbuild');
    expect(kbuild.body.map((e: any) => e.data.op)).toEqual(['created', 'updated']);
    const failed = await http(api.url, 'GET', '/events?kind=kbuild&result=fail&op=updated&state=done');
    expect(failed.body).toHaveLength(1);
    expect(failed.body[0].data).toMatchObject({ id: build.id, previous_state: 'running' });
    expect((await http(api.url, 'GET', `/events?node_id=${checkout.id}`)).body).toHaveLength(1);
    expect((await http(api.url, 'GET', '/events?name=kbuild-gcc-12-arm64&op=created')).body).toHaveLength(1);
    expect((await http(api.url, 'GET', '/events?path=checkout,kbuild-gcc-12-arm64')).body).toHaveLength(2);
    expect((await http(api.url, 'GET', '/events?channel=misc')).body.map((e: any) => e.owner)).toEqual([
      bob.username,
    ]);
    expect((await http(api.url, 'GET', `/events?owner=${bob.username}`)).body).toHaveLength(1);
    const late = await http(api.url, 'GET', `/events?from=${encodeURIComponent(midway)}`);
    expect(late.body.map((e: any) => e.channel)).toEqual(['misc']);
    const byIds = await http(api.url, 'GET', `/events?ids=${all.body[0].id},${all.body[2].id}`);
    expect(byIds.body.map((e: any) => e.id)).toEqual([all.body[0].id, all.body[2].id]);
    const page = await http(api.url, 'GET', '/events?limit=2&offset=1');
    expect(page.body.map((e: any) => e.sequence_id)).toEqual(seqs.slice(1, 3));
    const recursive = await http(api.url, 'GET', `/events?node_id=${build.id}&recursive=true`);
    expect(recursive.body[0].node).toMatchObject({ id: build.id, state: 'done', result: 'fail' });

    expect((await http(api.url, 'GET', '/events?limit=5000')).status).toBe(400);
    const unknown = await http(api.url, 'GET', '/events?colour=red');
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/colour/);
    expect((await http(api.url, 'GET', '/events?node_id=$where')).status).toBe(400);
  });

  it('the SSE stream sends new events and resumes after Last-Event-ID without loss or repeats', async () => {
    const streamUrl = `${api.url}/latest/events/stream?channel=sse`;
    const reading = readStream(streamUrl, 3);
    await new Promise((r) => setTimeout(r, 300)); // the stream starts at "now"
    for (let i = 0; i < 6; i++)
      await http(api.url, 'POST', '/publish/sse', { token: alice.token, json: { data: { i } } });
    const firstPart = await reading;
    expect(firstPart.map((e) => e.data.data.i)).toEqual([0, 1, 2]);
    expect(firstPart[0].data).toMatchObject({ specversion: '1.0', owner: alice.username });

    const resumed = await readStream(streamUrl, 3, { 'last-event-id': firstPart[2].id });
    expect(resumed.map((e) => e.data.data.i)).toEqual([3, 4, 5]);
    expect(Number(resumed[0].id)).toBeGreaterThan(Number(firstPart[2].id));

    const fromStart = await readStream(`${streamUrl}&from=${firstPart[1].id}`, 2);
    expect(fromStart.map((e) => e.data.data.i)).toEqual([1, 2]);
  });
});
