// What a verified push starts: the revision of every configured tree/branch whose repository it names,
// through the same start (and the same workflow id) as the trigger's poll, so a push and a poll never
// start one revision twice.
import type { PipelineConfig } from '../config/types';
import type { Revision } from '../workflows/pipeline/types';
import { normalizeRepoUrl, type Push } from './push';

export interface WebhookResult {
  started: string[];
  existing: string[];
  /** Set when the push names no configured tree/branch. */
  ignored?: string;
}

export interface WebhookTarget {
  secret: string;
  handle(push: Push): Promise<WebhookResult>;
}

/** The configured revisions a push is for (one per tree/branch pair, whatever the build configs). */
export function revisionsForPush(config: PipelineConfig, push: Push): Revision[] {
  const urls = new Set(push.repoUrls.map(normalizeRepoUrl));
  const out = new Map<string, Revision>();
  for (const bc of Object.values(config.build_configs)) {
    const tree = config.trees[bc.tree];
    if (!tree || bc.branch !== push.branch || !urls.has(normalizeRepoUrl(tree.url))) continue;
    out.set(`${bc.tree}:${bc.branch}`, {
      tree: bc.tree,
      branch: bc.branch,
      url: tree.url,
      commit: push.commit,
    });
  }
  return [...out.values()];
}

export function createWebhookTarget(opts: {
  secret: string;
  config: () => PipelineConfig;
  start: (rev: Revision) => Promise<{ workflowId: string; started: boolean }>;
}): WebhookTarget {
  return {
    secret: opts.secret,
    async handle(push) {
      const revisions = revisionsForPush(opts.config(), push);
      const result: WebhookResult = { started: [], existing: [] };
      if (!revisions.length) {
        result.ignored = `no configured tree/branch for ${push.repoUrls[0]} ${push.branch}`;
        return result;
      }
      for (const rev of revisions) {
        const r = await opts.start(rev);
        (r.started ? result.started : result.existing).push(r.workflowId);
      }
      return result;
    },
  };
}
