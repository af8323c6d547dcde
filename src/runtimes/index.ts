import type { RuntimeType } from '../config/types';
import { UnsupportedRuntime, type JobRuntime } from './runtime';
import { ShellRuntime } from './shell';

export * from './runtime';
export * from './shell';
export * from './test-summary';

/** The adapter for a runtime type. Docker, Kubernetes and LAVA share the interface; only shell runs today. */
export function createRuntime(type: RuntimeType): JobRuntime {
  if (type === 'shell') return new ShellRuntime();
  return new UnsupportedRuntime(type);
}
