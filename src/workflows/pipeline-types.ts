// Inputs and outputs of the pipeline workflows. Pure types.
import type { JobNodeInfo } from '../activities/pipeline/types';
import type { JobSpec } from '../config/scheduler';
import type { NodeResult, NodeState } from '../db/nodes/types';

export interface RevisionInfo {
  tree: string;
  branch: string;
  commit: string;
  /** "6.8"-style, for version rules. */
  version?: string;
}

export interface RuntimeSettings {
  heartbeatTimeoutMs: number;
  infraAttempts: number;
  storage: { baseUrl: string; uploadUrl?: string };
}

export interface JobWorkflowInput {
  parentId: string;
  job: JobSpec;
  revision: RevisionInfo;
  tarballUrl: string;
  /** Parent kbuild's artifacts (tests). */
  inputArtifacts: Record<string, string>;
  /** Parent kbuild's build fields (tests). */
  inherited: Record<string, unknown>;
  runtime: RuntimeSettings;
  /** The job's node, when the parent already created it (fan-outs create all nodes in one step). */
  node?: JobNodeInfo;
}

export interface JobWorkflowResult {
  nodeId: string;
  state: NodeState;
  result: NodeResult | null;
  timedOut: boolean;
  children: number;
}

export interface CheckoutWorkflowResult {
  nodeId: string;
  result: NodeResult | null;
  timedOut: boolean;
  jobs: number;
}
