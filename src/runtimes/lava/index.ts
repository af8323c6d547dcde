export * from './client';
export * from './lab';
export * from './registry';
export * from './results';
export * from './runtime';
export * from './settings';
export * from './templates';
