// Schema and cross-reference checks of the merged configuration. Collects every problem; never throws.
import { NODE_KINDS, NODE_RESULTS, NODE_STATES } from '../db/nodes/types';
import { Checker, describe, isObj, type ConfigProblem, type Obj } from './checker';
import { IMAGE_RUNTIMES, validateRuntimeFields } from './runtime-fields';
import { validateResults } from './results';
import {
  JOB_KINDS,
  RUNTIME_TYPES,
  type BuildConfig,
  type JobConfig,
  type PipelineConfig,
  type PlatformConfig,
  type RuntimeConfig,
  type RuntimeType,
  STORAGE_TYPES,
  type SchedulerEntry,
  type TreeConfig,
} from './types';

export type { ConfigProblem };

export const TOP_LEVEL_KEYS = [
  'pipeline',
  'trees',
  'build_configs',
  'jobs',
  'platforms',
  'runtimes',
  'scheduler',
  'storage',
  'api',
  'results',
] as const;

const PIPELINE_DEFAULTS = {
  trigger_interval: '5m',
  holdoff: '10m',
  checkout_timeout: '3h',
  job_timeout: '6h',
  heartbeat_timeout: '60s',
  infra_attempts: 3,
};

const isRuntimeType = (t: string): t is RuntimeType => (RUNTIME_TYPES as readonly string[]).includes(t);

