// Checkout activities: the revision's root node and its source tarball.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { archiveCommit, updateMirror } from '../../git/mirror';
import { whileHeartbeating } from '../heartbeat';
import type { PipelineDeps } from './deps';
import { deriveNodeId } from './node-ids';
import { deadlineOf, iso } from './node-writes';
import type { CheckoutNodeInfo, Revision, TarballResult } from '../../workflows/pipeline/types';

/**
 * Attempts a git failure gets before the checkout fails. The activity's retry policy allows more: the
 * node store and the storage service, restarting, may take longer than three quick attempts to return.
 */
const GIT_ATTEMPTS = 3;

async function gitStep<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (Context.current().info.attempt < GIT_ATTEMPTS) throw err;
    throw ApplicationFailure.nonRetryable((err as Error).message, 'GitFailure');
  }
}

export function createCheckoutActivities(deps: PipelineDeps) {
  return {
    /** Creates the `checkout` node (`running`, with the tree's timeout); idempotent per workflow. */
    async createCheckoutNode(rev: Revision): Promise<CheckoutNodeInfo> {
      const workflowId = Context.current().info.workflowExecution!.workflowId;
      const node = await deps.store.create(
        deps.actor,
        {
          kind: 'checkout',
          name: 'checkout',
          state: 'running',
          timeout: iso(Date.now() + deps.config().pipeline.checkoutTimeoutMs),
          data: { kernel_revision: { tree: rev.tree, url: rev.url, branch: rev.branch, commit: rev.commit } },
        },
        { id: deriveNodeId(workflowId, 'checkout') },
      );
      const { pipeline, storage } = deps.config();
      return {
        nodeId: node.id,
        deadlineMs: deadlineOf(node),
        runtime: {
          heartbeatTimeoutMs: pipeline.heartbeatTimeoutMs,
          infraAttempts: pipeline.infraAttempts,
          storage: {
            baseUrl: storage.base_url,
            ...(storage.upload_url ? { uploadUrl: storage.upload_url } : {}),
          },
        },
      };
    },

    /** Mirror fetch, `git archive`, upload; then the node goes `available` with holdoff and tarball. */
    makeTarball(input: { nodeId: string; revision: Revision }): Promise<TarballResult> {
      return whileHeartbeating(() => tarball(input));
    },
  };

  async function tarball(input: { nodeId: string; revision: Revision }): Promise<TarballResult> {
    const { revision: rev } = input;
    const mirrors = path.join(deps.dataDir, 'git-mirrors');
    const mirror = await gitStep(() => updateMirror(mirrors, rev.tree, rev.url, rev.commit));
    const scratch = path.join(deps.dataDir, 'tarballs', `${input.nodeId}-${Context.current().info.attempt}`);
    try {
      const name = `linux-${rev.tree}-${rev.branch}-${rev.commit.slice(0, 12)}`.replace(
        /[^A-Za-z0-9_.-]/g,
        '_',
      );
      const file = path.join(scratch, `${name}.tar.gz`);
      const archive = await gitStep(() => archiveCommit(mirror, rev.commit, file, name));
      const url = await deps.storage.upload(`${name}.tar.gz`, archive.file);
      const holdoffUntilMs = Date.now() + deps.config().pipeline.holdoffMs;
      const v = archive.version;
      await deps.store.update(deps.actor, input.nodeId, {
        state: 'available',
        holdoff: iso(holdoffUntilMs),
        artifacts: { tarball: url },
        data: {
          kernel_revision: {
            tree: rev.tree,
            url: rev.url,
            branch: rev.branch,
            commit: rev.commit,
            describe: archive.describe,
            ...(v
              ? {
                  version: {
                    version: v.version,
                    patchlevel: v.patchlevel,
                    sublevel: v.sublevel,
                    extra: v.extra,
                    ...(v.name ? { name: v.name } : {}),
                  },
                }
              : {}),
          },
        },
      });
      return {
        tarballUrl: url,
        holdoffUntilMs,
        describe: archive.describe,
        ...(v ? { version: `${v.version}.${v.patchlevel}` } : {}),
      };
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }
}
