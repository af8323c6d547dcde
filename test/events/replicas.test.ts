// Several API processes on one database: every subscriber receives every event whichever process
// published it and whichever it polls, on both backends. PostgreSQL: a transaction that drew its
// sequence number first but commits later is never skipped. MongoDB: a sequence gap is waited for, and
// a dead writer's number is voided after the gap wait so nobody stalls.
import { ObjectId, type Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/db/postgres/event-log';
import type { postgresStorage } from '../../src/db/postgres';
import type { Storage } from '../../src/db/storage';
import { attributes } from '../../src/events/cloudevent';
import { EVENTS_COLLECTION } from '../../src/events/collections';
import { createTestUser, type TestApi, type TestUser } from '../support/api';
import { openTestDatabase } from '../support/harness';
import { http, isKeepAlive, listenFor, startEventApi } from './support';

describe.each(['postgres', 'mongodb'] as const)('several API processes (%s)', (backend) => {
  let db: Storage;
  let mongoDb: Db | undefined;
  let a: TestApi;
  let b: TestApi;
  let alice: TestUser;

  beforeAll(async () => {
    ({ db, mongoDb } = await openTestDatabase(undefined, backend));
    a = await startEventApi({ db });
    b = await startEventApi({ db });
    alice = await createTestUser(a);
  });

  it('subscribers on either process receive every event published on either, in the same order', async () => {
    const onA = await http(a.url, 'POST', '/subscribe/fleet', { token: alice.token });
    const onB = await http(b.url, 'POST', '/subscribe/fleet', { token: alice.token });
    const published = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        http(i % 2 ? b.url : a.url, 'POST', '/publish/fleet', { token: alice.token, json: { data: { i } } }),
      ),
    );
    expect(published.every((p) => p.status === 200)).toBe(true);
    const [gotA, gotB] = await Promise.all([
      listenFor(a.url, alice.token, onA.body.id, 40),
      listenFor(b.url, alice.token, onB.body.id, 40),
    ]);
    const seqA = gotA.map((e) => e.sequence_id);
    expect(seqA).toEqual(gotB.map((e) => e.sequence_id));
    expect([...seqA].sort((x, y) => x - y)).toEqual(seqA);
    expect(new Set(gotA.map((e) => e.data.i)).size).toBe(40);
    expect(new Set(seqA)).toEqual(new Set(published.map((p) => p.body.sequence_id)));
  });

  it('a subscription can be polled through either process (state is in the database)', async () => {
    const sub = await http(a.url, 'POST', '/subscribe/roaming', { token: alice.token });
    for (let i = 0; i < 6; i++)
      await http(i % 2 ? a.url : b.url, 'POST', '/publish/roaming', {
        token: alice.token,
        json: { data: i },
      });
    const got = [];
    for (let i = 0; i < 6; i++)
      got.push(...(await listenFor(i % 2 ? a.url : b.url, alice.token, sub.body.id, 1)));
    expect(got.map((e) => e.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.runIf(backend === 'postgres')(
    'a write that drew its number first and commits last is delivered before the later ones',
    async () => {
      const sub = await http(b.url, 'POST', '/subscribe/late', { token: alice.token });
      const pool = (db as ReturnType<typeof postgresStorage>).pool;
      const slow = await pool.connect();
      try {
        await slow.query('BEGIN');
        const [held] = await appendEvents(slow, [
          { channel: 'late', owner: null, data: 'slow', ce: attributes('test'), dedupe_key: 'late:slow' },
        ]);
        // A second writer on another process: it must wait, it cannot commit a later number first.
        const fast = http(a.url, 'POST', '/publish/late', { token: alice.token, json: { data: 'fast' } });
        await new Promise((r) => setTimeout(r, 400));
        const early = await http(b.url, 'GET', `/listen/${sub.body.id}?wait=0.2`, { token: alice.token });
        expect(isKeepAlive(early.body)).toBe(true);
        await slow.query('COMMIT');
        const got = await listenFor(b.url, alice.token, sub.body.id, 2);
        expect(got.map((e) => e.data)).toEqual(['slow', 'fast']);
        expect(got[0].sequence_id).toBe(held.seq);
        expect((await fast).body.sequence_id).toBeGreaterThan(held.seq);
      } finally {
        slow.release();
      }
    },
  );

  it.runIf(backend === 'mongodb')(
    'waits for a number still being written, and voids one whose writer died',
    async () => {
      const db = mongoDb!;
      const sequencer = (
        a.ctx.events.backend as unknown as { sequencerForTests?: { observe(n: number): void } }
      ).sequencerForTests!;
      const sub = await http(b.url, 'POST', '/subscribe/gaps', { token: alice.token });
      const first = await http(a.url, 'POST', '/publish/gaps', {
        token: alice.token,
        json: { data: 'first' },
      });
      const dead = first.body.sequence_id + 1; // claimed by a writer that dies before inserting
      // The writer of `dead` died: nobody ever inserts it. Another process claims the next number.
      sequencer.observe(dead);
      const after = await http(a.url, 'POST', '/publish/gaps', {
        token: alice.token,
        json: { data: 'after the gap' },
      });
      expect(after.body.sequence_id).toBe(dead + 1);
      const started = Date.now();
      const got = await listenFor(b.url, alice.token, sub.body.id, 2);
      expect(got.map((e) => e.data)).toEqual(['first', 'after the gap']);
      // Not skipped at once: the gap wait (1.5 s in these tests) passed first.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      const filler = await db.collection(EVENTS_COLLECTION).findOne({ sequence_id: dead });
      expect(filler).toMatchObject({ void: true });
      // A writer that arrives after its number was voided collides and is given a new number.
      await expect(
        db
          .collection(EVENTS_COLLECTION)
          .insertOne({ _id: new ObjectId(), sequence_id: dead, dedupe_key: 'late' }),
      ).rejects.toThrow();
    },
  );
});
