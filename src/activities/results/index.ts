import type { ResultsDeps } from './deps';
import { createKcidbActivities } from './kcidb';
import { createMailActivities } from './mail';
import { createRegressionActivities } from './regressions';

export { resultsDeps, type ResultsDeps, type ResultsSettings } from './deps';

export function createResultsActivities(deps: ResultsDeps) {
  return {
    ...createRegressionActivities(deps),
    ...createMailActivities(deps),
    ...createKcidbActivities(deps),
  };
}

export type ResultsActivities = ReturnType<typeof createResultsActivities>;
