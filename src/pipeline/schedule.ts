// The trigger Schedule: created at pipeline-worker start, or updated in place when it exists, so any
// number of workers (or restarts) converge on one schedule with the configured interval.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { PIPELINE_TASK_QUEUE } from '../temporal/task-queues';
import { TRIGGER_SCHEDULE_ID } from '../temporal/workflow-ids';

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
    workflowType: 'triggerWorkflow',
    workflowId: `trigger:${scheduleId}`,
    taskQueue,
    args: [{}],
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
