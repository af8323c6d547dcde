import { proxyActivities } from '@temporalio/workflow';
import type { HealthActivities, HealthProbeResult } from '../activities/health';

const { recordHealthProbe } = proxyActivities<HealthActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5 },
});

export interface HealthCheckInput {
  probeId: string;
}

/** Round trip through the pipeline worker and the database; `npm start` waits on it before "ready". */
export async function healthCheckWorkflow(input: HealthCheckInput): Promise<HealthProbeResult> {
  return recordHealthProbe(input.probeId);
}
