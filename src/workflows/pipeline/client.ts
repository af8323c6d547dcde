// Everything that starts or schedules pipeline work from outside a workflow: the trigger Schedule, a
// trigger run now (`kci pipeline trigger`) and a known revision started directly. Not part of the
// workflow bundle: only workers, the CLI and tests import it.
import { randomUUID } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { searchAttributePairs } from '../../temporal/search-attribute-keys';
import { PIPELINE_TASK_QUEUE } from '../../temporal/task-queues';
import { checkoutWorkflowId, TRIGGER_LOOP_ID, TRIGGER_SCHEDULE_ID } from '../../temporal/workflow-ids';
import { checkoutWorkflow } from './checkout';
import { setTriggerIntervalSignal, triggerLoopWorkflow, triggerWorkflow } from './trigger';
import type { Revision, TriggerInput, TriggerResult } from './types';

export interface TriggerNowOptions {
  tree?: string;
  branch?: string;
  taskQueue?: string;
}

/** Runs the trigger workflow on the pipeline worker and waits for its answer. */
export async function triggerNow(client: Client, opts: TriggerNowOptions = {}): Promise<TriggerResult> {
  return client.workflow.execute(triggerWorkflow, {
    taskQueue: opts.taskQueue ?? PIPELINE_TASK_QUEUE,
    workflowId: `trigger:manual:${randomUUID()}`,
    args: [{ ...(opts.tree ? { tree: opts.tree } : {}), ...(opts.branch ? { branch: opts.branch } : {}) }],
    workflowExecutionTimeout: '15 minutes',
  });
}

/** Starts the checkout workflow of a known revision directly (operators, tests); never twice. */
export async function startRevision(
  client: Client,
  rev: Revision,
  taskQueue = PIPELINE_TASK_QUEUE,
): Promise<{ workflowId: string; started: boolean }> {
  const workflowId = checkoutWorkflowId(rev.tree, rev.branch, rev.commit);
  try {
    await client.workflow.start(checkoutWorkflow, {
      taskQueue,
      workflowId,
      args: [rev],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: searchAttributePairs({
        tree: rev.tree,
        branch: rev.branch,
        commit: rev.commit,
        nodeKind: 'checkout',
      }),
      memo: { url: rev.url },
      // The Temporal UI's one-line summary; the workflow adds `git describe` to its details once known.
      staticSummary: revisionSummary(rev),
      staticDetails: `Revision ${rev.commit} of ${rev.url}, branch ${rev.branch}`,
    });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

/** "mainline/master 1a2b3c4d5e6f": the line the Temporal UI shows for a revision's workflows. */
export function revisionSummary(rev: { tree: string; branch: string; commit: string }): string {
  return `${rev.tree}/${rev.branch} ${rev.commit.slice(0, 12)}`;
}

/**
 * The long-lived trigger loop (one workflow, continued as new): started when missing, told the
 * configured interval when running. Any number of pipeline workers (or restarts) converge on one loop.
 * A trigger Schedule left by an older version is deleted so the two do not both poll.
 */
export async function ensureTriggerLoop(
  client: Client,
  opts: { intervalMs: number; taskQueue?: string; workflowId?: string; checksPerRun?: number },
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = opts.workflowId ?? TRIGGER_LOOP_ID;
  const handle = await client.workflow.signalWithStart(triggerLoopWorkflow, {
    workflowId,
    taskQueue: opts.taskQueue ?? PIPELINE_TASK_QUEUE,
    args: [
      { intervalMs: opts.intervalMs, ...(opts.checksPerRun ? { checksPerRun: opts.checksPerRun } : {}) },
    ],
    signal: setTriggerIntervalSignal,
    signalArgs: [opts.intervalMs],
    staticSummary: 'Trigger: polls every configured tree/branch for new heads',
  });
  if (!opts.workflowId) {
    await client.schedule
      .getHandle(TRIGGER_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
  }
  return { workflowId, runId: handle.signaledRunId };
}

// The trigger Schedule (the former periodic trigger, kept for deployments that prefer one run per
// interval): created, or updated in place when it exists, so any
// number of workers (or restarts) converge on one schedule with the configured interval.
export interface TriggerScheduleOptions {
  intervalMs: number;
  taskQueue?: string;
  scheduleId?: string;
}

export async function ensureTriggerSchedule(
  client: Client,
  opts: TriggerScheduleOptions,
): Promise<'created' | 'updated'> {
  const scheduleId = opts.scheduleId ?? TRIGGER_SCHEDULE_ID;
  const taskQueue = opts.taskQueue ?? PIPELINE_TASK_QUEUE;
  const spec = { intervals: [{ every: opts.intervalMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: triggerWorkflow,
    workflowId: `trigger:${scheduleId}`,
    taskQueue,
    args: [{}] as [TriggerInput],
    workflowExecutionTimeout: '30 minutes',
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // Two triggers never run at once; a late one is skipped, the next interval catches up.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((prev) => ({
    ...prev,
    spec,
    action,
    policies: { ...prev.policies, overlap: ScheduleOverlapPolicy.SKIP },
    state: { ...prev.state, paused: false },
  }));
  return 'updated';
}
