// `kci pipeline trigger`: run the trigger once, now, and report what it started.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Revision, TriggerResult } from '../activities/pipeline/types';
import { PIPELINE_TASK_QUEUE } from '../temporal/task-queues';
import { searchAttributePairs } from '../temporal/search-attribute-keys';
import { checkoutWorkflowId } from '../temporal/workflow-ids';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

export interface TriggerNowOptions {
  tree?: string;
  branch?: string;
  taskQueue?: string;
}

/** Runs the trigger workflow on the pipeline worker and waits for its answer. */
export async function triggerNow(client: Client, opts: TriggerNowOptions = {}): Promise<TriggerResult> {
  return client.workflow.execute('triggerWorkflow', {
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
    await client.workflow.start('checkoutWorkflow', {
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
    });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}
