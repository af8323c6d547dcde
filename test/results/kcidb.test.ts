// The KCIDB bridge on the real stack: reports built from stored nodes validate with kcidb-io (schema
// v5.3), go to an HTTP receiver that answers like KCIDB's REST daemon, in batches, retried, and every node
// is accepted exactly once, also when a batch fails half-way and when the step runs again.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Node, NodeStore } from '../../src/db/nodes/types';
import { kcidbStatus, reportItems, toReport } from '../../src/kcidb/report';
import { loadSettings } from '../../src/settings';
import { createPipelineDeps } from '../../src/workers/pipeline-deps';
import { treeResultsWorkflow } from '../../src/workflows/results/tree-results';
import type { TreeResultsOutcome } from '../../src/workflows/results/types';
import { kciRunner, ensureCliBuilt, json } from '../cli/kci';
import { basicConfig, startPipelineStack, type PipelineStack } from '../support/pipeline-stack';
import { uniqueSuffix } from '../support/harness';
import { kcidbValidate, startKcidbReceiver, type KcidbReceiver } from './support';

const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

describe('KCIDB bridge (real Temporal, PostgreSQL, kcidb-io and an HTTP receiver)', () => {
  let stack: PipelineStack;
  let receiver: KcidbReceiver;
  let store: NodeStore;
  let actor: Actor;

  beforeAll(async () => {
    receiver = await startKcidbReceiver();
    process.env.MAESTRO_KCIDB_URL = receiver.url;
    process.env.MAESTRO_KCIDB_TOKEN = receiver.token;
    stack = await startPipelineStack(
      (ctx) =>
        basicConfig(ctx, { mainline: 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git' }) +
        'results:\n  kcidb:\n    origin: maestro_test\n    batch_size: 100\n',
    );
    const deps = await createPipelineDeps({
      storage: stack.api.db,
      settings: loadSettings({}),
      config: stack.config,
      dataDir: stack.dir,
      storageToken: stack.storageToken,
    });
    store = deps.deps.store;
    actor = deps.deps.actor;
  });

  /** checkout → kbuild → job (fail) → tests; a job on the checkout itself (kunit) → one test. */
  async function makeTree(
    tests: number,
    commit = COMMIT,
  ): Promise<{ checkout: Node; all: () => Promise<Node[]> }> {
    const done = { state: 'done' as const };
    const checkout = await store.create(actor, {
      kind: 'checkout',
      name: 'checkout',
      ...done,
      result: 'pass',
      artifacts: { tarball: 'http://storage.example/linux.tar.gz' },
      data: {
        kernel_revision: {
          tree: 'mainline',
          branch: 'master',
          url: 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git',
          commit,
          describe: 'v6.9-rc1-12-ga1b2c3d4e5f6',
        },
      },
    });
    const kbuild = await store.create(actor, {
      kind: 'kbuild',
      name: 'kbuild-x86',
      parent: checkout.id,
      ...done,
      result: 'pass',
      artifacts: {
        build_log: 'http://storage.example/kbuild/build.log',
        config: 'http://storage.example/kbuild/.config',
        kernel_image: 'http://storage.example/kbuild/bzImage',
      },
      data: {
        arch: 'x86_64',
        defconfig: 'defconfig',
        compiler: 'gcc-12',
        platform: 'none',
        runtime: stack.runtime,
      },
    });
    const job = await store.create(actor, {
      kind: 'job',
      name: 'selftest',
      parent: kbuild.id,
      ...done,
      result: 'fail',
      artifacts: { log: 'http://storage.example/job/log.txt' },
      data: { platform: 'qemu-x86', runtime: stack.runtime, arch: 'x86_64', defconfig: 'defconfig' },
    });
    const results = ['pass', 'fail', 'skip', 'incomplete'] as const;
    await store.submitHierarchy(actor, job.id, {
      node: {},
      child_nodes: Array.from({ length: tests }, (_, i) => ({
        node: {
          kind: 'test' as const,
          name: `case_${i}`,
          ...done,
          result: results[i % 4],
          data: {
            platform: 'qemu-x86',
            ...(i % 4 === 3 ? { error_code: i % 8 === 3 ? 'node_timeout' : 'Infrastructure' } : {}),
          },
        },
        child_nodes: [],
      })),
    });
    const kunit = await store.create(actor, {
      kind: 'job',
      name: 'kunit',
      parent: checkout.id,
      ...done,
      result: 'pass',
      data: { platform: 'none', runtime: stack.runtime },
    });
    await store.create(actor, {
      kind: 'test',
      name: 'kunit.example',
      parent: kunit.id,
      ...done,
      result: 'pass',
    });
    const all = async () => {
      const out: Node[] = [];
      for await (const n of stack.reader.iterateNodes({ treeid: checkout.id })) out.push(n);
      return out;
    };
    return { checkout, all };
  }

  const runResults = (checkoutId: string, suffix = uniqueSuffix()) =>
    stack.client.workflow.execute(treeResultsWorkflow, {
      taskQueue: stack.taskQueue,
      workflowId: `results-test:${checkoutId}:${suffix}`,
      args: [{ checkoutId, checkoutWorkflowId: `checkout:test:${checkoutId}` }],
    }) as Promise<TreeResultsOutcome>;

  it('maps nodes as KernelCI does and the report validates with kcidb-io', async () => {
    const { checkout, all } = await makeTree(8);
    const nodes = await all();
    const report = toReport(
      reportItems(nodes, { origin: 'maestro_test', platforms: stack.config.platforms }),
    );
    expect(await kcidbValidate(report)).toBeNull();
    expect(report.version).toEqual({ major: 5, minor: 3 });
    expect(report.checkouts).toEqual([
      expect.objectContaining({
        id: `maestro_test:${checkout.id}`,
        origin: 'maestro_test',
        tree_name: 'mainline',
        git_commit_hash: COMMIT,
        git_commit_name: 'v6.9-rc1-12-ga1b2c3d4e5f6',
        git_repository_branch: 'master',
        valid: true,
      }),
    ]);
    // The kbuild, and a placeholder build for the job that hangs from the checkout itself.
    expect(report.builds!.map((b) => b.id)).toEqual([
      `maestro_test:${nodes.find((n) => n.kind === 'kbuild')!.id}`,
      `maestro_test:dummy_${checkout.id}`,
    ]);
    expect(report.builds![0]).toMatchObject({
      status: 'PASS',
      architecture: 'x86_64',
      config_name: 'defconfig',
      compiler: 'gcc-12',
      log_url: 'http://storage.example/kbuild/build.log',
      config_url: 'http://storage.example/kbuild/.config',
      output_files: [{ name: 'kernel_image', url: 'http://storage.example/kbuild/bzImage' }],
    });
    const byPath = new Map(report.tests!.map((t) => [t.path, t]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        'selftest',
        ...Array.from({ length: 8 }, (_, i) => `selftest.case_${i}`),
        'kunit',
        'kunit.kunit_example',
      ].sort(),
    );
    expect(
      Array.from({ length: 8 }, (_, i) => (byPath.get(`selftest.case_${i}`) as { status: string }).status),
    ).toEqual(['PASS', 'FAIL', 'SKIP', 'ERROR', 'PASS', 'FAIL', 'SKIP', 'MISS']);
    expect(byPath.get('selftest.case_1')).toMatchObject({
      log_url: 'http://storage.example/job/log.txt',
      environment: { comment: `Runtime: ${stack.runtime}`, misc: { platform: 'qemu-x86', arch: 'x86_64' } },
    });
    expect(byPath.get('kunit.kunit_example')).toMatchObject({
      build_id: `maestro_test:dummy_${checkout.id}`,
    });
    expect(kcidbStatus({ result: 'incomplete', data: { error_code: 'submit_error' } })).toBe('MISS');

    // kci prints the same report.
    ensureCliBuilt();
    const kci = kciRunner({ KCI_API_URL: `${stack.api.url}/latest` });
    const exported = json(await kci(['kcidb', 'export', '--checkout', checkout.id, '-c', stack.configFile]));
    expect(exported).toEqual(JSON.parse(JSON.stringify(report)));
    const bad = await kci(['kcidb', 'export', '--checkout', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--checkout: "nope" is not a node id');
  });

  it(
    'submits a tree once: a failed batch is retried, accepted batches are not resent, a rerun sends nothing',
    { timeout: 300_000 },
    async () => {
      const { checkout, all } = await makeTree(250, 'b'.repeat(40));
      const before = receiver.accepted.length;
      receiver.failNext(1, 503, before + 1); // the second batch fails once
      const first = await runResults(checkout.id);
      // The outcome is the last attempt's: what was left after the first accepted batch.
      expect(first.kcidb).toMatchObject({ objects: 156, batches: 2 });
      const reports = receiver.accepted.slice(before);
      expect(reports).toHaveLength(3);
      expect(receiver.answered.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
      for (const r of reports) expect(await kcidbValidate(r)).toBeNull();
      const nodes = await all();
      const counts = receiver.acceptedIds();
      for (const n of nodes) expect(counts.get(`maestro_test:${n.id}`), `${n.kind} ${n.name}`).toBe(1);
      expect(nodes.every((n) => n.processed_by_kcidb_bridge)).toBe(true);

      // The step again (a reset, a restarted worker): nothing is left to send.
      const again = await runResults(checkout.id);
      expect(again.kcidb).toMatchObject({ objects: 0, batches: 0 });
      expect(receiver.accepted.length).toBe(before + 3);
    },
  );

  it('a tree of 1,000 tests: time to build, submit and mark every node', { timeout: 300_000 }, async () => {
    const { checkout } = await makeTree(1000, 'c'.repeat(40));
    const before = receiver.accepted.length;
    const t0 = Date.now();
    const outcome = await runResults(checkout.id);
    const wall = Date.now() - t0;
    expect(outcome.kcidb.objects).toBe(1006);
    const reports = receiver.accepted.slice(before);
    expect(reports.reduce((n, r) => n + (r.tests?.length ?? 0), 0)).toBe(1003);
    for (const r of reports) expect(await kcidbValidate(r)).toBeNull();
    console.log(
      `[measure] KCIDB bridge, 1,000-test tree (1,006 objects, ${outcome.kcidb.batches} batches): ` +
        `${outcome.kcidb.ms} ms in the activity (read ${outcome.kcidb.readMs} ms, KCIDB ${outcome.kcidb.submitMs} ms, ` +
        `marking ${outcome.kcidb.markMs} ms), ${wall} ms for the whole results workflow`,
    );
  });
});
