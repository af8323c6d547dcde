// The `lava` runtime's fields in the pipeline configuration:
//   runtimes:
//     lab-qemu:
//       type: lava
//       url: https://lava.example.org          # the LAVA server (REST API under /api/v0.2/)
//       device_types: { qemu-x86: qemu }       # platform → LAVA device type
//       template: boot-test.jinja2             # default job template (a job's `template:` overrides it)
//       templates_dir: config/lava             # relative to the working directory of the lab worker
//       priority: medium                       # LAVA priority: high, medium, low or 0-100
//       visibility: public                     # public | personal | group
//       timeouts: { action: 10m, connection: 2m }   # LAVA job timeout = the job's own timeout
//       context: { no_kvm: true }              # extra LAVA job context given to templates
// The API token comes from the environment of the lab worker (MAESTRO_LAVA_TOKEN), never from YAML.
import { parseDuration } from '../../config/duration';

export interface LavaRuntimeSettings {
  url: string;
  deviceTypes: Record<string, string>;
  template: string;
  templatesDir: string;
  priority: string | number;
  visibility: string;
  actionTimeoutMin: number;
  connectionTimeoutMin: number;
  context: Record<string, unknown>;
}

export const LAVA_FIELDS = [
  'url',
  'device_types',
  'template',
  'templates_dir',
  'priority',
  'visibility',
  'timeouts',
  'context',
];

/** Every problem with a lava runtime's known fields, as `[path, message]` pairs (the config validator reports them). */
export function lavaRuntimeProblems(params: Record<string, unknown>): [string[], string][] {
  const problems: [string[], string][] = [];
  if (typeof params.url !== 'string' || !/^https?:\/\//.test(params.url))
    problems.push([['url'], 'must be the LAVA server URL (http:// or https://)']);
  const dt = params.device_types;
  if (dt === undefined || dt === null || typeof dt !== 'object' || Array.isArray(dt))
    problems.push([['device_types'], 'must map platform names to LAVA device types']);
  else
    for (const [platform, t] of Object.entries(dt))
      if (typeof t !== 'string' || !t)
        problems.push([['device_types', platform], 'must be a device type name']);
  for (const key of ['template', 'templates_dir', 'visibility'])
    if (params[key] !== undefined && typeof params[key] !== 'string')
      problems.push([[key], 'must be a string']);
  if (params.visibility !== undefined && !['public', 'personal', 'group'].includes(String(params.visibility)))
    problems.push([['visibility'], 'must be public, personal or group']);
  const p = params.priority;
  if (
    p !== undefined &&
    !(typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 100) &&
    !['high', 'medium', 'low'].includes(String(p))
  )
    problems.push([['priority'], 'must be high, medium, low or an integer 0-100']);
  const t = params.timeouts;
  if (t !== undefined) {
    if (!t || typeof t !== 'object' || Array.isArray(t)) problems.push([['timeouts'], 'must be a map']);
    else
      for (const [k, v] of Object.entries(t)) {
        if (!['action', 'connection'].includes(k))
          problems.push([['timeouts', k], 'unknown timeout (action, connection)']);
        else if (parseDuration(v) === null)
          problems.push([['timeouts', k], `must be a duration like 10m, got ${JSON.stringify(v)}`]);
      }
  }
  if (params.context !== undefined && (typeof params.context !== 'object' || Array.isArray(params.context)))
    problems.push([['context'], 'must be a map']);
  return problems;
}

const minutes = (v: unknown, fallback: number) =>
  v === undefined ? fallback : Math.max(1, Math.ceil((parseDuration(v) ?? 0) / 60_000));

export function lavaRuntimeSettings(name: string, params: Record<string, unknown>): LavaRuntimeSettings {
  const problems = lavaRuntimeProblems(params);
  for (const key of Object.keys(params)) {
    if (!LAVA_FIELDS.includes(key))
      problems.push([[key], `unknown field (one of ${LAVA_FIELDS.join(', ')})`]);
  }
  if (problems.length)
    throw new Error(problems.map(([p, m]) => `runtimes.${name}.${p.join('.')}: ${m}`).join('\n'));
  const timeouts = (params.timeouts ?? {}) as Record<string, unknown>;
  return {
    url: String(params.url),
    deviceTypes: params.device_types as Record<string, string>,
    template: (params.template as string | undefined) ?? 'boot-test.jinja2',
    templatesDir: (params.templates_dir as string | undefined) ?? 'config/lava',
    priority: (params.priority as string | number | undefined) ?? 'medium',
    visibility: (params.visibility as string | undefined) ?? 'public',
    actionTimeoutMin: minutes(timeouts.action, 10),
    connectionTimeoutMin: minutes(timeouts.connection, 2),
    context: (params.context as Record<string, unknown> | undefined) ?? {},
  };
}
