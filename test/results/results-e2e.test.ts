// Acceptance on the real stack (API, Temporal, PostgreSQL, git, storage, a shell lab worker, an SMTP server
// and a KCIDB receiver): three revisions of a test tree where one test goes pass → fail → pass. The
// regression node, its mail, the closing reports, the fix, and each tree's KCIDB report (validated by
// kcidb-io, accepted exactly once, also when the results step runs again).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/db/nodes/types';
import { startRevision } from '../../src/workflows/pipeline/client';
import { treeResultsWorkflow } from '../../src/workflows/results/tree-results';
import { treeResultsWorkflowId } from '../../src/workflows/results/run';
import { ensureCliBuilt, json, kciRunner } from '../cli/kci';
import { expectReplayable, testEnv } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import { basicConfig, startPipelineStack, treeNodes, type PipelineStack } from '../support/pipeline-stack';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp';
import { kcidbValidate, startKcidbReceiver, type KcidbReceiver } from './support';

// The test tree's smoke test, with `smoke.hello` reading its result from a file in the tree.
const RUN_TESTS = `#!/bin/sh
test -s "$KCI_INPUT_DIR/kernel_image" || { echo "no kernel image" >&2; exit 1; }
hello=$(cat HELLO_RESULT 2>/dev/null || echo pass)
echo "smoke.hello: $hello"
cat > "$KCI_RESULTS" <<JSON
{"tests": [
  {"name": "boot", "result": "pass"},
  {"name": "smoke", "tests": [{"name": "hello", "result": "$hello"}, {"name": "optional", "result": "skip"}]}
]}
JSON
`;

const RECIPIENTS = ['maintainer@example.org', 'Kernel List <kernel@example.org>'];

