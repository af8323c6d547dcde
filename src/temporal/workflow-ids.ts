// Readable, deterministic workflow ids: the same revision or job can never start twice.

export function checkoutWorkflowId(tree: string, branch: string, commit: string): string {
  return `checkout:${tree}:${branch}:${commit.slice(0, 12)}`;
}

export function jobWorkflowId(parentNodeId: string, job: string, platform: string): string {
  return `job:${parentNodeId}:${job}:${platform}`;
}

export const TRIGGER_SCHEDULE_ID = 'maestro-trigger';

/** The long-lived trigger loop's workflow id. */
export const TRIGGER_LOOP_ID = 'maestro-trigger-loop';
