export * from './duration';
export * from './forecast';
export * from './load';
export * from './rules';
export * from './scheduler';
export * from './types';