describe('results: regressions, mail and KCIDB across real revisions', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  let tree: string;
  let smtp: SmtpReceiver;
  let kcidb: KcidbReceiver;
  const revisions: { commit: string; checkout: Node; workflowId: string }[] = [];
  const handles: WorkflowHandle[] = [];

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    kcidb = await startKcidbReceiver();
    process.env.MAESTRO_SMTP_URL = smtp.url;
    process.env.MAESTRO_MAIL_FROM = 'Maestro <maestro@example.org>';
    process.env.MAESTRO_KCIDB_URL = kcidb.url;
    process.env.MAESTRO_KCIDB_TOKEN = kcidb.token;
    tree = `r${Date.now().toString(36)}`;
    const repoDir = path.join(testEnv().tmpDir, `repo-${tree}`);
    repo = await createKernelRepo(repoDir);
    await fs.writeFile(path.join(repoDir, 'tools', 'testing', 'run-tests.sh'), RUN_TESTS, { mode: 0o755 });
    stack = await startPipelineStack(
      (ctx) =>
        basicConfig(ctx, { [tree]: `file://${repoDir}` }) +
        `results:
  kcidb:
    origin: maestro_test
  regressions:
    flaky_window: 5
  report:
    temporal_ui_url: http://127.0.0.1:8233
    recipients:
      ${tree}: ${JSON.stringify(RECIPIENTS)}
`,
    );
    await stack.startLabInProcess();
  });

  async function revision(hello: 'pass' | 'fail', message: string) {
    await fs.writeFile(path.join(repo.dir, 'HELLO_RESULT'), `${hello}\n`);
    const commit = await repo.commit(message);
    const { workflowId } = await startRevision(
      stack.client,
      { tree, branch: 'master', url: `file://${repo.dir}`, commit },
      stack.taskQueue,
    );
    const handle = stack.client.workflow.getHandle(workflowId);
    const result = await handle.result();
    handles.push(handle, stack.client.workflow.getHandle(treeResultsWorkflowId(workflowId)));
    const checkout = await stack.reader.getNode(result.nodeId);
    revisions.push({ commit, checkout, workflowId });
    return { checkout, workflowId, nodes: await treeNodes(stack.reader, checkout.id) };
  }

  const hello = (nodes: Node[]) =>
    nodes.find((n) => n.kind === 'test' && n.path.join('.').endsWith('smoke.hello'))!;
  const reportOf = (checkoutId: string) =>
    smtp.mails.filter((m) => m.headers['message-id'] === `<tree-report.${checkoutId}@maestro>`);
  const regressions = () => stack.reader.findNodes({ kind: 'regression', 'data.kernel_revision.tree': tree });

  it(
    'revision 1 (all pass): a closing report, no regression, its KCIDB report accepted once',
    { timeout: 240_000 },
    async () => {
      const { checkout, nodes } = await revision('pass', 'mm: fix a leak');
      expect(hello(nodes).result).toBe('pass');
      expect((await regressions()).total).toBe(0);
      const [report, ...more] = reportOf(checkout.id);
      expect(more).toEqual([]);
      expect(report.to.sort()).toEqual(['kernel@example.org', 'maintainer@example.org']);
      expect(report.subject).toContain(`[maestro] ${tree}/master v6.9-rc1-`);
      expect(report.text).toContain('New regressions (0):');
      expect(report.html).toContain('<h3>New regressions (0)</h3>');
    },
  );

  it(
    'revision 2 (smoke.hello fails): a regression node and event, its mail, the report, KCIDB once',
    { timeout: 240_000 },
    async () => {
      const { checkout, workflowId, nodes } = await revision('fail', 'drivers: break hello');
      const failing = hello(nodes);
      expect(failing.result).toBe('fail');
      const found = await regressions();
      expect(found.total).toBe(1);
      const regression = found.items[0];
      expect(regression).toMatchObject({
        kind: 'regression',
        name: 'hello',
        state: 'done',
        result: 'fail',
        parent: failing.id,
        data: {
          fail_node: failing.id,
          pass_node: hello(await treeNodes(stack.reader, revisions[0].checkout.id)).id,
          test_path: 'kbuild-x86.selftest.smoke.hello',
          platform: 'qemu-x86',
          arch: 'x86_64',
          kernel_revision: { tree, branch: 'master', commit: revisions[1].commit },
          last_pass_kernel_revision: { commit: revisions[0].commit },
        },
      });
      const events = (await (
        await fetch(`${stack.api.url}/latest/events?node_id=${regression.id}`)
      ).json()) as
        { data: { op: string; kind: string } }[] | { items: { data: { op: string; kind: string } }[] };
      const list = Array.isArray(events) ? events : events.items;
      expect(list.map((e) => `${e.data.op} ${e.data.kind}`)).toContain('created regression');

      const mails = smtp.mails.filter(
        (m) => m.headers['message-id'] === `<regression.${regression.id}@maestro>`,
      );
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail.subject).toBe(
        `[maestro] regression in ${tree}/master ${String((checkout.data.kernel_revision as { describe: string }).describe)}: kbuild-x86.selftest.smoke.hello on qemu-x86`,
      );
      expect(mail.text).toContain(`${stack.api.url}/latest/node/${failing.id}`);
      expect(mail.text).toMatch(/Log +http:\/\/127\.0\.0\.1:\d+\/selftest-/);
      expect(mail.html).toContain(`href="${stack.api.url}/latest/node/${regression.id}"`);

      const [report] = reportOf(checkout.id);
      expect(report.subject).toContain('1 new regressions');
      expect(report.text).toMatch(
        /New regressions \(1\):\n {2}kbuild-x86\.selftest\.smoke\.hello on qemu-x86 {2}http:\/\/\S+\/node\/[0-9a-f]{24}\n/,
      );
      expect(report.text).toContain(
        `Workflow: http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
      );
      expect(report.text).toMatch(/test kbuild-x86\.selftest\.smoke\.hello on qemu-x86: fail\n {4}log: http/);
      console.log(`[example] regression mail\nSubject: ${mail.subject}\n\n${mail.text}`);
      console.log(`[example] closing report\nSubject: ${report.subject}\n\n${report.text}`);
    },
  );

  it(
    'every node of both revisions reached KCIDB exactly once in reports kcidb-io accepts, restarts included',
    { timeout: 120_000 },
    async () => {
      for (const r of kcidb.accepted) expect(await kcidbValidate(r)).toBeNull();
      const counts = kcidb.acceptedIds();
      for (const { checkout } of revisions)
        for (const n of await treeNodes(stack.reader, checkout.id)) {
          if (n.kind === 'regression') continue;
          expect(counts.get(`maestro_test:${n.id}`), `${n.kind} ${n.path.join('.')}`).toBe(1);
          expect(n.processed_by_kcidb_bridge).toBe(true);
        }
      // The results step of revision 2 once more (an operator's reset, a replayed start): nothing is sent.
      const before = { mails: smtp.mails.length, reports: kcidb.accepted.length };
      const again = await stack.client.workflow.execute(treeResultsWorkflow, {
        taskQueue: stack.taskQueue,
        workflowId: `${treeResultsWorkflowId(revisions[1].workflowId)}:again`,
        args: [{ checkoutId: revisions[1].checkout.id, checkoutWorkflowId: revisions[1].workflowId }],
      });
      expect(again).toMatchObject({ report: { sent: false, reason: 'already sent' }, regressionMails: 0 });
      expect(again.kcidb.objects).toBe(0);
      expect({ mails: smtp.mails.length, reports: kcidb.accepted.length }).toEqual(before);
      expect((await regressions()).total).toBe(1);
    },
  );

  it(
    'revision 3 (smoke.hello passes again): the regression is marked fixed; kci lists it',
    { timeout: 240_000 },
    async () => {
      ensureCliBuilt();
      const kci = kciRunner({ KCI_API_URL: `${stack.api.url}/latest` });
      const active = json<Node[]>(await kci(['regression', 'list', '--tree', tree, '--active', '--json']));
      expect(active).toHaveLength(1);

      const { checkout, nodes } = await revision('pass', 'drivers: fix hello');
      const found = await regressions();
      expect(found.total).toBe(1);
      expect(found.items[0]).toMatchObject({ result: 'pass', data: { fixed_node: hello(nodes).id } });
      const [report] = reportOf(checkout.id);
      expect(report.text).toMatch(
        /Fixed regressions \(1\):\n {2}kbuild-x86\.selftest\.smoke\.hello on qemu-x86 {2}http/,
      );
      expect(json<Node[]>(await kci(['regression', 'list', '--tree', tree, '--active', '--json']))).toEqual(
        [],
      );
      const table = await kci(['regression', 'list', '--tree', tree]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/fixed +kbuild-x86\.selftest\.smoke\.hello +qemu-x86/);
    },
  );

  it('the checkout and results histories replay deterministically', async () => {
    expect(handles).toHaveLength(6);
    await expectReplayable(handles);
  });
});
