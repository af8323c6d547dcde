// Regression tracking when a tree closes. Each finished leaf test is compared with the same test (same
// path below the checkout, so the same build config and job, and the same platform) on the previous
// revisions of the tree and branch: pass → fail raises a `regression` node (KernelCI's shape: `data.
// fail_node`, `data.pass_node`, build fields, failing revision), a later pass marks it fixed, and a test
// whose result keeps changing within the window is reported as flaky instead.
import { log } from '@temporalio/activity';
import type { Node, NodeResult } from '../../db/nodes/types';
import { deriveNodeId } from '../pipeline/node-ids';
import type { ResultsDeps } from './deps';
import { earlierCheckouts, findAll, revisionOf, treeOf } from './tree';
import type { RegressionRef, RegressionSummary } from '../../workflows/results/types';

/** The test's identity across revisions: its path below the checkout and its platform. */
export function testKey(n: Node): string {
  return `${n.path.slice(1).join('/')}@${String(n.data.platform ?? '')}`;
}

/** Finished pass/fail leaf tests (a test with test children is a summary of them). */
export function leafResults(tests: Node[]): Map<string, Node> {
  const parents = new Set(tests.map((t) => t.parent));
  const out = new Map<string, Node>();
  for (const t of tests)
    if (!parents.has(t.id) && t.state === 'done' && (t.result === 'pass' || t.result === 'fail'))
      out.set(testKey(t), t);
  return out;
}

/** Changes between consecutive results, newest first. */
export function resultChanges(results: NodeResult[]): number {
  let changes = 0;
  for (let i = 1; i < results.length; i++) if (results[i] !== results[i - 1]) changes++;
  return changes;
}

const ref = (n: Node, key: string): RegressionRef => ({
  id: n.id,
  name: n.name,
  testKey: key,
  testPath: n.path.slice(1).join('.'),
  platform: typeof n.data.platform === 'string' ? n.data.platform : undefined,
});

export function createRegressionActivities(deps: ResultsDeps) {
  return {
    /** Idempotent: regression ids derive from the failing node, fixes are plain updates. */
    async detectRegressions(input: { checkoutId: string }): Promise<RegressionSummary> {
      const { regressions: rules } = deps.config().results;
      const checkout = await deps.store.get(input.checkoutId);
      if (!checkout) return { newRegressions: [], fixed: [], flaky: [] };
      const rev = revisionOf(checkout);
      const current = leafResults(await treeOf(deps.store, checkout.id, 'test'));
      // Older revisions, newest first, each as key → leaf test.
      const history: { checkout: Node; tests: Map<string, Node> }[] = [];
      for (const c of await earlierCheckouts(deps.store, checkout, rules.flakyWindow))
        history.push({ checkout: c, tests: leafResults(await treeOf(deps.store, c.id, 'test')) });
      const active = new Map<string, Node>();
      for (const r of await findAll(deps.store, {
        kind: 'regression',
        result: 'fail',
        'data.kernel_revision.tree': rev.tree,
        'data.kernel_revision.branch': rev.branch,
      }))
        active.set(String(r.data.test_key), r);

      const summary: RegressionSummary = { newRegressions: [], fixed: [], flaky: [] };
      for (const [key, test] of current) {
        const past = history.filter((h) => h.tests.has(key));
        const previous = past[0]?.tests.get(key);
        if (test.result === 'pass') {
          const open = active.get(key);
          if (open && open.parent !== test.id) {
            await deps.store.update(deps.actor, open.id, {
              state: 'done',
              result: 'pass',
              data: { fixed_node: test.id, fixed_kernel_revision: rev },
            });
            summary.fixed.push({ ...ref(open, key), testPath: String(open.data.test_path) });
          }
          continue;
        }
        if (previous?.result !== 'pass') continue;
        const results = [test.result!, ...past.map((h) => h.tests.get(key)!.result!)];
        if (resultChanges(results) >= rules.flakyChanges) {
          summary.flaky.push(ref(test, key));
          continue;
        }
        const pastCheckout = past[0].checkout;
        const d = test.data;
        const regression = await deps.store.create(
          deps.actor,
          {
            kind: 'regression',
            name: test.name,
            parent: test.id,
            group: test.group,
            state: 'done',
            result: 'fail',
            data: {
              fail_node: test.id,
              pass_node: previous.id,
              test_key: key,
              test_path: test.path.slice(1).join('.'),
              arch: d.arch,
              defconfig: d.defconfig,
              config_full: d.config_full,
              compiler: d.compiler,
              platform: d.platform,
              device: d.device,
              runtime: d.runtime,
              error_code: d.error_code,
              error_msg: d.error_msg,
              kernel_revision: rev,
              failed_kernel_version: rev,
              last_pass_kernel_revision: revisionOf(pastCheckout),
            },
          },
          { id: deriveNodeId(`regression:${test.id}`, 'regression') },
        );
        summary.newRegressions.push({ ...ref(test, key), id: regression.id });
      }
      log.info('regressions detected', {
        nodeId: checkout.id,
        tree: rev.tree,
        new: summary.newRegressions.length,
        fixed: summary.fixed.length,
        flaky: summary.flaky.length,
      });
      return summary;
    },
  };
}
