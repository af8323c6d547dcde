// Loads and merges YAML configuration files, then validates; every problem names file, line and path.
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, locate, type Origins, type ParsedFile } from './source-map';
import type { PipelineConfig } from './types';
import { TOP_LEVEL_KEYS, validateConfig } from './validate';

export class ConfigError extends Error {
  constructor(public readonly errors: string[]) {
    super(
      `invalid configuration (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map((e) => `  ${e}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const MAP_SECTIONS = ['trees', 'build_configs', 'jobs', 'platforms', 'runtimes'];

/** `MAESTRO_CONFIG` may list files or directories separated by `,` or `:`; a directory means its *.yaml. */
export function expandConfigPaths(spec: string | string[]): string[] {
  const items = Array.isArray(spec) ? spec : spec.split(/[,:]/).filter(Boolean);
  return items.flatMap((item) => {
    if (fs.existsSync(item) && fs.statSync(item).isDirectory()) {
      return fs
        .readdirSync(item)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(item, f));
    }
    return [item];
  });
}

export function loadConfig(paths: string | string[]): { config: PipelineConfig; files: string[] } {
  const files = expandConfigPaths(paths);
  const errors: string[] = [];
  const parsed: ParsedFile[] = [];
  if (!files.length) throw new ConfigError(['no configuration file given (set MAESTRO_CONFIG)']);
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      errors.push(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    text = expandEnv(text, process.env);
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    for (const e of doc.errors)
      errors.push(`${file}:${lines.linePos(e.pos[0]).line} ${e.message.split('\n')[0]}`);
    if (doc.errors.length) continue;
    parsed.push({ file, doc, lines });
  }
  if (errors.length) throw new ConfigError(errors);

  const merged: Record<string, unknown> = {};
  const origins: Origins = { entries: {}, scheduler: [], sections: {} };
  parsed.forEach((pf, fileIndex) => {
    const js = pf.doc.toJS() as unknown;
    if (js === null || js === undefined) return;
    if (typeof js !== 'object' || Array.isArray(js)) {
      errors.push(`${pf.file}:1 the top level must be a map`);
      return;
    }
    for (const [key, value] of Object.entries(js as Record<string, unknown>)) {
      (origins.sections[key] ??= []).push(fileIndex);
      if (key === 'scheduler' && Array.isArray(value)) {
        const list = (merged.scheduler ??= []) as unknown[];
        value.forEach((item, index) => {
          origins.scheduler.push({ file: fileIndex, index });
          list.push(item);
        });
      } else if (
        (MAP_SECTIONS.includes(key) || ['pipeline', 'storage', 'api'].includes(key)) &&
        isPlainMap(value) &&
        isPlainMap(merged[key] ?? {})
      ) {
        const target = (merged[key] ??= {}) as Record<string, unknown>;
        for (const [entry, v] of Object.entries(value)) {
          target[entry] = v;
          (origins.entries[key] ??= {})[entry] = fileIndex;
        }
      } else {
        merged[key] = value;
      }
    }
  });
  if (errors.length) throw new ConfigError(errors);

  const { config, problems } = validateConfig(merged);
  for (const p of problems)
    errors.push(`${locate(parsed, origins, p.path)} ${formatPath(p.path)}: ${p.message}`);
  if (errors.length) throw new ConfigError(errors);
  return { config, files };
}

/**
 * `${VAR}` and `${VAR:-default}` in the file text are replaced from the environment (never spanning
 * lines, so line numbers stay right); `$${VAR}` stays a literal `${VAR}`, e.g. for job commands.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$(\$)?\{([A-Z_][A-Z0-9_]*)(?::-([^}\n]*))?\}/g,
    (match: string, escaped: string | undefined, name: string, fallback?: string) => {
      if (escaped) return match.slice(1);
      const v = env[name];
      return v !== undefined && v !== '' ? v : (fallback ?? '');
    },
  );
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export { TOP_LEVEL_KEYS };
