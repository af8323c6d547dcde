// Measures end-to-end event latency once (a script, not a test): node updates through the real write
// path reach 3 promiscuous subscribers long-polling GET /listen over HTTP. Prints write→receive
// p50/p99/max, sustained events/s, and checks none is lost, duplicated or out of order.
//
//   npx tsc -p tsconfig.build.json && MONGODB_URI=mongodb://127.0.0.1:27017/ node dist/events/bench/latency.js
//   (BENCH_UPDATES=10000 BENCH_WRITERS=8 BENCH_RATE=0 (unpaced) by default)
import { MongoClient } from 'mongodb';
import { createApiContext } from '../../api/context';
import { buildApiServer } from '../../api/server';
import { listenedEvent } from '../../client/api-client';
import type { ListenMessage } from '../../client/types';
import { ensureIndexes } from '../../db/indexes';
import { createNodeStore } from '../../db/nodes/store';
import type { Actor } from '../../db/nodes/types';
import { loadSettings } from '../../settings';

const UPDATES = Number(process.env.BENCH_UPDATES ?? 10_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
/** Writes per second across all writers; 0 = as fast as the write path goes. */
const RATE = Number(process.env.BENCH_RATE ?? 0);
const NODES = 50;
const SUBSCRIBERS = 3;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('set MONGODB_URI');
  const client = await MongoClient.connect(uri);
  const db = client.db(`bench_events_${Date.now()}`);
  await ensureIndexes(db);
  const settings = { ...loadSettings({}), mongodbUri: uri };
  const ctx = await createApiContext(db, settings);
  const app = await buildApiServer({ ctx, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/latest`;

  const password = 'bench-password-1';
  await ctx.users.create({
    username: 'bench',
    email: 'bench@example.org',
    password,
    groups: [],
    is_superuser: false,
    is_verified: true,
  });
  const login = await fetch(`${base}/user/login`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'bench', password }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const auth = { authorization: `Bearer ${token}` };
  const actor: Actor = { id: 'bench', username: 'bench', groups: [], isSuperuser: false };
  const store = createNodeStore(db, ctx.events);

  const checkout = await store.create(actor, {
    kind: 'checkout',
    name: 'checkout',
    data: {
      kernel_revision: {
        tree: 'bench',
        url: 'https://git.example/linux.git',
        branch: 'master',
        commit: 'c'.repeat(40),
      },
    },
  });
  const nodes: { id: string }[] = [];
  for (let i = 0; i < NODES; i++)
    nodes.push(await store.create(actor, { kind: 'test', name: `t${i}`, parent: checkout.id }));

  const subs: number[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const res = await fetch(`${base}/subscribe/node?promisc=true&subscriber_id=bench-${i}`, {
      method: 'POST',
      headers: auth,
    });
    subs.push(((await res.json()) as { id: number }).id);
  }

  const latencies: number[][] = subs.map(() => []);
  const problems: string[] = [];
  let writesDone = false;
  const subscriber = async (k: number) => {
    let lastSeq = 0;
    const seen = new Set<number>();
    while (seen.size < UPDATES) {
      const res = await fetch(`${base}/listen/${subs[k]}?wait=5`, { headers: auth });
      const ce = listenedEvent<{ op: string; data: { bench_i?: number; bench_t?: number } }>(
        (await res.json()) as ListenMessage,
      );
      if (!ce) {
        if (writesDone) break;
        continue;
      }
      const now = Date.now();
      const msg = { sequence_id: ce.sequence_id };
      const i = ce.data.data.bench_i;
      if (ce.data.op !== 'updated' || i === undefined) continue;
      if (msg.sequence_id! <= lastSeq) problems.push(`subscriber ${k}: out of order at ${msg.sequence_id}`);
      lastSeq = msg.sequence_id!;
      if (seen.has(i)) problems.push(`subscriber ${k}: duplicate ${i}`);
      seen.add(i);
      latencies[k].push(now - ce.data.data.bench_t!);
    }
    if (seen.size < UPDATES) problems.push(`subscriber ${k}: received ${seen.size} of ${UPDATES}`);
  };

  const started = Date.now();
  const receiving = Promise.all(subs.map((_, k) => subscriber(k)));
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = next++; i < UPDATES; i = next++) {
        if (RATE) {
          const due = started + (i * 1000) / RATE;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        }
        await store.update(actor, nodes[i % NODES].id, { data: { bench_i: i, bench_t: Date.now() } });
      }
    }),
  );
  const writeSeconds = (Date.now() - started) / 1000;
  writesDone = true;
  await receiving;
  const totalSeconds = (Date.now() - started) / 1000;

  const all = latencies.flat().sort((a, b) => a - b);
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  console.log(
    `events: ${UPDATES} node updates × ${SUBSCRIBERS} subscribers (${WRITERS} concurrent writers, ${RATE ? `paced at ${RATE}/s` : 'unpaced'}), load average ${load}`,
  );
  console.log(
    `write→receive latency: p50 ${percentile(all, 50)} ms, p99 ${percentile(all, 99)} ms, max ${all[all.length - 1]} ms`,
  );
  console.log(
    `sustained: ${(UPDATES / writeSeconds).toFixed(0)} events/s written, ${((UPDATES * SUBSCRIBERS) / totalSeconds).toFixed(0)} deliveries/s`,
  );
  console.log(
    problems.length
      ? `PROBLEMS:\n  ${problems.slice(0, 20).join('\n  ')}`
      : 'none lost, none duplicated, none out of order',
  );
  await store.flush();
  await app.close();
  await db.dropDatabase();
  await client.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
