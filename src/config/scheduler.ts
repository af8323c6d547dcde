// Which jobs a node event schedules: scheduler entries × platforms, filtered by rules.
// Pure functions over the config: used by the pipeline's planning activity and by `kci config forecast`.
import type { NodeKind, NodeResult, NodeState } from '../db/nodes/types';
import { checkRules, type RuleSubject } from './rules';
import type { JobKind, PipelineConfig, RuntimeConfig, RuntimeType } from './types';

/** Everything a runtime needs to run one job; small enough to pass through workflow histories. */
export interface JobSpec {
  name: string;
  kind: JobKind;
  runtime: string;
  runtimeType: RuntimeType;
  /** The runtime's validated fields (image, limits, namespace…); absent in histories from before them. */
  runtimeParams?: RuntimeConfig['params'];
  platform: string;
  command: string;
  template?: string;
  params: Record<string, unknown>;
  artifacts: Record<string, string>;
  timeoutMs: number;
}

export interface NodeEvent {
  kind: NodeKind;
  name: string;
  state: NodeState;
  result?: NodeResult | null;
}

export interface PlanContext {
  tree: string;
  branch: string;
  /** Build configuration's allowed architectures (kbuilds outside it do not run). */
  architectures?: string[];
  version?: string;
  /** Set when the event comes from a kbuild: its arch/defconfig flow down to tests. */
  arch?: string;
  defconfig?: string;
}

export interface SkippedJob {
  job: string;
  platform?: string;
  reason: string;
}

export interface JobPlan {
  planned: JobSpec[];
  skipped: SkippedJob[];
}

/** Platform name used for jobs that run on no particular platform (kbuilds). */
export const NO_PLATFORM = 'none';

export function planJobs(config: PipelineConfig, event: NodeEvent, ctx: PlanContext): JobPlan {
  const planned: JobSpec[] = [];
  const skipped: SkippedJob[] = [];
  const seen = new Set<string>();
  for (const entry of config.scheduler) {
    const ev = entry.event;
    if (ev.kind !== event.kind || ev.state !== event.state) continue;
    if (ev.name !== undefined && ev.name !== event.name) continue;
    if (ev.result !== undefined && ev.result !== event.result) {
      skipped.push({
        job: entry.job,
        reason: `waits for ${event.kind} result "${ev.result}", got "${event.result ?? 'none'}"`,
      });
      continue;
    }
    const job = config.jobs[entry.job];
    const runtime = config.runtimes[entry.runtime];
    if (!job || !runtime) continue;
    const arch = job.kind === 'kbuild' ? String(job.params.arch) : ctx.arch;
    const defconfig = job.kind === 'kbuild' ? String(job.params.defconfig) : ctx.defconfig;
    if (job.kind === 'kbuild' && ctx.architectures?.length && arch && !ctx.architectures.includes(arch)) {
      skipped.push({
        job: entry.job,
        reason: `arch "${arch}" is not among the build config's architectures [${ctx.architectures.join(', ')}]`,
      });
      continue;
    }
    const subject: RuleSubject = {
      tree: ctx.tree,
      branch: ctx.branch,
      arch,
      defconfig,
      version: ctx.version,
    };
    const ruleProblem = checkRules(job.rules, subject);
    if (ruleProblem) {
      skipped.push({ job: entry.job, reason: `job rules: ${ruleProblem}` });
      continue;
    }
    const entryProblem = checkRules(entry.rules, subject);
    if (entryProblem) {
      skipped.push({ job: entry.job, reason: `scheduler rules: ${entryProblem}` });
      continue;
    }
    for (const platform of entry.platforms.length ? entry.platforms : [NO_PLATFORM]) {
      const pl = config.platforms[platform];
      if (pl && arch && pl.arch !== arch) {
        skipped.push({
          job: entry.job,
          platform,
          reason: `platform arch "${pl.arch}" differs from build arch "${arch}"`,
        });
        continue;
      }
      const key = `${entry.job}:${platform}`;
      if (seen.has(key)) continue;
      seen.add(key);
      planned.push({
        name: entry.job,
        kind: job.kind,
        runtime: entry.runtime,
        runtimeType: runtime.type,
        ...(Object.keys(runtime.params).length ? { runtimeParams: runtime.params } : {}),
        platform,
        command: job.command,
        ...(job.template ? { template: job.template } : {}),
        params: {
          ...(pl?.params ?? {}),
          ...job.params,
          ...(pl ? { arch: pl.arch, boot_method: pl.boot_method } : {}),
        },
        artifacts: job.artifacts,
        timeoutMs: job.timeoutMs,
      });
    }
  }
  return { planned, skipped };
}
