// What the results activities (regressions, mail, KCIDB) need. Built from the pipeline's own deps; the
// mail and KCIDB settings are read when a step runs, so the worker needs no restart to pick them up.
import type { DeliveryLog } from '../../mail/deliveries';
import type { PipelineDeps } from '../pipeline/deps';
import { loadSettings, type Settings } from '../../settings';

export type ResultsSettings = Pick<Settings, 'smtpUrl' | 'mailFrom' | 'kcidbUrl' | 'kcidbToken'>;

export interface ResultsDeps extends PipelineDeps {
  deliveries: DeliveryLog;
  settings: () => ResultsSettings;
}

export function resultsDeps(
  deliveries: DeliveryLog,
  pipeline: PipelineDeps,
  settings: () => ResultsSettings = () => loadSettings(),
): ResultsDeps {
  return { ...pipeline, deliveries, settings };
}
