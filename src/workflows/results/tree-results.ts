// What happens once a revision's tree is closed (or timed out): regressions are detected, a mail goes
// out for each new one, the closing report is mailed, and the tree is forwarded to KCIDB. A child of the
// checkout workflow with an id derived from it, so each tree is processed by one execution; every step
// is idempotent on its own (derived regression ids, delivery keys, per-node KCIDB marks).
import { proxyActivities } from '@temporalio/workflow';
import type { ResultsActivities } from '../../activities/results';
import type { TreeResultsInput, TreeResultsOutcome } from './types';

const quick = proxyActivities<ResultsActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Mail servers and KCIDB may be down for a while: keep retrying for about an hour. A big tree's KCIDB
 * step heartbeats per batch; an attempt cut off by the timeout resumes with the batches left.
 */
const delivery = proxyActivities<ResultsActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
});

const MAIL_CONCURRENCY = 8;

export async function treeResultsWorkflow(input: TreeResultsInput): Promise<TreeResultsOutcome> {
  const regressions = await quick.detectRegressions({ checkoutId: input.checkoutId });
  let regressionMails = 0;
  const queue = [...regressions.newRegressions];
  await Promise.all(
    Array.from({ length: Math.min(MAIL_CONCURRENCY, queue.length) }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const sent = await delivery.sendRegressionMail({
          regressionId: r.id,
          checkoutWorkflowId: input.checkoutWorkflowId,
        });
        if (sent.sent) regressionMails++;
      }
    }),
  );
  const report = await delivery.sendTreeReport({ ...input, regressions });
  const kcidb = await delivery.submitToKcidb({ checkoutId: input.checkoutId });
  return { regressions, report, regressionMails, kcidb };
}
