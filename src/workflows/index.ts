// Every workflow the pipeline worker registers. Only deterministic code may be reachable from here.
export * from './health';
export * from './checkout';
export * from './job';
export * from './trigger';
