// The KCIDB bridge step: a finished tree's nodes not yet accepted by KCIDB, as v5.3 reports in batches;
// each batch's nodes get `processed_by_kcidb_bridge` only once the receiver accepted it, so a retry or
// a restart sends only what is left.
import { Context, log } from '@temporalio/activity';
import { submitReport } from '../../kcidb/client';
import { batches, reportItems, toReport } from '../../kcidb/report';
import type { KcidbOutcome } from '../../workflows/results/types';
import type { ResultsDeps } from './deps';
import { treeOf } from './tree';

export function createKcidbActivities(deps: ResultsDeps) {
  return {
    async submitToKcidb(input: { checkoutId: string }): Promise<KcidbOutcome> {
      const started = Date.now();
      const { kcidbUrl, kcidbToken } = deps.settings();
      if (!kcidbUrl)
        return { skipped: 'MAESTRO_KCIDB_URL is not set', objects: 0, batches: 0, submissionIds: [], ms: 0 };
      const config = deps.config();
      const nodes = await treeOf(deps.store, input.checkoutId);
      const timings = { readMs: Date.now() - started, submitMs: 0, markMs: 0 };
      const items = reportItems(
        nodes,
        { origin: config.results.kcidb.origin, platforms: config.platforms },
        (n) => n.state === 'done' && !n.processed_by_kcidb_bridge,
      );
      // A placeholder build alone (its tests already accepted) is not worth a submission.
      const pending = items.some((i) => i.nodeId) ? items : [];
      const groups = batches(pending, config.results.kcidb.batchSize);
      const submissionIds: string[] = [];
      for (const [i, group] of groups.entries()) {
        let t = Date.now();
        const accepted = await submitReport({ url: kcidbUrl, token: kcidbToken }, toReport(group));
        timings.submitMs += Date.now() - t;
        t = Date.now();
        const ids = group.flatMap((it) => (it.nodeId ? [it.nodeId] : []));
        await deps.store.setField(deps.actor, ids, 'processed_by_kcidb_bridge', true);
        timings.markMs += Date.now() - t;
        submissionIds.push(accepted.submissionId);
        Context.current().heartbeat({ batch: i + 1, of: groups.length });
      }
      const outcome = {
        objects: pending.length,
        batches: groups.length,
        submissionIds,
        ms: Date.now() - started,
        ...timings,
      };
      log.info('KCIDB submission done', { nodeId: input.checkoutId, ...outcome, submissionIds: undefined });
      return outcome;
    },
  };
}
