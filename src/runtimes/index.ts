import type { RuntimeType } from '../config/types';
import { UnsupportedRuntime, type JobRuntime } from './runtime';
import { LavaRuntime } from './lava/runtime';
import { ShellRuntime } from './shell';

export * from './runtime';
export * from './shell';
export * from './test-summary';

/** The adapter for a runtime type. Docker and Kubernetes share the interface. */
export function createRuntime(type: RuntimeType): JobRuntime {
  if (type === 'shell') return new ShellRuntime();
  if (type === 'lava') return new LavaRuntime();
  return new UnsupportedRuntime(type);
}
