// The trigger: new heads of the configured trees/branches start checkout workflows.
// - triggerWorkflow: one check, run on demand (`kci pipeline trigger`) or by a Schedule.
// - triggerLoopWorkflow: the one long-lived poller the pipeline worker keeps running. It checks, sleeps
//   the interval and checks again, continuing as new every so often, so the Temporal UI's workflow list
//   shows one trigger entry instead of a new run per interval. Its current details show the last check.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { TriggerInput, TriggerResult } from './types';
import { triggerStep } from './activities';

export async function triggerWorkflow(input: TriggerInput = {}): Promise<TriggerResult> {
  return triggerStep.checkHeadsAndStart(input);
}

export interface TriggerLoopInput {
  intervalMs: number;
  /** Checks before continuing as new (default 100). */
  checksPerRun?: number;
}

/** Changes the polling interval of the running loop (sent at every pipeline worker start). */
export const setTriggerIntervalSignal = defineSignal<[number]>('setTriggerInterval');
/** Checks now instead of at the end of the current interval. */
export const checkNowSignal = defineSignal('checkNow');

/** Checks per run: each is about a dozen history events, so a run stays far below Temporal's limits. */
const CHECKS_PER_RUN = 100;

export async function triggerLoopWorkflow(input: TriggerLoopInput): Promise<void> {
  let intervalMs = input.intervalMs;
  let wake = false;
  setHandler(setTriggerIntervalSignal, (ms) => {
    if (Number.isFinite(ms) && ms > 0) intervalMs = ms;
    wake = true;
  });
  setHandler(checkNowSignal, () => {
    wake = true;
  });
  const checks = input.checksPerRun ?? CHECKS_PER_RUN;
  for (let i = 0; i < checks && !workflowInfo().continueAsNewSuggested; i++) {
    const r = await triggerStep.checkHeadsAndStart({});
    const at = new Date().toISOString();
    setCurrentDetails(
      `Last check ${at}: ${r.started.length} revision(s) started, ${r.existing.length} already known` +
        (r.errors.length ? `, errors: ${r.errors.join('; ')}` : '') +
        `. Next in ${Math.round(intervalMs / 1000)} s.`,
    );
    wake = false;
    await condition(() => wake, intervalMs);
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof triggerLoopWorkflow>({ ...input, intervalMs });
}
