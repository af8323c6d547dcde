// Every runtime type in the configuration maps to its implementation here. The mapped type makes a
// runtime type without an entry a compile error; config validation only accepts the same types.
import type { JobSpec } from '../config/scheduler';
import type { RuntimeFieldsByType, RuntimeType } from '../config/types';
import { DockerRuntime } from './docker';
import { KubernetesRuntime } from './kubernetes/index';
import { LavaRuntime } from './lava/runtime';
import type { JobRuntime } from './runtime';
import { ShellRuntime } from './shell';

/** What the lab host decides, not the pipeline configuration: where its engines are. */
export interface LabRuntimeOptions {
  /** docker: engine address (unix:///…sock or tcp://host:port); unset = DOCKER_HOST or the default socket. */
  dockerHost?: string;
  /** kubernetes: kubeconfig file; unset = KUBECONFIG, ~/.kube/config or in-cluster credentials. */
  kubeconfig?: string;
}

type RuntimeFactory<T extends RuntimeType> = (
  fields: RuntimeFieldsByType[T],
  lab: LabRuntimeOptions,
) => JobRuntime;

export const RUNTIMES: { [T in RuntimeType]: RuntimeFactory<T> } = {
  shell: () => new ShellRuntime(),
  docker: (fields, lab) => new DockerRuntime(fields, { dockerHost: lab.dockerHost }),
  kubernetes: (fields, lab) => new KubernetesRuntime(fields, { kubeconfig: lab.kubeconfig }),
  // The lab worker's LAVA lab (callback receiver) holds the runtime's settings.
  lava: () => new LavaRuntime(),
};

/** The adapter for a job's runtime type, with the runtime's validated fields from the job spec. */
export function createRuntime(
  job: Pick<JobSpec, 'runtimeType' | 'runtimeParams'>,
  lab: LabRuntimeOptions = {},
): JobRuntime {
  const factory = RUNTIMES[job.runtimeType] as RuntimeFactory<RuntimeType> | undefined;
  // A job planned by a newer pipeline than this lab worker.
  if (!factory) throw new Error(`runtime type "${job.runtimeType}" is not implemented by this lab worker`);
  return factory((job.runtimeParams ?? {}) as RuntimeFieldsByType[RuntimeType], lab);
}
