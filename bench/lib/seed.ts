// Realistic node documents in the store's stored shape (src/db/nodes/document.ts), generated as whole
// trees: checkout → 10 kbuilds → 5 jobs each → 40 tests each (2,061 nodes per revision), as upstream.
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type pg from 'pg';
import type { NodeDocument } from '../../src/db/nodes/document';
import { NODE_COLUMNS_SQL, NODE_WRITE_COLUMNS, nodeParams } from '../../src/db/postgres/node-rows';

const TREES = [
  'mainline',
  'next',
  'stable',
  'stable-rc',
  'android',
  'chromiumos',
  'broonie-misc',
  'kernelci',
  'cip',
  'arm64',
];
const BRANCHES = ['master', 'linux-6.6.y', 'linux-6.1.y', 'for-next', 'android-mainline'];
const ARCHES = ['x86_64', 'arm64', 'arm', 'riscv'];
const DEFCONFIGS = ['defconfig', 'multi_v7_defconfig', 'allmodconfig', 'tinyconfig', 'x86_64_defconfig'];
const PLATFORMS = [
  'qemu-x86',
  'bcm2711-rpi-4-b',
  'meson-g12b-a311d-khadas-vim3',
  'hp-x360-12b-ca0010nr-n4020-octopus',
  'imx8mp-evk',
  'kubernetes',
];
const RESULTS = ['pass', 'pass', 'pass', 'pass', 'fail', 'skip'] as const;
export const OWNERS = ['admin', 'lab-collabora', 'lab-baylibre', 'lab-broonie', 'pipeline'];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];

export const NODES_PER_TREE = 1 + 10 + 10 * 5 + 10 * 5 * 40;

/** One revision's node tree; `seq` makes it unique and spreads it over trees/platforms. */
export function revisionTree(seq: number, baseTime: number): NodeDocument[] {
  const docs: NodeDocument[] = [];
  const tree = pick(TREES, seq);
  const branch = pick(BRANCHES, seq >> 1);
  const commit = randomBytes(20).toString('hex');
  const created = new Date(baseTime + seq * 60_000);
  const kernelRevision = {
    tree,
    url: `https://git.kernel.org/pub/scm/linux/kernel/git/${tree}/linux.git`,
    branch,
    commit,
    describe: `v6.${seq % 20}-rc${seq % 8}-${seq}-g${commit.slice(0, 12)}`,
    version: { version: 6, patchlevel: seq % 20, sublevel: null, extra: `-rc${seq % 8}`, name: null },
  };
  const node = (
    kind: NodeDocument['kind'],
    name: string,
    parent: NodeDocument | null,
    data: Record<string, unknown>,
    i: number,
  ): NodeDocument => {
    const doc: NodeDocument = {
      _id: new ObjectId(),
      _rev: 1,
      kind,
      name,
      path: parent ? [...parent.path, name] : ['checkout'],
      group: kind === 'test' ? (parent?.name ?? null) : name,
      parent: parent ? parent._id : null,
      state: 'done',
      result: kind === 'checkout' ? 'pass' : pick(RESULTS, seq + i),
      artifacts: kind === 'test' ? {} : { log: `https://storage.example.org/${name}-${seq}/log.txt` },
      data: { kernel_revision: kernelRevision, ...data },
      debug: null,
      jobfilter: null,
      platform_filter: null,
      created,
      updated: new Date(created.getTime() + 3_600_000),
      timeout: new Date(created.getTime() + 6 * 3_600_000),
      holdoff: kind === 'checkout' || kind === 'kbuild' ? new Date(created.getTime() + 600_000) : null,
      owner: pick(OWNERS, seq + i),
      submitter: `service:pipeline`,
      treeid: `${seq}`,
      user_groups: [],
      retry_counter: 0,
      processed_by_kcidb_bridge: i % 3 === 0,
    };
    docs.push(doc);
    return doc;
  };
  const checkout = node('checkout', 'checkout', null, {}, 0);
  let i = 1;
  for (let b = 0; b < 10; b++) {
    const arch = pick(ARCHES, b);
    const defconfig = pick(DEFCONFIGS, b + seq);
    const build = { arch, defconfig, compiler: 'gcc-12', config_full: `${defconfig}+${arch}`, fragments: [] };
    const kbuild = node(
      'kbuild',
      `kbuild-gcc-12-${arch}-${b}`,
      checkout,
      { ...build, platform: 'kubernetes', runtime: 'k8s-gke-eu-west4' },
      i++,
    );
    for (let j = 0; j < 5; j++) {
      const platform = pick(PLATFORMS, j + b);
      const jobData = {
        ...build,
        platform,
        device: `${platform}-cbg-${j}`,
        runtime: `lava-${pick(OWNERS, j)}`,
        job_id: `${seq}${b}${j}`,
      };
      const job = node('job', `baseline-${platform}`, kbuild, jobData, i++);
      for (let t = 0; t < 40; t++) node('test', `test-case-${t}`, job, jobData, i++);
    }
  }
  return docs;
}

const JSONB_COLUMNS = new Set(['artifacts', 'data', 'debug', 'jobfilter', 'platform_filter']);
const COLUMN_NAMES = NODE_WRITE_COLUMNS.map((c) => c.replace(/"/g, ''));

/** A node as the JSON object `json_populate_recordset` reads: one key per column. */
function recordOf(d: NodeDocument): Record<string, unknown> {
  const values = nodeParams(d);
  return Object.fromEntries(
    COLUMN_NAMES.map((c, i) => {
      const v = values[i];
      return [c, JSONB_COLUMNS.has(c) && typeof v === 'string' ? JSON.parse(v) : v];
    }),
  );
}

/** One statement per revision tree: the whole tree as one JSON parameter (a bulk insert, no per-row trip). */
export async function insertBulk(pool: pg.Pool, docs: NodeDocument[]): Promise<void> {
  await pool.query(
    `INSERT INTO nodes (${NODE_COLUMNS_SQL})
     SELECT ${NODE_COLUMNS_SQL} FROM json_populate_recordset(NULL::nodes, $1::json)`,
    [JSON.stringify(docs.map(recordOf))],
  );
}

/** Inserts revision trees (`concurrency` statements in flight) until `target` nodes are added. */
export async function seedNodes(
  pool: pg.Pool,
  target: number,
  startSeq: number,
  concurrency = 2,
): Promise<{ inserted: number; ms: number; nextSeq: number }> {
  const base = Date.UTC(2026, 0, 1);
  const start = performance.now();
  let inserted = 0;
  let seq = startSeq;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (inserted < target) {
        const batch = revisionTree(seq++, base);
        inserted += batch.length;
        await insertBulk(pool, batch);
      }
    }),
  );
  return { inserted, ms: performance.now() - start, nextSeq: seq };
}
