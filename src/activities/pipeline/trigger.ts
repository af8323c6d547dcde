// The trigger activity: every build config's head; a checkout workflow per new revision.
import { Context } from '@temporalio/activity';
import { remoteHead } from '../../git/heads';
import { whileHeartbeating } from '../heartbeat';
import type { PipelineDeps } from './deps';
import type { TriggerInput, TriggerResult } from '../../workflows/pipeline/types';

export function createTriggerActivities(deps: PipelineDeps) {
  return {
    checkHeadsAndStart(input: TriggerInput): Promise<TriggerResult> {
      return whileHeartbeating(() => checkHeads(input));
    },
  };

  async function checkHeads(input: TriggerInput): Promise<TriggerResult> {
    const config = deps.config();
    const ctx = Context.current();
    const out: TriggerResult = { started: [], existing: [], errors: [] };
    const seen = new Set<string>();
    for (const [name, bc] of Object.entries(config.build_configs)) {
      if ((input.tree && bc.tree !== input.tree) || (input.branch && bc.branch !== input.branch)) continue;
      const key = `${bc.tree}:${bc.branch}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const url = config.trees[bc.tree].url;
      let commit: string | null;
      try {
        commit = await remoteHead(url, bc.branch);
      } catch (err) {
        out.errors.push(`${name}: git ls-remote ${url} failed: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      if (!commit) {
        out.errors.push(`${name}: branch ${bc.branch} not found in ${url}`);
        continue;
      }
      const id = await deps.startRevision(
        ctx.client,
        { tree: bc.tree, branch: bc.branch, url, commit },
        ctx.info.taskQueue,
      );
      (id.started ? out.started : out.existing).push(id.workflowId);
    }
    return out;
  }
}
