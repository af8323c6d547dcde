// kci event commands, run as the built binary against a real API over HTTP.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, startTestApi, type TestApi } from '../support/api';
import { uniqueSuffix } from '../support/harness';
import { ensureCliBuilt, json, jsonLines, kciRunner, type Kci } from './kci';

describe('kci event', () => {
  let api: TestApi;
  let kci: Kci;

  beforeAll(async () => {
    ensureCliBuilt();
    api = await startTestApi();
    const user = await createTestUser(api);
    kci = kciRunner({ KCI_API_URL: `${api.url}/latest`, KCI_API_TOKEN: user.token });
  });

  it('subscribe → send → receive → unsubscribe', async () => {
    const channel = `chat-${uniqueSuffix()}`;
    const sub = await kci(['event', 'subscribe', channel]);
    expect(sub.stderr).toBe('');
    const subId = sub.stdout.trim();
    expect(subId).toMatch(/^\d+$/);

    const sent = await kci([
      'event',
      'send',
      kci.file('hello.json', { msg: 'hello', n: 1 }),
      channel,
      '--type',
      'greeting',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(new RegExp(`^sent to ${channel} \\(sequence id \\d+\\)\\n$`));
    // A full envelope is sent as is.
    await kci(['event', 'send', '-', channel], {
      input: JSON.stringify({ data: { msg: 'second' }, source: 'kci-test' }),
    });

    const first = await kci(['event', 'receive', subId, '--wait', '10']);
    expect(first.stderr).toBe('');
    const ev = JSON.parse(first.stdout);
    expect(ev).toMatchObject({ specversion: '1.0', type: 'greeting', data: { msg: 'hello', n: 1 } });
    expect(typeof ev.sequence_id).toBe('number');
    const second = json(await kci(['event', 'receive', subId, '--wait', '10']));
    expect(second).toMatchObject({ source: 'kci-test', data: { msg: 'second' } });

    const empty = await kci(['event', 'receive', subId, '--wait', '1']);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toBe(`kci: error: no event on subscription ${subId} within 1s\n`);

    expect((await kci(['event', 'unsubscribe', subId])).stdout).toBe(`unsubscribed ${subId}\n`);
    const gone = await kci(['event', 'receive', subId, '--wait', '1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^kci: error: .*\(HTTP 404\)\n$/);
  });

  it('a durable subscription and follow --from replay history as JSON lines', async () => {
    const channel = `feed-${uniqueSuffix()}`;
    const sub = json(
      await kci(['event', 'subscribe', channel, '--durable', `d-${uniqueSuffix()}`, '--json']),
    );
    expect(sub).toMatchObject({ channel, promiscuous: false });
    expect(sub.subscriber_id).toMatch(/^d-/);

    const seqs: number[] = [];
    for (const n of [1, 2, 3]) {
      const res = await kci(['event', 'send', '-', channel], { input: JSON.stringify({ n }) });
      seqs.push(Number(/sequence id (\d+)/.exec(res.stdout)![1]));
    }
    const followed = await kci(['event', 'follow', channel, '--from', String(seqs[1]), '--count', '2']);
    expect(followed.stderr).toBe('');
    const lines = jsonLines(followed);
    expect(lines.map((l) => l.data)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(lines.map((l) => l.sequence_id)).toEqual([seqs[1], seqs[2]]);

    const history = json(await kci(['event', 'history', `channel=${channel}`, '--json']));
    expect(history.map((e: { data: unknown }) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('queues: open, push, pop (each item once), explicit ack, close', async () => {
    const queue = `jobs-${uniqueSuffix()}`;
    const notOpen = await kci(['event', 'close-queue', queue]);
    expect(notOpen.code).toBe(1);
    expect(notOpen.stderr).toBe(`kci: error: queue: "${queue}" is not open (HTTP 404)\n`);

    expect((await kci(['event', 'open-queue', queue])).stdout).toMatch(
      new RegExp(`^queue ${queue} open \\(shared, 0 items\\)`),
    );
    expect((await kci(['event', 'open-queue', queue, '--private'])).stdout).toMatch(
      new RegExp(`^queue ${queue} open \\(owner user-`),
    );
    const pushed = await kci(['event', 'push', kci.file('job.json', { job: 'baseline' }), queue]);
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toMatch(new RegExp(`^pushed to ${queue} \\(.+\\)\\n$`));
    await kci(['event', 'push', '-', queue], { input: '{"job":"kselftest"}' });
    expect(
      json(await kci(['event', 'queues', '--json'])).find((q: { name: string }) => q.name === queue).size,
    ).toBe(2);

    const popped = json(await kci(['event', 'pop', queue]));
    expect(popped.data).toEqual({ job: 'baseline' });
    expect(popped.receipt).toBeUndefined();

    const reserved = json(await kci(['event', 'pop', queue, '--explicit-ack']));
    expect(reserved.data).toEqual({ job: 'kselftest' });
    expect(reserved.receipt).toMatch(/^[0-9a-f]{24}:\d+$/);
    expect((await kci(['event', 'ack', queue, reserved.receipt])).stdout).toBe(
      `acknowledged ${reserved.receipt}\n`,
    );

    const empty = await kci(['event', 'pop', queue, '--wait', '1']);
    expect(empty.code).toBe(3);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe(`kci: error: queue ${queue} is empty\n`);

    expect((await kci(['event', 'close-queue', queue])).stdout).toBe(
      `queue ${queue} closed (0 items dropped)\n`,
    );
  });

  it('bad input: invalid JSON file and an invalid channel name', async () => {
    const bad = path.join(kci.home, 'bad.json');
    fs.writeFileSync(bad, '{nope');
    const res = await kci(['event', 'send', bad, 'chan']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^kci: error: ${bad} is not valid JSON: `));

    const badChannel = await kci(['event', 'subscribe', 'bad channel!']);
    expect(badChannel.code).toBe(1);
    expect(badChannel.stderr).toMatch(/^kci: error: .*channel.*\(HTTP 400\)\n$/);
  });
});
