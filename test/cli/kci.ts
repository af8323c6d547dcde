// Running the BUILT kci binary as a subprocess, with a private HOME and settings file per test file.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'dist', 'cli', 'index.js');
/** A source newer than its compiled output means a rebuild (`npm test` builds first anyway). */
function staleOutputs(): string[] {
  const srcDir = path.join(ROOT, 'src');
  const stale: string[] = [];
  for (const rel of fs.readdirSync(srcDir, { recursive: true }) as string[]) {
    if (!rel.endsWith('.ts') || rel.endsWith('.test.ts')) continue;
    const out = path.join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
    const src = path.join(srcDir, rel);
    if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) stale.push(src);
  }
  return stale;
}

/** Builds dist/ when the CLI's sources changed since the last build (one builder at a time). */
export function ensureCliBuilt(): void {
  const fresh = () => fs.existsSync(BIN) && staleOutputs().length === 0;
  if (fresh()) return executable();
  const lock = path.join(os.tmpdir(), 'maestro-kci-build.lock');
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      // A lock left by a killed run.
      if ((fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < Date.now() - 300_000)
        fs.rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    // Another test file may have built while this one waited for the lock.
    // tsc exits non-zero on a type error anywhere in the tree but still emits.
    if (!fresh()) spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  if (!fs.existsSync(BIN)) throw new Error('dist/cli/index.js was not built');
  executable();
}

/** As `npm run build` leaves it: `npx kci` runs the package's bin file itself. */
function executable(): void {
  fs.chmodSync(BIN, 0o755);
}

export interface KciResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Kci {
  (
    args: string[],
    opts?: { input?: string; env?: Record<string, string | undefined>; timeoutMs?: number },
  ): Promise<KciResult>;
  home: string;
  configFile: string;
  env: Record<string, string | undefined>;
  /** Writes `value` as JSON to a file in the runner's HOME; returns its path (for `submit`, `send`, …). */
  file(name: string, value: unknown): string;
}

/** A kci runner with its own HOME and KCI_CONFIG; `env` applies to every call. */
export function kciRunner(env: Record<string, string | undefined> = {}): Kci {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kci-home-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
  const configFile = path.join(home, '.config', 'kci', 'config.toml');
  const baseEnv: Record<string, string | undefined> = {
    ...process.env,
    HOME: home,
    KCI_CONFIG: configFile,
    NO_COLOR: '1',
  };
  for (const key of ['KCI_API_URL', 'KCI_API_TOKEN', 'FORCE_COLOR', 'XDG_CONFIG_HOME']) delete baseEnv[key];
  const shared = { ...env };
  const run = (async (args, opts = {}) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...baseEnv, ...shared, ...opts.env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, stdout, stderr };
  }) as Kci;
  run.home = home;
  run.configFile = configFile;
  run.env = shared;
  run.file = (name, value) => {
    const p = path.join(home, name);
    fs.writeFileSync(p, JSON.stringify(value));
    return p;
  };
  return run;
}

/** Parses stdout as one JSON document, failing with the output when it is not. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
export function json<T = any>(res: KciResult): T {
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    throw new Error(
      `kci did not print JSON (exit ${res.code}):\nstdout: ${res.stdout}\nstderr: ${res.stderr}`,
    );
  }
}

/** Parses stdout as JSON lines. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
export function jsonLines<T = any>(res: KciResult): T[] {
  return res.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}
