// LAVA job definitions are rendered from nunjucks templates (Jinja2's syntax: extends, include, blocks,
// filters), as KernelCI renders them with Jinja2. The result must be YAML describing a LAVA job.
import path from 'node:path';
import nunjucks from 'nunjucks';
import { parse as parseYaml } from 'yaml';

export interface LavaTemplateVars {
  /** The test job node's id. */
  node_id: string;
  job_name: string;
  /** `<job>-<node id>`, for LAVA's job_name. */
  lava_job_name: string;
  job: { name: string; kind: string; params: Record<string, unknown> };
  platform: { name: string; arch: string; boot_method: string; params: Record<string, unknown> };
  device_type: string;
  /** Artifacts of the parent kbuild: name → URL (kernel_image, modules, config…). */
  artifacts: Record<string, string>;
  kernel_url?: string;
  modules_url?: string;
  tarball_url: string;
  /** Where LAVA posts its notify callback (carries the per-job secret). */
  callback_url: string;
  priority: string | number;
  visibility: string;
  /** LAVA timeouts in minutes. */
  timeouts: { job: number; action: number; connection: number };
  /** Fields of the kbuild (arch, defconfig, compiler…) and the runtime/platform names. */
  data: Record<string, unknown>;
  /** Free-form values of the runtime's `context:` in the pipeline configuration. */
  context: Record<string, unknown>;
}

export class LavaTemplateError extends Error {}

const environments = new Map<string, nunjucks.Environment>();

function environment(dir: string): nunjucks.Environment {
  let env = environments.get(dir);
  if (!env) {
    env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir, { noCache: false }), {
      autoescape: false,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    // Jinja2's tojson, for values embedded in YAML (quoted safely).
    env.addFilter('tojson', (v: unknown) => JSON.stringify(v ?? null));
    environments.set(dir, env);
  }
  return env;
}

/** Renders `template` from `dir`; throws LavaTemplateError naming the template on any error. */
export function renderLavaJob(dir: string, template: string, vars: LavaTemplateVars): string {
  const file = path.join(dir, template);
  if (path.isAbsolute(template) || !path.resolve(file).startsWith(path.resolve(dir) + path.sep))
    throw new LavaTemplateError(`LAVA template "${template}": must be a path inside ${dir}`);
  let text: string;
  try {
    text = environment(path.resolve(dir)).render(template, vars as unknown as object);
  } catch (err) {
    throw new LavaTemplateError(`LAVA template "${template}": ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new LavaTemplateError(
      `LAVA template "${template}" did not render to YAML: ${(err as Error).message}`,
    );
  }
  const job = doc as Record<string, unknown> | null;
  for (const key of ['device_type', 'job_name', 'actions']) {
    if (!job || typeof job !== 'object' || !(key in job))
      throw new LavaTemplateError(`LAVA template "${template}" rendered a job without "${key}"`);
  }
  return text;
}
