// Mail activities: the closing report of a tree and one short mail per new regression, each sent once
// (see deliveries.ts) to the tree's recipients over the one SMTP transport.
import { log } from '@temporalio/activity';
import { recipientsFor } from '../../config/results';
import type { Node } from '../../db/nodes/types';
import { createMailer } from '../../mail/transport';
import type { MailOutcome, RegressionRef, RegressionSummary } from '../../workflows/results/types';
import type { ResultsDeps } from './deps';
import {
  regressionMail,
  treeReportMail,
  type Counts,
  type FailureLine,
  type MailContent,
  type RegressionLine,
} from './mail-content';
import { revisionOf, treeOf } from './tree';

const MAX_FAILURES_LISTED = 30;

function countResults(nodes: Node[]): Counts {
  const c: Counts = { pass: 0, fail: 0, skip: 0, incomplete: 0, total: nodes.length };
  for (const n of nodes) if (n.result) c[n.result]++;
  return c;
}

/** A node's log, or the nearest ancestor's (tests share their job's log). */
function logOf(n: Node, byId: Map<string, Node>): string | undefined {
  for (let cur: Node | undefined = n; cur; cur = cur.parent ? byId.get(cur.parent) : undefined) {
    const a = cur.artifacts;
    const url = a.lava_log ?? a.test_log ?? a.log ?? a.build_log;
    if (url) return url;
  }
  return undefined;
}

export function createMailActivities(deps: ResultsDeps) {
  const nodeUrl = (id: string) => `${deps.config().api.url.replace(/\/+$/, '')}/node/${id}`;
  const temporalUrl = (workflowId: string) => {
    const r = deps.config().results.report;
    return r.temporalUiUrl
      ? `${r.temporalUiUrl}/namespaces/${encodeURIComponent(r.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`
      : undefined;
  };

  /** Sends `content` once under `key`; says why when it sends nothing. */
  async function deliverOnce(
    key: string,
    tree: string,
    messageId: string,
    content: MailContent,
  ): Promise<MailOutcome> {
    if (await deps.deliveries.isSent(key)) return { sent: false, reason: 'already sent' };
    const to = recipientsFor(deps.config().results, tree);
    if (!to.length) return { sent: false, reason: 'no recipients' };
    const settings = deps.settings();
    if (!settings.smtpUrl) {
      log.warn('mail not sent: MAESTRO_SMTP_URL is not set', { key, tree });
      return { sent: false, reason: 'no SMTP server' };
    }
    await deps.deliveries.markSending(key);
    const mailer = createMailer(settings.smtpUrl, settings.mailFrom);
    try {
      const info = await mailer.send({ to, messageId, ...content });
      await deps.deliveries.markSent(key, { messageId: info.messageId, accepted: info.accepted });
      log.info('mail sent', { key, tree, recipients: to.length, subject: content.subject });
      return { sent: true, recipients: to };
    } finally {
      mailer.close();
    }
  }

  return {
    async sendTreeReport(input: {
      checkoutId: string;
      checkoutWorkflowId: string;
      regressions: RegressionSummary;
    }): Promise<MailOutcome> {
      const nodes = await treeOf(deps.store, input.checkoutId);
      const checkout = nodes.find((n) => n.id === input.checkoutId);
      if (!checkout) return { sent: false, reason: 'no checkout node' };
      const byId = new Map(nodes.map((n) => [n.id, n]));
      // Regression nodes hang from the failing test: they do not make it a summary.
      const parents = new Set(nodes.filter((n) => n.kind !== 'regression').map((n) => n.parent));
      const builds = nodes.filter((n) => n.kind === 'kbuild');
      const tests = nodes.filter((n) => n.kind === 'test' && !parents.has(n.id));
      const failed = nodes.filter(
        (n) =>
          (n.kind === 'kbuild' || n.kind === 'job' || (n.kind === 'test' && !parents.has(n.id))) &&
          (n.result === 'fail' || n.result === 'incomplete'),
      );
      const failures: FailureLine[] = failed.slice(0, MAX_FAILURES_LISTED).map((n) => ({
        kind: n.kind,
        path: n.path.slice(1).join('.'),
        platform:
          typeof n.data.platform === 'string' && n.data.platform !== 'none' ? n.data.platform : undefined,
        result: n.result!,
        errorCode: typeof n.data.error_code === 'string' ? n.data.error_code : undefined,
        logUrl: logOf(n, byId),
      }));
      const line = (r: RegressionRef): RegressionLine => ({
        path: r.testPath,
        platform: r.platform,
        nodeUrl: nodeUrl(r.id),
      });
      const content = treeReportMail({
        revision: revisionOf(checkout),
        result: checkout.result ?? 'unknown',
        builds: countResults(builds),
        tests: countResults(tests),
        failures,
        moreFailures: failed.length - failures.length,
        newRegressions: input.regressions.newRegressions.map(line),
        fixedRegressions: input.regressions.fixed.map(line),
        flaky: input.regressions.flaky.map(line),
        checkoutUrl: nodeUrl(checkout.id),
        temporalUrl: temporalUrl(input.checkoutWorkflowId),
      });
      return deliverOnce(
        `tree-report:${checkout.id}`,
        revisionOf(checkout).tree,
        `<tree-report.${checkout.id}@maestro>`,
        content,
      );
    },

    async sendRegressionMail(input: {
      regressionId: string;
      checkoutWorkflowId: string;
    }): Promise<MailOutcome> {
      const regression = await deps.store.get(input.regressionId);
      if (!regression) return { sent: false, reason: 'no regression node' };
      const d = regression.data as Record<string, unknown>;
      const fail = await deps.store.get(String(d.fail_node));
      // The failing test's log is its own or its job's (one or two levels up).
      const chain = new Map<string, Node>();
      for (let cur = fail; cur && chain.size < 8; cur = cur.parent ? await deps.store.get(cur.parent) : null)
        chain.set(cur.id, cur);
      const rev = d.kernel_revision as ReturnType<typeof revisionOf>;
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const content = regressionMail({
        revision: rev,
        lastPass: d.last_pass_kernel_revision as ReturnType<typeof revisionOf>,
        path: String(d.test_path),
        platform: str(d.platform),
        arch: str(d.arch),
        defconfig: str(d.defconfig),
        compiler: str(d.compiler),
        errorCode: str(d.error_code),
        errorMsg: str(d.error_msg),
        regressionUrl: nodeUrl(regression.id),
        failUrl: nodeUrl(String(d.fail_node)),
        passUrl: nodeUrl(String(d.pass_node)),
        logUrl: fail ? logOf(fail, chain) : undefined,
        temporalUrl: temporalUrl(input.checkoutWorkflowId),
      });
      return deliverOnce(
        `regression:${regression.id}`,
        rev.tree,
        `<regression.${regression.id}@maestro>`,
        content,
      );
    },
  };
}
