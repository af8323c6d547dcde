// The checkout workflow's hook into the results step: one call once the tree is final.
import { executeChild, log, patched, workflowInfo } from '@temporalio/workflow';
import { treeResultsWorkflow } from './tree-results';

/** Patch id of the checkout workflow's results step (histories recorded before it replay without it). */
export const TREE_RESULTS_PATCH = 'tree-results';

export function treeResultsWorkflowId(checkoutWorkflowId: string): string {
  return `results:${checkoutWorkflowId}`;
}

/**
 * Called by the checkout workflow when the tree is final. A results failure is logged, never turned into
 * a failed revision: the tree's own result is already recorded.
 */
export async function runTreeResults(checkoutId: string): Promise<void> {
  if (!patched(TREE_RESULTS_PATCH)) return;
  const checkoutWorkflowId = workflowInfo().workflowId;
  try {
    await executeChild(treeResultsWorkflow, {
      workflowId: treeResultsWorkflowId(checkoutWorkflowId),
      args: [{ checkoutId, checkoutWorkflowId }],
    });
  } catch (err) {
    log.error('results of the tree failed', { nodeId: checkoutId, error: (err as Error).message });
  }
}
