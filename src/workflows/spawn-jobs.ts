// Starts one child job workflow per planned job and waits for them all.
import { ParentClosePolicy, ChildWorkflowCancellationType, startChild } from '@temporalio/workflow';
import type { JobSpec } from '../config/scheduler';
import { searchAttributePairs } from '../temporal/search-attribute-keys';
import { jobWorkflowId } from '../temporal/workflow-ids';
import { steps } from './pipeline-activities';
import type { JobWorkflowInput, JobWorkflowResult } from './pipeline-types';

export interface RunningJobs {
  count: number;
  /** Resolves when every child has closed (whatever its outcome). */
  all: Promise<void>;
  /** True once `all` resolved. */
  finished(): boolean;
}

export async function startJobs(
  specs: JobSpec[],
  base: Omit<JobWorkflowInput, 'job' | 'node'>,
  workflowType: string,
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
      startChild<(input: JobWorkflowInput) => Promise<JobWorkflowResult>>(workflowType, {
        workflowId: jobWorkflowId(base.parentId, job.name, job.platform),
        args: [{ ...base, job, node: nodes[i] }],
        // A cancelled tree must not wait for its jobs' cleanup; the timeout activity marks their nodes.
        cancellationType: ChildWorkflowCancellationType.TRY_CANCEL,
        // Cancel (not terminate) jobs left running when the tree closes, so they cancel their runtime
        // activity and the lab stops the command instead of leaving it running.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
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
