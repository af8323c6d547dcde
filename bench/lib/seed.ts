// Realistic node documents in the store's stored shape (src/db/nodes/document.ts), generated as whole
// trees: checkout → 10 kbuilds → 5 jobs each → 40 tests each (2,061 nodes per revision), as upstream.
import { randomBytes } from 'node:crypto';
import { ObjectId, type Db } from 'mongodb';
import type { NodeDocument } from '../../src/db/nodes/document';

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

/** Inserts revision trees until the collection holds at least `target` generated nodes. Returns the time taken. */
export async function seedNodes(
  db: Db,
  target: number,
  startSeq: number,
  onProgress?: (n: number) => void,
): Promise<{ inserted: number; ms: number; nextSeq: number }> {
  const nodes = db.collection<NodeDocument>('nodes');
  const base = Date.UTC(2026, 0, 1);
  const start = performance.now();
  let inserted = 0;
  let seq = startSeq;
  let lastReport = 0;
  while (inserted < target) {
    const batch = revisionTree(seq++, base);
    await nodes.insertMany(batch, { ordered: false });
    inserted += batch.length;
    if (onProgress && inserted - lastReport >= 50_000) {
      lastReport = inserted;
      onProgress(inserted);
    }
  }
  return { inserted, ms: performance.now() - start, nextSeq: seq };
}
