// kci's own settings: ~/.config/kci/config.toml (or $KCI_CONFIG) with named API instances.
//
//   default = "local"
//   [api.local]
//   url = "http://127.0.0.1:8000/latest"
//   token = "eyJ…"
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SETTINGS } from '../settings';
import { CliError } from './errors';

// smol-toml ships CommonJS (its "require" export), but TypeScript only sees its ESM typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse, stringify } = require('smol-toml') as typeof import('smol-toml', {
  with: { 'resolution-mode': 'require' },
});

export interface ApiInstance {
  url: string;
  token?: string;
}

export interface KciSettings {
  default?: string;
  api: Record<string, ApiInstance>;
}

export const DEFAULT_API_NAME = 'local';
export const DEFAULT_API_URL = 'http://127.0.0.1:8000/latest';

export function settingsPath(env: NodeJS.ProcessEnv = process.env): string {
  const file = env[SETTINGS.kciConfig.env];
  if (file) return path.resolve(file);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'kci', 'config.toml');
}

export function readSettings(file = settingsPath()): KciSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { api: {} };
    throw err;
  }
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const api: Record<string, ApiInstance> = {};
  const table = (raw.api ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, entry] of Object.entries(table)) {
    if (typeof entry?.url !== 'string') throw new CliError(`${file}: api.${name}.url must be a string`);
    api[name] = { url: entry.url, token: typeof entry.token === 'string' ? entry.token : undefined };
  }
  return { default: typeof raw.default === 'string' ? raw.default : undefined, api };
}

/** Writes the file readable by its owner only: it holds tokens. */
export function writeSettings(settings: KciSettings, file = settingsPath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const doc: Record<string, unknown> = {};
  if (settings.default) doc.default = settings.default;
  doc.api = settings.api;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, stringify(doc) + '\n', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export interface ResolvedApi {
  name: string;
  url: string;
  token?: string;
}

/**
 * The API instance to talk to: `--api NAME`, else the file's default, else "local"; then KCI_API_URL and
 * KCI_API_TOKEN override its URL and token.
 */
export function resolveApi(apiName: string | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedApi {
  const settings = readSettings(settingsPath(env));
  const name =
    apiName ??
    settings.default ??
    (Object.keys(settings.api).length === 1 ? Object.keys(settings.api)[0] : DEFAULT_API_NAME);
  const entry = settings.api[name];
  const envUrl = env[SETTINGS.kciApiUrl.env];
  const envToken = env[SETTINGS.kciApiToken.env];
  if (apiName && !entry && !envUrl) {
    const known = Object.keys(settings.api);
    throw new CliError(
      `no API instance named "${apiName}" in ${settingsPath(env)}` +
        (known.length ? ` (known: ${known.join(', ')})` : '; add one with `kci login --api NAME --url URL`'),
    );
  }
  return {
    name,
    url: envUrl || entry?.url || DEFAULT_API_URL,
    token: envToken || entry?.token,
  };
}
