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

export const RUNTIME_TYPES = ['shell', 'docker', 'kubernetes', 'lava'] as const;
export type RuntimeType = (typeof RUNTIME_TYPES)[number];

export interface RuntimeConfig {
  type: RuntimeType;
  params: Record<string, unknown>;
}

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

export interface StorageConfig {
  type: 'http' | 's3';
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
