// `kci config forecast`: which builds and tests a revision of tree/branch gets, and why others do not.
import { planJobs, type PlanContext } from './scheduler';
import type { PipelineConfig } from './types';

export interface ForecastJob {
  job: string;
  kind: string;
  platform: string;
  runtime: string;
  /** What schedules it: "checkout" or "kbuild <name> available|done". */
  after: string;
}

export interface ForecastRevision {
  buildConfig: string;
  tree: string;
  branch: string;
  jobs: ForecastJob[];
  skipped: { job: string; platform?: string; after: string; reason: string }[];
}

export interface ForecastResult {
  revisions: ForecastRevision[];
  /** With explainJob: one line per place the job was considered. */
  explanation?: string[];
}

export function forecast(
  config: PipelineConfig,
  opts: { tree: string; branch?: string; explainJob?: string; version?: string },
): ForecastResult {
  const revisions: ForecastRevision[] = [];
  for (const [name, bc] of Object.entries(config.build_configs)) {
    if (bc.tree !== opts.tree || (opts.branch && bc.branch !== opts.branch)) continue;
    const base: PlanContext = {
      tree: bc.tree,
      branch: bc.branch,
      architectures: bc.architectures,
      version: opts.version,
    };
    const rev: ForecastRevision = {
      buildConfig: name,
      tree: bc.tree,
      branch: bc.branch,
      jobs: [],
      skipped: [],
    };
    const first = planJobs(config, { kind: 'checkout', name: 'checkout', state: 'available' }, base);
    rev.skipped.push(...first.skipped.map((s) => ({ ...s, after: 'checkout' })));
    for (const spec of first.planned) {
      rev.jobs.push({
        job: spec.name,
        kind: spec.kind,
        platform: spec.platform,
        runtime: spec.runtime,
        after: 'checkout',
      });
      if (spec.kind !== 'kbuild') continue;
      const ctx = { ...base, arch: String(spec.params.arch), defconfig: String(spec.params.defconfig) };
      for (const [state, result] of [
        ['available', 'pass'],
        ['done', 'pass'],
      ] as const) {
        const plan = planJobs(config, { kind: 'kbuild', name: spec.name, state, result }, ctx);
        const after = `kbuild ${spec.name} ${state}`;
        rev.jobs.push(
          ...plan.planned.map((t) => ({
            job: t.name,
            kind: t.kind,
            platform: t.platform,
            runtime: t.runtime,
            after,
          })),
        );
        rev.skipped.push(...plan.skipped.map((s) => ({ ...s, after })));
      }
    }
    revisions.push(rev);
  }
  const result: ForecastResult = { revisions };
  if (opts.explainJob) {
    const job = opts.explainJob;
    const lines: string[] = [];
    if (!config.jobs[job]) lines.push(`job "${job}" is not defined`);
    else if (!config.scheduler.some((e) => e.job === job)) lines.push(`job "${job}" has no scheduler entry`);
    if (!revisions.length)
      lines.push(`no build config for tree "${opts.tree}"${opts.branch ? ` branch "${opts.branch}"` : ''}`);
    for (const rev of revisions) {
      for (const j of rev.jobs.filter((x) => x.job === job))
        lines.push(`${rev.buildConfig}: runs on ${j.platform} (${j.runtime}) after ${j.after}`);
      for (const s of rev.skipped.filter((x) => x.job === job))
        lines.push(
          `${rev.buildConfig}: not run${s.platform ? ` on ${s.platform}` : ''} after ${s.after}: ${s.reason}`,
        );
      const triggers = config.scheduler.filter((e) => e.job === job && e.event.kind === 'kbuild');
      for (const e of triggers) {
        if (e.event.name && !rev.jobs.some((x) => x.job === e.event.name))
          lines.push(
            `${rev.buildConfig}: not run: it waits for kbuild "${e.event.name}", which does not run for this revision`,
          );
      }
    }
    result.explanation = lines;
  }
  return result;
}
