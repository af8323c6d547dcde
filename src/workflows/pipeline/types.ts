// Inputs and outputs of the pipeline's workflows and activities, in one place. Pure types: workflows
// import them with `import type`.
import type { JobSpec, NodeEvent } from '../../config/scheduler';
import type { NodeResult, NodeState } from '../../db/nodes/types';
import type { RuntimeOutcome } from '../../runtimes/runtime';

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

export interface Revision {
  tree: string;
  branch: string;
  url: string;
  commit: string;
}

export interface CheckoutNodeInfo {
  nodeId: string;
  /** Absolute deadline (epoch ms) of the whole tree, from the node's stored `timeout`. */
  deadlineMs: number;
  /** Settings the tree's job workflows need, read from the configuration once per revision. */
  runtime: RuntimeSettings;
}

export interface TarballResult {
  tarballUrl: string;
  /** `git describe` of the commit (the Temporal UI shows it in the revision's details). */
  describe?: string;
  /** "6.8"-style version for rules. */
  version?: string;
  /** Epoch ms when the holdoff ends. */
  holdoffUntilMs: number;
}

export interface PlanInput {
  event: NodeEvent;
  tree: string;
  branch: string;
  version?: string;
  arch?: string;
  defconfig?: string;
}

export interface JobNodeInput {
  parentId: string;
  job: JobSpec;
  /** Build fields inherited from the parent kbuild (tests). */
  inherited: Record<string, unknown>;
}

export interface JobNodeInfo {
  nodeId: string;
  deadlineMs: number;
  /** The node was already final (a replayed/restarted workflow): do not run it again. */
  alreadyDone: boolean;
}

/** What the lab reported about a job's run, handed on to the step that finishes its node. */
export interface JobOutcome {
  status: RuntimeOutcome['status'];
  /** The node's result as the lab aggregated it; absent from runs recorded before labs reported it. */
  result?: NodeResult;
  errorCode?: string;
  errorMsg?: string;
}

export interface FinishJobInput {
  nodeId: string;
  kind: JobSpec['kind'];
  outcome: JobOutcome;
}

export interface FinishJobResult {
  state: NodeState;
  result: NodeResult | null;
  holdoffUntilMs?: number;
}

export interface TriggerInput {
  tree?: string;
  branch?: string;
}

export interface TriggerResult {
  started: string[];
  existing: string[];
  errors: string[];
}
