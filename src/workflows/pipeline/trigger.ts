// Run by the trigger Schedule (and by `kci pipeline trigger`): new heads start checkout workflows.
import type { TriggerInput, TriggerResult } from './types';
import { triggerStep } from './activities';

export async function triggerWorkflow(input: TriggerInput = {}): Promise<TriggerResult> {
  return triggerStep.checkHeadsAndStart(input);
}
