// The validated, merged pipeline configuration (SPEC §6). Pure types: safe in workflow code.

import type { NodeKind, NodeResult, NodeState } from '../db/nodes/types';
import type { ResultsConfig } from './results';

/** allow/deny lists per dimension; a value starting with `!` denies. */
export type Rules = Partial<Record<RuleDimension, string[]>>;
export const RULE_DIMENSIONS = ['tree', 'branch', 'arch', 'defconfig', 'version'] as const;
export type RuleDimension = (typeof RULE_DIMENSIONS)[number];

export interface TreeConfig {
  url: string;
}

export interface BuildConfig {
  tree: string;
  branch: string;
  /** Only kbuilds for these architectures run; unset = all. */
  architectures?: string[];
  frequency?: string;
  priority?: number;
}

export const JOB_KINDS = ['kbuild', 'job', 'test'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobConfig {
  kind: JobKind;
  /** Shell command run in the unpacked source tree (shell runtime); see README "Configuration files". */
  command: string;
  /** Runtime-specific template name (docker image, LAVA job template…); unused by the shell runtime. */
  template?: string;
  /** kbuild: arch, defconfig, compiler, fragments; tests: anything the command reads. */
  params: Record<string, unknown>;
  /** Artifact name (no `.`) → path relative to the work tree, collected after the command. */
  artifacts: Record<string, string>;
  timeoutMs: number;
  rules: Rules;
}

export interface PlatformConfig {
  arch: string;
  boot_method: string;
  params: Record<string, unknown>;
}

/** Fields of `runtimes.<name>` per runtime type (besides `type`); see src/config/runtime-fields.ts. */
export interface RuntimeFieldsByType {
  shell: Record<string, never>;
  docker: DockerRuntimeFields;
  kubernetes: KubernetesRuntimeFields;
  /** Checked by `lavaRuntimeProblems`; the lab reads them with `lavaRuntimeSettings`. */
  lava: Record<string, unknown>;
}
export type RuntimeType = keyof RuntimeFieldsByType;
/** Every runtime type the code runs; a type missing here or in the tables is a compile error. */
export const RUNTIME_TYPES = [
  'shell',
  'docker',
  'kubernetes',
  'lava',
] as const satisfies readonly RuntimeType[];

export interface DockerRuntimeFields {
  /** Image for jobs that name none in `template` (e.g. kernelci/gcc-12:x86-kselftest-kernelci). */
  image?: string;
  /** CPU limit, in CPUs (1.5 = one and a half). */
  cpus?: number;
  /** Memory limit in bytes (the config takes "512m", "4g" or a number of bytes). */
  memoryBytes?: number;
  /** Container network; default "none" (the lab worker moves every file in and out). */
  network?: string;
  env?: Record<string, string>;
}

export interface KubernetesRuntimeFields {
  image?: string;
  namespace: string;
  service_account?: string;
  /** Resource requests = limits, Kubernetes quantities ("2", "500m", "4Gi"). */
  cpu?: string;
  memory?: string;
  node_selector?: Record<string, string>;
  /** Secret (name, key) holding the storage upload token the pod uses to upload its artifacts. */
  storage_token_secret?: { name: string; key: string };
  /** kubeconfig context; unset = the current one (or in-cluster credentials). */
  context?: string;
  env?: Record<string, string>;
}

export type RuntimeConfig = { [T in RuntimeType]: { type: T; params: RuntimeFieldsByType[T] } }[RuntimeType];

export interface SchedulerEvent {
  kind: NodeKind;
  name?: string;
  state: NodeState;
  result?: NodeResult;
}

export interface SchedulerEntry {
  job: string;
  event: SchedulerEvent;
  runtime: string;
  platforms: string[];
  rules: Rules;
}

/** Storage backends this build can upload to (S3 is refused by validation until it has one). */
export const STORAGE_TYPES = ['http'] as const;

export interface StorageConfig {
  type: (typeof STORAGE_TYPES)[number];
  base_url: string;
  /** Where uploads go when it differs from base_url (http backend). */
  upload_url?: string;
}

export interface ApiConfig {
  url: string;
}

export interface PipelineSettings {
  triggerIntervalMs: number;
  holdoffMs: number;
  checkoutTimeoutMs: number;
  jobTimeoutMs: number;
  heartbeatTimeoutMs: number;
  /** Attempts of a runtime activity on infrastructure errors (job failures never retry). */
  infraAttempts: number;
}

export interface PipelineConfig {
  pipeline: PipelineSettings;
  trees: Record<string, TreeConfig>;
  build_configs: Record<string, BuildConfig>;
  jobs: Record<string, JobConfig>;
  platforms: Record<string, PlatformConfig>;
  runtimes: Record<string, RuntimeConfig>;
  scheduler: SchedulerEntry[];
  storage: StorageConfig;
  api: ApiConfig;
  /** KCIDB, regression rules and report recipients (`results:`). */
  results: ResultsConfig;
}
