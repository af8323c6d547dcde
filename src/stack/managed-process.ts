import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import readline from 'node:readline';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where prefixed log lines go; default process.stderr. `null` discards them. */
  log?: ((line: string) => void) | null;
  /** Run as another user (PostgreSQL refuses to run as root). */
  spawn?: { uid: number; gid: number };
}

/** A child process whose output is prefixed with its name and which can be stopped gracefully. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private alive = true;

  constructor(readonly opts: ManagedProcessOptions) {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...opts.spawn,
    };
    this.child = spawn(opts.command, opts.args, spawnOpts);
    const sink = opts.log === undefined ? (line: string) => process.stderr.write(line + '\n') : opts.log;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      const rl = readline.createInterface({ input: stream });
      rl.on('line', (line) => sink?.(`[${opts.name}] ${line}`));
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.alive = false;
        resolve(code ?? (signal ? 128 : null));
      });
      this.child.once('error', (err) => {
        this.alive = false;
        sink?.(`[${opts.name}] failed to start: ${err.message}`);
        resolve(127);
      });
    });
  }

  get isAlive(): boolean {
    return this.alive;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `signal` (SIGTERM), then SIGKILL after graceMs. */
  async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.alive && this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Immediate SIGKILL (used by resilience tests). */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
