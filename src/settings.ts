// Every environment variable the system reads, in one typed list. Processes call loadSettings() once at
// start; invalid values are all reported together before anything runs.
import { parseDuration } from './config/duration';

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

/** Whole seconds, from `3600`, `90s`, `30m`, `12h` or `7d`. */
function durationSeconds(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0 || ms % 1000 !== 0)
    throw new Error(`must be a duration like 3600, 30m, 12h or 7d, got "${raw}"`);
  return ms / 1000;
}

/** Milliseconds, from `250ms`, `3s`, `30m`, `12h`, `7d` or a plain number of seconds. */
function durationMs(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0) throw new Error(`must be a duration like 250ms, 30s, 5m or 7d, got "${raw}"`);
  return ms;
}

function def<T>(d: SettingDef<T> & { default: string }): SettingDef<T> & { default: string } {
  return d;
}

function optional<T>(d: Omit<SettingDef<T>, 'default'>): SettingDef<T> {
  return d;
}

export const SETTINGS = {
  dataDir: def({
    env: 'MAESTRO_DATA_DIR',
    description: 'Where the embedded stack keeps Temporal, PostgreSQL and storage data',
    default: '.data',
    parse: str,
  }),
  databaseUrl: optional({
    env: 'DATABASE_URL',
    description: 'PostgreSQL connection string; unset (and no MONGODB_URI) = start the embedded PostgreSQL',
    parse: str,
  }),
  mongodbUri: optional({
    env: 'MONGODB_URI',
    description: 'MongoDB connection string: selects the MongoDB backend instead of PostgreSQL',
    parse: str,
  }),
  dbName: def({
    env: 'MAESTRO_DB_NAME',
    description: 'Database name (MongoDB; and the embedded PostgreSQL database)',
    default: 'maestro',
    parse: str,
  }),
  postgresPort: def({
    env: 'MAESTRO_POSTGRES_PORT',
    description: 'Port of the embedded PostgreSQL',
    default: '5433',
    parse: port,
  }),
  dbPoolSize: optional({
    env: 'MAESTRO_DB_POOL_SIZE',
    description: 'PostgreSQL connections per process (default: 4 per core, at least 8)',
    parse: positiveInt,
  }),
  queryTimeout: def({
    env: 'MAESTRO_QUERY_TIMEOUT',
    description: 'Statement timeout of node filter queries (/nodes, /count); a query cut off is a 400',
    default: '10s',
    parse: durationMs,
  }),
  temporalAddress: optional({
    env: 'TEMPORAL_ADDRESS',
    description: 'Temporal frontend host:port; unset = start the embedded dev server',
    parse: str,
  }),
  temporalNamespace: def({
    env: 'TEMPORAL_NAMESPACE',
    description: 'Temporal namespace',
    default: 'default',
    parse: str,
  }),
  temporalPort: def({
    env: 'MAESTRO_TEMPORAL_PORT',
    description: 'Port of the embedded Temporal dev server',
    default: '7233',
    parse: port,
  }),
  temporalUiPort: def({
    env: 'MAESTRO_TEMPORAL_UI_PORT',
    description: 'Port of the embedded Temporal Web UI',
    default: '8233',
    parse: port,
  }),
  temporalUiUrl: def({
    env: 'TEMPORAL_UI_URL',
    description: 'Public URL of the Temporal Web UI (for links)',
    default: 'http://127.0.0.1:8233',
    parse: str,
  }),
  pipelineConfig: def({
    env: 'MAESTRO_CONFIG',
    description: 'Pipeline configuration: YAML files or directories, separated by "," or ":"',
    default: 'config/local.yaml',
    parse: str,
  }),
  storageHost: def({
    env: 'MAESTRO_STORAGE_HOST',
    description: 'Interface the storage service listens on',
    default: '127.0.0.1',
    parse: str,
  }),
  storagePort: def({
    env: 'MAESTRO_STORAGE_PORT',
    description: 'Port of the embedded HTTP storage service',
    default: '8010',
    parse: port,
  }),
  storageToken: optional({
    env: 'MAESTRO_STORAGE_TOKEN',
    description: 'Bearer token for uploads to the storage service; unset = generated once under the data dir',
    parse: str,
  }),
  storageUploadUrl: optional({
    env: 'MAESTRO_STORAGE_UPLOAD_URL',
    description:
      'Lab worker: storage upload base URL; unset = the pipeline config storage upload_url/base_url',
    parse: str,
  }),
  storagePublicUrl: optional({
    env: 'MAESTRO_STORAGE_URL',
    description: 'Lab worker: public storage base URL (download); unset = taken from the job',
    parse: str,
  }),
  labApiUrl: optional({
    env: 'MAESTRO_API_URL',
    description: 'Lab worker: API base URL, e.g. http://host:8000/latest',
    parse: str,
  }),
  labApiToken: optional({
    env: 'MAESTRO_API_TOKEN',
    description: 'Lab worker: its own API token (a user in runtime:<name>:node-editor)',
    parse: str,
  }),
  labWorkDir: optional({
    env: 'MAESTRO_LAB_WORK_DIR',
    description: 'Lab worker: scratch directory for job work trees; unset = the system temp dir',
    parse: str,
  }),
  lavaToken: optional({
    env: 'MAESTRO_LAVA_TOKEN',
    description: 'LAVA lab worker: API token of the LAVA user that submits jobs',
    parse: str,
  }),
  lavaCallbackHost: def({
    env: 'MAESTRO_LAVA_CALLBACK_HOST',
    description: 'LAVA lab worker: interface the callback receiver listens on',
    default: '127.0.0.1',
    parse: str,
  }),
  lavaCallbackPort: def({
    env: 'MAESTRO_LAVA_CALLBACK_PORT',
    description: 'LAVA lab worker: port of the callback receiver (keep it fixed: LAVA jobs carry the URL)',
    default: '8020',
    parse: port,
  }),
  lavaCallbackUrl: optional({
    env: 'MAESTRO_LAVA_CALLBACK_URL',
    description: 'LAVA lab worker: base URL the LAVA server posts callbacks to; unset = http://HOST:PORT',
    parse: str,
  }),
  lavaStateDir: optional({
    env: 'MAESTRO_LAVA_STATE_DIR',
    description: 'LAVA lab worker: where jobs waiting for a callback are kept; unset = DATA_DIR/lava/RUNTIME',
    parse: str,
  }),
  dockerHost: optional({
    env: 'DOCKER_HOST',
    description:
      'Lab worker (docker runtime): container engine API, e.g. unix:///run/podman/podman.sock; unset = /var/run/docker.sock',
    parse: str,
  }),
  kubeconfig: optional({
    env: 'KUBECONFIG',
    description:
      'Lab worker (kubernetes runtime): kubeconfig file; unset = ~/.kube/config or in-cluster credentials',
    parse: str,
  }),
  webhookSecret: optional({
    env: 'MAESTRO_WEBHOOK_SECRET',
    description:
      'Shared secret of POST /webhook/git (GitHub/Gitea HMAC key, GitLab token); unset = the webhook answers 404',
    parse: str,
  }),
  smtpUrl: optional({
    env: 'MAESTRO_SMTP_URL',
    description: 'Outgoing mail server, e.g. smtp://user:pass@mail.example:587; unset = no mail is sent',
    parse: str,
  }),
  mailFrom: def({
    env: 'MAESTRO_MAIL_FROM',
    description: 'Sender address of every mail the system sends',
    default: 'KernelCI Maestro <maestro@localhost>',
    parse: str,
  }),
  kcidbUrl: optional({
    env: 'MAESTRO_KCIDB_URL',
    description:
      'KCIDB REST receiver base URL (reports go to <url>/submit); unset = nothing is sent to KCIDB',
    parse: str,
  }),
  kcidbToken: optional({
    env: 'MAESTRO_KCIDB_TOKEN',
    description: 'Bearer token (JWT) for the KCIDB REST receiver',
    parse: str,
  }),
  kciConfig: optional({
    env: 'KCI_CONFIG',
    description: 'kci: its settings file; unset = ~/.config/kci/config.toml',
    parse: str,
  }),
  kciApiUrl: optional({
    env: 'KCI_API_URL',
    description: 'kci: API base URL, overriding the selected instance of the settings file',
    parse: str,
  }),
  kciApiToken: optional({
    env: 'KCI_API_TOKEN',
    description: 'kci: API token, overriding the one stored for the selected instance',
    parse: str,
  }),
  apiHost: def({
    env: 'MAESTRO_API_HOST',
    description: 'Interface the API listens on',
    default: '127.0.0.1',
    parse: str,
  }),
  apiPort: def({
    env: 'MAESTRO_API_PORT',
    description: 'Port the API listens on',
    default: '8000',
    parse: port,
  }),
  logLevel: def({
    env: 'MAESTRO_LOG_LEVEL',
    description: 'Log level of API and workers',
    default: 'info',
    parse: logLevel,
  }),
  temporalCli: optional({
    env: 'TEMPORAL_CLI',
    description: 'Path of a Temporal CLI binary to use instead of building one',
    parse: str,
  }),
  ferretdbBin: optional({
    env: 'FERRETDB_BIN',
    description: 'Path of a FerretDB binary to use instead of building one',
    parse: str,
  }),
  toolsDir: def({
    env: 'MAESTRO_TOOLS_DIR',
    description: 'Cache of built tools',
    default: '~/.cache/maestro/tools',
    parse: str,
  }),
  sqliteFastSync: def({
    env: 'MAESTRO_TEMPORAL_SQLITE_WAL',
    description: 'Run the embedded Temporal store in WAL mode with synchronous=normal',
    default: 'true',
    parse: bool,
  }),
  workerConcurrency: def({
    env: 'MAESTRO_WORKER_CONCURRENCY',
    description: 'Max concurrent activities per worker',
    default: '100',
    parse: positiveInt,
  }),
  bodyLimit: def({
    env: 'MAESTRO_BODY_LIMIT',
    description: 'Largest accepted API request body, in bytes (larger: 413)',
    default: '16777216',
    parse: positiveInt,
  }),
  secretKey: optional({
    env: 'MAESTRO_SECRET_KEY',
    description:
      'HS256 key signing API tokens (at least 32 characters); unset = generated once and kept in the database',
    parse: (raw) => {
      if (raw.length < 32)
        throw new Error(`must be at least 32 characters (e.g. openssl rand -hex 32), got ${raw.length}`);
      return raw;
    },
  }),
  tokenLifetime: def({
    env: 'MAESTRO_TOKEN_LIFETIME',
    description: 'Default (and longest) lifetime of an everyday API token',
    default: '30d',
    parse: durationSeconds,
  }),
  adminTokenLifetime: def({
    env: 'MAESTRO_ADMIN_TOKEN_LIFETIME',
    description: 'Default (and longest) lifetime of an admin-scope API token',
    default: '1h',
    parse: durationSeconds,
  }),
  inviteLifetime: def({
    env: 'MAESTRO_INVITE_LIFETIME',
    description: 'How long a user invite token stays valid',
    default: '7d',
    parse: durationSeconds,
  }),
  passwordMinLength: def({
    env: 'MAESTRO_PASSWORD_MIN_LENGTH',
    description:
      'Shortest password accepted when one is set (accept invite, update, reset); upstream accepts any length',
    default: '8',
    parse: positiveInt,
  }),
  passwordResetLifetime: def({
    env: 'MAESTRO_PASSWORD_RESET_LIFETIME',
    description: 'How long a password reset token sent by POST /user/forgot-password stays valid',
    default: '1h',
    parse: durationSeconds,
  }),
  adminUsername: def({
    env: 'MAESTRO_ADMIN_USERNAME',
    description: 'First admin, created on API start when no superuser exists',
    default: 'admin',
    parse: str,
  }),
  adminPassword: optional({
    env: 'MAESTRO_ADMIN_PASSWORD',
    description: 'Password of the first admin; unset = generated and printed once in the API log',
    parse: str,
  }),
  adminEmail: def({
    env: 'MAESTRO_ADMIN_EMAIL',
    description: 'E-mail of the first admin',
    default: 'admin@localhost',
    parse: str,
  }),
  authCacheMs: def({
    env: 'MAESTRO_AUTH_CACHE_MS',
    description:
      'How long an API replica reuses a verified token (ms; 0 = check the database on every request); bounds how late another replica sees a revocation',
    default: '1000',
    parse: (raw) => (raw === '0' ? 0 : positiveInt(raw)),
  }),
  publicApiUrl: optional({
    env: 'MAESTRO_PUBLIC_URL',
    description: 'Public base URL of the API, for links such as invite URLs; unset = taken from the request',
    parse: str,
  }),
  eventRetention: def({
    env: 'MAESTRO_EVENT_RETENTION',
    description: 'How long the event history is kept (durable subscribers resume within it)',
    default: '7d',
    parse: durationMs,
  }),
  eventPollInterval: def({
    env: 'MAESTRO_EVENT_POLL_INTERVAL',
    description: 'How often each API process polls the database for events published elsewhere',
    default: '25ms',
    parse: durationMs,
  }),
  eventGapWait: def({
    env: 'MAESTRO_EVENT_GAP_WAIT',
    description: 'How long subscribers wait for a missing sequence number before declaring it void',
    default: '3s',
    parse: durationMs,
  }),
  eventBufferSize: def({
    env: 'MAESTRO_EVENT_BUFFER',
    description: 'Recent events each API process keeps in memory for subscribers that are behind',
    default: '20000',
    parse: positiveInt,
  }),
  eventSource: def({
    env: 'MAESTRO_EVENT_SOURCE',
    description: 'CloudEvents `source` of events the API publishes',
    default: 'https://api.kernelci.org/',
    parse: str,
  }),
  listenTimeout: def({
    env: 'MAESTRO_LISTEN_TIMEOUT',
    description: 'Longest a GET /listen long-poll waits before a keep-alive answer',
    default: '30s',
    parse: durationMs,
  }),
  subscriptionIdleTimeout: def({
    env: 'MAESTRO_SUBSCRIPTION_IDLE_TIMEOUT',
    description: 'Non-durable subscriptions not polled for this long are removed',
    default: '30m',
    parse: durationMs,
  }),
  nodeTimeout: def({
    env: 'MAESTRO_NODE_TIMEOUT',
    description: 'Default timeout of a new node, after its creation',
    default: '6h',
    parse: durationMs,
  }),
  checkoutTimeout: def({
    env: 'MAESTRO_CHECKOUT_TIMEOUT',
    description: 'Default timeout of a new checkout node, after its creation',
    default: '3h',
    parse: durationMs,
  }),
  nodeEventRecoveryInterval: def({
    env: 'MAESTRO_NODE_EVENT_RECOVERY_INTERVAL',
    description:
      'MongoDB backend: how often API and pipeline worker re-deliver node events left pending by a crash (and how old they must be)',
    default: '30s',
    parse: durationMs,
  }),
  queueVisibilityTimeout: def({
    env: 'MAESTRO_QUEUE_VISIBILITY_TIMEOUT',
    description: 'A popped queue item not acknowledged within this time is delivered again',
    default: '5m',
    parse: durationMs,
  }),
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
