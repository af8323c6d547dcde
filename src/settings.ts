// Every environment variable the system reads, in one typed list. Processes call loadSettings() once at
// start; invalid values are all reported together before anything runs.

export interface SettingDef<T> {
  /** Environment variable name. */
  env: string;
  description: string;
  /** Default shown in docs; undefined means "unset". */
  default?: string;
  parse: (raw: string) => T;
}

function str(raw: string): string {
  return raw;
}

function port(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`must be a port number, got "${raw}"`);
  return n;
}

function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`must be a positive integer, got "${raw}"`);
  return n;
}

function bool(raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`must be true or false, got "${raw}"`);
}

function logLevel(raw: string): string {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) throw new Error(`must be one of ${levels.join(', ')}, got "${raw}"`);
  return raw;
}

function def<T>(d: SettingDef<T> & { default: string }): SettingDef<T> & { default: string } {
  return d;
}

function optional<T>(d: Omit<SettingDef<T>, 'default'>): SettingDef<T> {
  return d;
}

export const SETTINGS = {
  dataDir: def({ env: 'MAESTRO_DATA_DIR', description: 'Where the embedded stack keeps Temporal, FerretDB and storage data', default: '.data', parse: str }),
  mongodbUri: optional({ env: 'MONGODB_URI', description: 'MongoDB connection string; unset = start the embedded FerretDB', parse: str }),
  dbName: def({ env: 'MAESTRO_DB_NAME', description: 'Database name inside MongoDB', default: 'maestro', parse: str }),
  ferretdbPort: def({ env: 'MAESTRO_FERRETDB_PORT', description: 'Port of the embedded FerretDB', default: '27017', parse: port }),
  temporalAddress: optional({ env: 'TEMPORAL_ADDRESS', description: 'Temporal frontend host:port; unset = start the embedded dev server', parse: str }),
  temporalNamespace: def({ env: 'TEMPORAL_NAMESPACE', description: 'Temporal namespace', default: 'default', parse: str }),
  temporalPort: def({ env: 'MAESTRO_TEMPORAL_PORT', description: 'Port of the embedded Temporal dev server', default: '7233', parse: port }),
  temporalUiPort: def({ env: 'MAESTRO_TEMPORAL_UI_PORT', description: 'Port of the embedded Temporal Web UI', default: '8233', parse: port }),
  temporalUiUrl: def({ env: 'TEMPORAL_UI_URL', description: 'Public URL of the Temporal Web UI (for links)', default: 'http://127.0.0.1:8233', parse: str }),
  apiHost: def({ env: 'MAESTRO_API_HOST', description: 'Interface the API listens on', default: '127.0.0.1', parse: str }),
  apiPort: def({ env: 'MAESTRO_API_PORT', description: 'Port the API listens on', default: '8000', parse: port }),
  logLevel: def({ env: 'MAESTRO_LOG_LEVEL', description: 'Log level of API and workers', default: 'info', parse: logLevel }),
  temporalCli: optional({ env: 'TEMPORAL_CLI', description: 'Path of a Temporal CLI binary to use instead of building one', parse: str }),
  ferretdbBin: optional({ env: 'FERRETDB_BIN', description: 'Path of a FerretDB binary to use instead of building one', parse: str }),
  toolsDir: def({ env: 'MAESTRO_TOOLS_DIR', description: 'Cache of built tools', default: '~/.cache/maestro/tools', parse: str }),
  sqliteFastSync: def({ env: 'MAESTRO_TEMPORAL_SQLITE_WAL', description: 'Run the embedded Temporal store in WAL mode with synchronous=normal', default: 'true', parse: bool }),
  workerConcurrency: def({ env: 'MAESTRO_WORKER_CONCURRENCY', description: 'Max concurrent activities per worker', default: '100', parse: positiveInt }),
};

type SettingsShape = typeof SETTINGS;
export type Settings = {
  [K in keyof SettingsShape]: SettingsShape[K] extends SettingDef<infer T>
    ? SettingsShape[K] extends { default: string }
      ? T
      : T | undefined
    : never;
};

export class SettingsError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, d] of Object.entries(SETTINGS) as [string, SettingDef<unknown>][]) {
    const raw = env[d.env] !== undefined && env[d.env] !== '' ? env[d.env] : d.default;
    if (raw === undefined) {
      out[key] = undefined;
      continue;
    }
    try {
      out[key] = d.parse(raw);
    } catch (err) {
      problems.push(`${d.env}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new SettingsError(problems);
  return out as Settings;
}