export function validateConfig(raw: Obj): { config: PipelineConfig; problems: ConfigProblem[] } {
  const c = new Checker();
  c.unknownKeys(raw, TOP_LEVEL_KEYS, []);

  const p = c.map(raw.pipeline, ['pipeline'], false);
  c.unknownKeys(p, Object.keys(PIPELINE_DEFAULTS), ['pipeline']);
  const attempts = p.infra_attempts ?? PIPELINE_DEFAULTS.infra_attempts;
  if (!Number.isInteger(attempts) || (attempts as number) < 1) {
    c.fail(['pipeline', 'infra_attempts'], `must be a positive integer, got ${describe(attempts)}`);
  }
  const pipeline = {
    triggerIntervalMs: c.duration(p, 'trigger_interval', ['pipeline'], PIPELINE_DEFAULTS.trigger_interval),
    holdoffMs: c.duration(p, 'holdoff', ['pipeline'], PIPELINE_DEFAULTS.holdoff),
    checkoutTimeoutMs: c.duration(p, 'checkout_timeout', ['pipeline'], PIPELINE_DEFAULTS.checkout_timeout),
    jobTimeoutMs: c.duration(p, 'job_timeout', ['pipeline'], PIPELINE_DEFAULTS.job_timeout),
    heartbeatTimeoutMs: c.duration(p, 'heartbeat_timeout', ['pipeline'], PIPELINE_DEFAULTS.heartbeat_timeout),
    infraAttempts: Number(attempts),
  };

  const trees: Record<string, TreeConfig> = {};
  for (const [name, value] of Object.entries(c.map(raw.trees, ['trees']))) {
    const path = ['trees', name];
    const t = c.map(value, path);
    c.unknownKeys(t, ['url'], path);
    const url = c.string(t, 'url', path);
    if (url) trees[name] = { url };
  }

  const runtimes: Record<string, RuntimeConfig> = {};
  for (const [name, value] of Object.entries(c.map(raw.runtimes, ['runtimes']))) {
    const path = ['runtimes', name];
    const r = c.map(value, path);
    const type = c.string(r, 'type', path);
    if (!type) continue;
    if (!isRuntimeType(type)) {
      c.fail([...path, 'type'], `unknown runtime type "${type}" (one of ${RUNTIME_TYPES.join(', ')})`);
      continue;
    }
    runtimes[name] = { type, params: validateRuntimeFields(c, type, r, path) } as RuntimeConfig;
  }

  const platforms: Record<string, PlatformConfig> = {};
  for (const [name, value] of Object.entries(c.map(raw.platforms, ['platforms'], false))) {
    const path = ['platforms', name];
    const pl = c.map(value, path);
    c.unknownKeys(pl, ['arch', 'boot_method', 'params'], path);
    platforms[name] = {
      arch: c.string(pl, 'arch', path) ?? '',
      boot_method: c.string(pl, 'boot_method', path, false) ?? 'none',
      params: c.map(pl.params, [...path, 'params'], false),
    };
  }

  const build_configs: Record<string, BuildConfig> = {};
  for (const [name, value] of Object.entries(c.map(raw.build_configs, ['build_configs']))) {
    const path = ['build_configs', name];
    const b = c.map(value, path);
    c.unknownKeys(b, ['tree', 'branch', 'architectures', 'frequency', 'priority'], path);
    const tree = c.string(b, 'tree', path);
    if (tree && !trees[tree] && !(isObj(raw.trees) && tree in raw.trees))
      c.fail([...path, 'tree'], `unknown tree "${tree}"`);
    const branch = c.string(b, 'branch', path);
    if (b.priority !== undefined && typeof b.priority !== 'number')
      c.fail([...path, 'priority'], `must be a number, got ${describe(b.priority)}`);
    build_configs[name] = {
      tree: tree ?? '',
      branch: branch ?? '',
      architectures: c.stringList(b, 'architectures', path),
      frequency: c.string(b, 'frequency', path, false),
      priority: typeof b.priority === 'number' ? b.priority : undefined,
    };
  }

  const jobs: Record<string, JobConfig> = {};
  for (const [name, value] of Object.entries(c.map(raw.jobs, ['jobs']))) {
    const path = ['jobs', name];
    const j = c.map(value, path);
    c.unknownKeys(j, ['kind', 'command', 'template', 'params', 'artifacts', 'timeout', 'rules'], path);
    const kind = c.string(j, 'kind', path);
    if (kind && !(JOB_KINDS as readonly string[]).includes(kind))
      c.fail([...path, 'kind'], `unknown job kind "${kind}" (one of ${JOB_KINDS.join(', ')})`);
    const params = c.map(j.params, [...path, 'params'], false);
    if (kind === 'kbuild') {
      for (const key of ['arch', 'defconfig'])
        if (typeof params[key] !== 'string')
          c.fail([...path, 'params', key], 'required for a kbuild (a string)');
    }
    const artifacts: Record<string, string> = {};
    for (const [art, file] of Object.entries(c.map(j.artifacts, [...path, 'artifacts'], false))) {
      if (!/^[A-Za-z0-9_-]+$/.test(art))
        c.fail(
          [...path, 'artifacts', art],
          'artifact names may contain only letters, digits, "_" and "-" (no ".")',
        );
      else if (typeof file !== 'string')
        c.fail([...path, 'artifacts', art], `must be a file path, got ${describe(file)}`);
      else artifacts[art] = file;
    }
    jobs[name] = {
      kind: kind as JobConfig['kind'],
      // A job runs a shell command, or a runtime template (LAVA job definition…) in its place.
      command: c.string(j, 'command', path, j.template === undefined) ?? '',
      template: c.string(j, 'template', path, false),
      params,
      artifacts,
      timeoutMs: j.timeout === undefined ? pipeline.jobTimeoutMs : c.duration(j, 'timeout', path, 0),
      rules: c.rules(j.rules, [...path, 'rules']),
    };
  }

  const scheduler: SchedulerEntry[] = [];
  const rawScheduler = raw.scheduler ?? [];
  if (!Array.isArray(rawScheduler)) c.fail(['scheduler'], `must be a list, got ${describe(rawScheduler)}`);
  else
    rawScheduler.forEach((value, i) => {
      const path = ['scheduler', i];
      const s = c.map(value, path);
      c.unknownKeys(s, ['job', 'event', 'runtime', 'platforms', 'rules'], path);
      const job = c.string(s, 'job', path);
      if (job && !jobs[job]) c.fail([...path, 'job'], `unknown job "${job}"`);
      const runtime = c.string(s, 'runtime', path);
      if (runtime && !runtimes[runtime] && !(isObj(raw.runtimes) && runtime in raw.runtimes))
        c.fail([...path, 'runtime'], `unknown runtime "${runtime}"`);
      const rt = runtime ? runtimes[runtime] : undefined;
      if (
        job &&
        jobs[job] &&
        rt &&
        IMAGE_RUNTIMES.includes(rt.type) &&
        !jobs[job].template &&
        !rt.params.image
      )
        c.fail(
          [...path, 'runtime'],
          `runtime "${runtime}" (${rt.type}) needs an image: set runtimes.${runtime}.image or jobs.${job}.template`,
        );
      const platformList = c.stringList(s, 'platforms', path) ?? [];
      platformList.forEach((pl, k) => {
        if (!platforms[pl]) c.fail([...path, 'platforms', k], `unknown platform "${pl}"`);
      });
      const ev = c.map(s.event, [...path, 'event']);
      c.unknownKeys(ev, ['kind', 'name', 'state', 'result'], [...path, 'event']);
      const evKind = c.string(ev, 'kind', [...path, 'event']);
      if (evKind && !(NODE_KINDS as readonly string[]).includes(evKind))
        c.fail([...path, 'event', 'kind'], `unknown node kind "${evKind}"`);
      const evState = c.string(ev, 'state', [...path, 'event']);
      if (evState && !(NODE_STATES as readonly string[]).includes(evState))
        c.fail([...path, 'event', 'state'], `unknown node state "${evState}"`);
      const evResult = c.string(ev, 'result', [...path, 'event'], false);
      if (evResult && !(NODE_RESULTS as readonly string[]).includes(evResult))
        c.fail([...path, 'event', 'result'], `unknown node result "${evResult}"`);
      const evName = c.string(ev, 'name', [...path, 'event'], false);
      if (evName && evKind === 'kbuild' && !jobs[evName])
        c.fail([...path, 'event', 'name'], `unknown job "${evName}"`);
      if (evName && evKind === 'kbuild' && jobs[evName] && jobs[evName].kind !== 'kbuild')
        c.fail([...path, 'event', 'name'], `job "${evName}" is not a kbuild`);
      if (job && jobs[job]?.kind === 'kbuild' && evKind && evKind !== 'checkout')
        c.fail([...path, 'event', 'kind'], `a kbuild runs on a checkout event, not "${evKind}"`);
      if (job && jobs[job] && jobs[job].kind !== 'kbuild' && evKind === 'kbuild' && platformList.length === 0)
        c.fail([...path, 'platforms'], 'a test on a kbuild needs at least one platform');
      scheduler.push({
        job: job ?? '',
        event: {
          kind: evKind as SchedulerEntry['event']['kind'],
          state: evState as SchedulerEntry['event']['state'],
          ...(evName ? { name: evName } : {}),
          ...(evResult ? { result: evResult as SchedulerEntry['event']['result'] } : {}),
        },
        runtime: runtime ?? '',
        platforms: platformList,
        rules: c.rules(s.rules, [...path, 'rules']),
      });
    });

  const st = c.map(raw.storage, ['storage']);
  c.unknownKeys(st, ['type', 'base_url', 'upload_url'], ['storage']);
  const stType = c.string(st, 'type', ['storage']);
  if (stType && !(STORAGE_TYPES as readonly string[]).includes(stType))
    c.fail(
      ['storage', 'type'],
      `storage type "${stType}" has no backend in this build (one of ${STORAGE_TYPES.join(', ')})`,
    );
  const storage = {
    type: 'http' as const,
    base_url: c.string(st, 'base_url', ['storage']) ?? '',
    upload_url: c.string(st, 'upload_url', ['storage'], false),
  };

  const a = c.map(raw.api, ['api']);
  c.unknownKeys(a, ['url'], ['api']);
  const api = { url: c.string(a, 'url', ['api']) ?? '' };

  const results = validateResults(raw.results, isObj(raw.trees) ? Object.keys(raw.trees) : []);
  return {
    config: {
      pipeline,
      trees,
      build_configs,
      jobs,
      platforms,
      runtimes,
      scheduler,
      storage,
      api,
      results: results.results,
    },
    problems: [...c.problems, ...results.problems],
  };
}
