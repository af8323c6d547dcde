import { createHash } from 'node:crypto';

/**
 * A node id (24 hex, a valid ObjectId) derived from the workflow id and a step name: a retried activity
 * or a replayed workflow always writes the same node, never a duplicate.
 */
export function deriveNodeId(workflowId: string, step: string): string {
  return createHash('sha256').update(`${workflowId}\n${step}`).digest('hex').slice(0, 24);
}
