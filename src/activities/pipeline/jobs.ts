// Job activities: plan, create and finish job nodes; close and time out trees.
import { Context } from '@temporalio/activity';
import { planJobs, type JobSpec } from '../../config/scheduler';
import type { Node, NodePatch, NodeResult, NodeState } from '../../db/nodes/types';
import { notFound } from '../../errors';
import { jobResult } from '../../runtimes/test-summary';
import type { PipelineDeps } from './deps';
import { deriveNodeId } from './node-ids';
import { childrenOf, deadlineOf, iso, subtree } from './node-writes';
import { jobWorkflowId } from '../../temporal/workflow-ids';
import type {
  FinishJobInput,
  FinishJobResult,
  JobNodeInfo,
  JobNodeInput,
  PlanInput,
} from '../../workflows/pipeline/types';
import { kbuildData } from '../../workflows/pipeline/kbuild-data';

const BATCH_CONCURRENCY = 16;

export function createJobActivities(deps: PipelineDeps) {
  /** The job/kbuild node (`running`, with its timeout), id derived from the job's workflow id. */
  function createOne(input: JobNodeInput, workflowId: string) {
    const { job } = input;
    const data = job.kind === 'kbuild' ? kbuildData(job) : { ...input.inherited };
    Object.assign(data, { platform: job.platform, runtime: job.runtime, job_id: workflowId });
    return deps.store.create(
      deps.actor,
      {
        kind: job.kind === 'kbuild' ? 'kbuild' : 'job',
        name: job.name,
        parent: input.parentId,
        state: 'running',
        timeout: iso(Date.now() + job.timeoutMs),
        data,
      },
      { id: deriveNodeId(workflowId, 'node') },
    );
  }

  const jobNodeInfo = (node: Node): JobNodeInfo => ({
    nodeId: node.id,
    deadlineMs: deadlineOf(node),
    alreadyDone: node.state === 'done',
  });

  return {
    /** The jobs a node event schedules under the current configuration. */
    async planJobs(input: PlanInput): Promise<JobSpec[]> {
      const config = deps.config();
      const bc = Object.values(config.build_configs).find(
        (b) => b.tree === input.tree && b.branch === input.branch,
      );
      return planJobs(config, input.event, {
        tree: input.tree,
        branch: input.branch,
        architectures: bc?.architectures,
        version: input.version,
        arch: input.arch,
        defconfig: input.defconfig,
      }).planned;
    },

    /** Creates the job/kbuild node (`running`, with its timeout); idempotent per workflow. */
    async createJobNode(input: JobNodeInput): Promise<JobNodeInfo> {
      const workflowId = Context.current().info.workflowExecution!.workflowId;
      return jobNodeInfo(await createOne(input, workflowId));
    },

    /**
     * Creates the nodes of many jobs at once, before their workflows start (a 100-job fan-out is then
     * scheduled in one step). Ids derive from each job's workflow id, so the job workflow's own
     * createJobNode finds the node instead of creating another.
     */
    async createJobNodes(input: {
      parentId: string;
      jobs: JobSpec[];
      inherited: Record<string, unknown>;
    }): Promise<JobNodeInfo[]> {
      const out: JobNodeInfo[] = new Array(input.jobs.length);
      let next = 0;
      const worker = async () => {
        while (next < input.jobs.length) {
          const i = next++;
          const job = input.jobs[i];
          const node = await createOne(
            { parentId: input.parentId, job, inherited: input.inherited },
            jobWorkflowId(input.parentId, job.name, job.platform),
          );
          out[i] = jobNodeInfo(node);
        }
      };
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, input.jobs.length) }, worker));
      return out;
    },

    /** Sets the job's result, as the lab reported it, and moves the node on. */
    async finishJob(input: FinishJobInput): Promise<FinishJobResult> {
      const node = await deps.store.get(input.nodeId);
      if (!node) throw notFound(`node ${input.nodeId} not found`);
      if (node.state === 'done') return { state: node.state, result: node.result };
      const { outcome } = input;
      // A run recorded before labs reported the result: aggregate the test nodes that lab wrote.
      const result: NodeResult =
        outcome.result ?? jobResult(outcome.status, await childrenOf(deps.store, input.nodeId));
      const patch: NodePatch = { result };
      if (outcome.errorCode || outcome.errorMsg) {
        patch.data = { error_code: outcome.errorCode ?? null, error_msg: outcome.errorMsg ?? null };
      }
      let holdoffUntilMs: number | undefined;
      if (input.kind === 'kbuild' && result === 'pass') {
        holdoffUntilMs = Date.now() + deps.config().pipeline.holdoffMs;
        Object.assign(patch, { state: 'available', holdoff: iso(holdoffUntilMs) });
      } else {
        patch.state = 'done';
      }
      const after = await deps.store.update(deps.actor, input.nodeId, patch);
      return { state: after.state, result: after.result, ...(holdoffUntilMs ? { holdoffUntilMs } : {}) };
    },

    /** Moves a node to `closing` or `done` unless it is already final; `result` only fills a null one. */
    async setNodeState(input: {
      nodeId: string;
      state: NodeState;
      result?: NodeResult;
      data?: Record<string, unknown>;
    }): Promise<NodeState> {
      const node = await deps.store.get(input.nodeId);
      if (!node) throw notFound(`node ${input.nodeId} not found`);
      if (node.state === 'done') return node.state;
      const patch: NodePatch = { state: input.state };
      if (input.result && node.result === null) patch.result = input.result;
      if (input.data) patch.data = input.data;
      return (await deps.store.update(deps.actor, input.nodeId, patch)).state;
    },

    /**
     * The node timeout: every unfinished node of the subtree becomes `done`; a pass/fail already set is
     * kept, anything else becomes `incomplete` with `data.error_code = node_timeout`.
     */
    async timeoutSubtree(input: { rootId: string }): Promise<number> {
      let changed = 0;
      for (const node of await subtree(deps.store, input.rootId)) {
        if (node.state === 'done') continue;
        const keep = node.result === 'pass' || node.result === 'fail';
        await deps.store.update(deps.actor, node.id, {
          state: 'done',
          ...(keep
            ? {}
            : {
                result: 'incomplete',
                data: { error_code: 'node_timeout', error_msg: `timed out at ${node.timeout}` },
              }),
        });
        changed++;
      }
      return changed;
    },
  };
}
