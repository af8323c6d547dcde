// One workflow per job × platform (SPEC §5): job node → runtime activity on `runtime/<name>` → result.
// A passing kbuild becomes `available`, starts its tests, waits out its holdoff, then closes.
import {
  ActivityCancellationType,
  CancellationScope,
  ChildWorkflowCancellationType,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  sleep,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { JobSpec } from '../../config/scheduler';
import type { LabActivities } from '../../activities/lab/run-job';
import type { NodeResult, NodeState } from '../../db/nodes/types';
import { SEARCH_ATTRIBUTE_KEYS, searchAttributePairs } from '../../temporal/search-attribute-keys';
import { runtimeTaskQueue } from '../../temporal/task-queues';
import { jobWorkflowId } from '../../temporal/workflow-ids';
import { localSteps, msUntil, steps } from './activities';
import { kbuildData } from './kbuild-data';
import type { JobOutcome, JobWorkflowInput, JobWorkflowResult } from './types';

const SCHEDULE_TO_CLOSE_MARGIN_MS = 10_000;

export async function jobWorkflow(input: JobWorkflowInput): Promise<JobWorkflowResult> {
  const { job, revision } = input;
  const info =
    input.node ?? (await steps.createJobNode({ parentId: input.parentId, job, inherited: input.inherited }));
  const nodeId = info.nodeId;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.nodeId, value: nodeId }]);
  if (info.alreadyDone) return { nodeId, state: 'done', result: null, timedOut: false, children: 0 };

  let state: NodeState = 'running';
  let result: NodeResult | null = null;
  let children = 0;

  const work = new CancellationScope();
  const timer = new CancellationScope();
  const finished = work.run(async () => {
    const ran = await runOnRuntime(input, nodeId, info.deadlineMs);
    const fin = await steps.finishJob({ nodeId, kind: job.kind, outcome: ran.outcome });
    ({ state, result } = fin);
    if (job.kind !== 'kbuild') return;
    // What the kbuild's tests need is known here: its build fields and the artifacts its lab returned.
    const build = kbuildData(job);
    const plan = (s: NodeState) =>
      steps.planJobs({
        event: { kind: 'kbuild', name: job.name, state: s, result: fin.result },
        tree: revision.tree,
        branch: revision.branch,
        version: revision.version,
        arch: String(build.arch ?? ''),
        defconfig: String(build.defconfig ?? ''),
      });
    const { node: _own, ...rest } = input;
    const childBase = { ...rest, parentId: nodeId, inputArtifacts: ran.artifacts, inherited: build };
    if (fin.state === 'available') {
      const tests = await startJobs(await plan('available'), childBase);
      children += tests.count;
      await sleep(msUntil(fin.holdoffUntilMs ?? 0));
      if (!tests.finished()) await steps.setNodeState({ nodeId, state: 'closing' });
      await tests.all;
      state = await steps.setNodeState({ nodeId, state: 'done' });
    }
    // Entries waiting for the kbuild to be done (e.g. post-processing) run once it closed.
    const after = await startJobs(await plan('done'), childBase);
    children += after.count;
    await after.all;
  });
  const expired = timer.run(() => sleep(msUntil(info.deadlineMs))).then(() => 'timeout' as const);

  const winner = await Promise.race([finished.then(() => 'finished' as const), expired]);
  if (winner === 'timeout') {
    work.cancel();
    if (patched(TIMEOUT_FIRST_PATCH)) {
      // The nodes close at their deadline, written by a local activity (no activity task through the
      // server), then the cancelled work settles. Measured with 100 timeouts expiring together: applied
      // 0.8–3.0 s late as server-dispatched activities behind each other (bench/RESULTS.md).
      await localSteps.timeoutSubtree({ rootId: nodeId });
      await finished.catch(() => undefined);
    } else {
      await finished.catch(() => undefined);
      await steps.timeoutSubtree({ rootId: nodeId });
    }
    log.warn('job timed out', { nodeId, job: job.name, platform: job.platform, children });
    return { nodeId, state: 'done', result: result ?? 'incomplete', timedOut: true, children };
  }
  timer.cancel();
  await expired.catch(() => undefined);
  log.info('job closed', { nodeId, job: job.name, platform: job.platform, state, result, children });
  return { nodeId, state, result, timedOut: false, children };
}

