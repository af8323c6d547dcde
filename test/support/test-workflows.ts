// Bundle entry for tests: every production workflow plus the fixtures that exercise the plumbing.
export * from '../../src/workflows';
export * from './fixture-workflows';
