// Every workflow the pipeline worker registers. Only deterministic code may be reachable from here.
export * from './health';
export * from './pipeline/checkout';
export * from './pipeline/job';
export * from './pipeline/trigger';
export { treeResultsWorkflow } from './results/tree-results';
