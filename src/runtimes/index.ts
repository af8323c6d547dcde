export * from './docker';
export * from './runtime';
export * from './shell';
export * from './table';
export * from './test-summary';
export * from './workspace';
