// One workflow per kernel revision (SPEC §5): checkout node → tarball → jobs → holdoff → closing → done,
// with the tree's timeout as a workflow timer racing all of it.
import {
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Revision } from './types';
import { SEARCH_ATTRIBUTE_KEYS } from '../../temporal/search-attribute-keys';
import { msUntil, steps, tarballSteps } from './activities';
import type { CheckoutWorkflowResult } from './types';
import { startJobs } from './job';
import { runTreeResults } from '../results/run';

export async function checkoutWorkflow(rev: Revision): Promise<CheckoutWorkflowResult> {
  const info = await steps.createCheckoutNode(rev);
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.nodeId, value: info.nodeId }]);
  const nodeId = info.nodeId;
  let jobs = 0;

  const work = new CancellationScope();
  const timer = new CancellationScope();
  const finished = work.run(async () => {
    let tarball;
    try {
      tarball = await tarballSteps(info.runtime.heartbeatTimeoutMs).makeTarball({ nodeId, revision: rev });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const cause = (err as { cause?: Error }).cause ?? (err as Error);
      await steps.setNodeState({
        nodeId,
        state: 'done',
        result: 'fail',
        data: { error_code: 'git_checkout_failure', error_msg: cause.message },
      });
      return 'fail' as const;
    }
    // What the Temporal UI shows under the summary: the revision as `git describe` names it.
    setCurrentDetails(`${rev.tree}/${rev.branch} ${tarball.describe ?? rev.commit.slice(0, 12)}`);
    const revision = {
      tree: rev.tree,
      branch: rev.branch,
      commit: rev.commit,
      ...(tarball.version ? { version: tarball.version } : {}),
    };
    const specs = await steps.planJobs({
      event: { kind: 'checkout', name: 'checkout', state: 'available' },
      tree: rev.tree,
      branch: rev.branch,
      version: tarball.version,
    });
    const running = await startJobs(specs, {
      parentId: nodeId,
      revision,
      tarballUrl: tarball.tarballUrl,
      inputArtifacts: {},
      inherited: {},
      runtime: info.runtime,
    });
    jobs = running.count;
    await sleep(msUntil(tarball.holdoffUntilMs));
    if (!running.finished()) await steps.setNodeState({ nodeId, state: 'closing' });
    await running.all;
    await steps.setNodeState({ nodeId, state: 'done', result: 'pass' });
    return 'done' as const;
  });
  const expired = timer.run(() => sleep(msUntil(info.deadlineMs))).then(() => 'timeout' as const);

  const winner = await Promise.race([finished, expired]);
  if (winner === 'timeout') {
    work.cancel();
    await finished.catch(() => undefined);
    await steps.timeoutSubtree({ rootId: nodeId });
  } else {
    timer.cancel();
    await expired.catch(() => undefined);
  }
  await runTreeResults(nodeId);
  const result = winner === 'fail' ? 'fail' : winner === 'timeout' ? 'incomplete' : 'pass';
  log.info('checkout closed', {
    nodeId,
    tree: rev.tree,
    branch: rev.branch,
    commit: rev.commit,
    result,
    jobs,
  });
  return { nodeId, result, timedOut: winner === 'timeout', jobs };
}