/** Histories recorded before it closed a timed-out job's nodes by a local activity, before the cleanup. */
export const TIMEOUT_FIRST_PATCH = 'timeout-nodes-local-first';

/** The runtime activity; infrastructure errors retry, and exhausted retries make the job incomplete. */
async function runOnRuntime(
  input: JobWorkflowInput,
  nodeId: string,
  deadlineMs: number,
): Promise<{ outcome: JobOutcome; artifacts: Record<string, string> }> {
  const { job } = input;
  // A LAVA job's activity is completed by the lab's callback receiver (async completion): nothing
  // heartbeats while LAVA runs it, and on a timeout the workflow moves on while the lab cancels it in LAVA.
  const asyncCompleted = job.runtimeType === 'lava';
  const lab = proxyActivities<LabActivities>({
    taskQueue: runtimeTaskQueue(job.runtime),
    // An absent lab must not hang the tree. The node timer (at the deadline) is what closes the job;
    // this bound, a little later, only guarantees the activity itself can never outlive it.
    scheduleToCloseTimeout: msUntil(deadlineMs) + SCHEDULE_TO_CLOSE_MARGIN_MS,
    ...(asyncCompleted
      ? { cancellationType: ActivityCancellationType.TRY_CANCEL }
      : { heartbeatTimeout: input.runtime.heartbeatTimeoutMs }),
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumAttempts: input.runtime.infraAttempts,
      nonRetryableErrorTypes: ['ApiRejected'],
    },
  });
  try {
    const r = await lab.runJob({
      nodeId,
      job,
      tarballUrl: input.tarballUrl,
      inputArtifacts: input.inputArtifacts,
      storagePrefix: `${job.name}-${nodeId}`,
      storage: input.runtime.storage,
      testData: { ...input.inherited, platform: job.platform, runtime: job.runtime },
    });
    return {
      outcome: { status: r.status, result: r.result, errorCode: r.errorCode, errorMsg: r.errorMsg },
      artifacts: r.artifacts,
    };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = (err as { cause?: Error }).cause ?? (err as Error);
    const errorCode = job.kind === 'kbuild' ? 'kbuild_internal_error' : 'Infrastructure';
    return {
      outcome: { status: 'incomplete', result: 'incomplete', errorCode, errorMsg: cause.message },
      artifacts: {},
    };
  }
}

export interface RunningJobs {
  count: number;
  /** Resolves when every child has closed (whatever its outcome). */
  all: Promise<void>;
  /** True once `all` resolved. */
  finished(): boolean;
}

/** Starts one child job workflow per planned job; `all` settles when every child has closed. */
export async function startJobs(
  specs: JobSpec[],
  base: Omit<JobWorkflowInput, 'job' | 'node'>,
): Promise<RunningJobs> {
  if (!specs.length) return { count: 0, all: Promise.resolve(), finished: () => true };
  // All job nodes in one step, so API clients see the whole fan-out at once; each job workflow then
  // finds its node (same derived id) instead of creating it.
  const nodes = await steps.createJobNodes({
    parentId: base.parentId,
    jobs: specs,
    inherited: base.inherited,
  });
  const handles = await Promise.all(
    specs.map((job, i) =>
      startChild(jobWorkflow, {
        workflowId: jobWorkflowId(base.parentId, job.name, job.platform),
        args: [{ ...base, job, node: nodes[i] }],
        // A cancelled tree must not wait for its jobs' cleanup; the timeout activity marks their nodes.
        cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
        // Cancel (not terminate) jobs left running when the tree closes, so they cancel their runtime
        // activity and the lab stops the command instead of leaving it running.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        // The Temporal UI's summary line (user metadata only: replay does not compare it).
        staticSummary: `${job.name} on ${job.platform} · ${base.revision.tree}/${base.revision.branch} ${base.revision.commit.slice(0, 12)}`,
        typedSearchAttributes: searchAttributePairs({
          tree: base.revision.tree,
          branch: base.revision.branch,
          commit: base.revision.commit,
          nodeKind: job.kind === 'kbuild' ? 'kbuild' : 'job',
          job: job.name,
          runtime: job.runtime,
          platform: job.platform,
        }),
      }),
    ),
  );
  let done = false;
  const all = Promise.allSettled(handles.map((h) => h.result())).then(() => {
    done = true;
  });
  return { count: handles.length, all, finished: () => done };
}
