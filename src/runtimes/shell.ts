// The shell runtime: runs the job's command on the lab host in the unpacked source tree.
// Environment given to the command: ARCH, DEFCONFIG, COMPILER, FRAGMENTS and every other scalar job
// param in upper case; KCI_INPUT_DIR (parent kbuild artifacts), KCI_OUTPUT_DIR, KCI_RESULTS (where a test
// command writes its JSON summary), KCI_NODE_ID, KCI_JOB, KCI_PLATFORM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { JobRuntime, RunJobInput, RuntimeContext, RuntimeOutcome } from './runtime';
import { collectOutcome, jobEnvironment, prepareWorkspace, type Workspace } from './workspace';

const HEARTBEAT_EVERY_MS = 2000;

/** Process groups of running commands: killed if this worker process exits (they run detached). */
const runningGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of runningGroups) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  runningGroups.add(pid);
}

export class ShellRuntime implements JobRuntime {
  readonly type = 'shell' as const;

  async run(input: RunJobInput, ctx: RuntimeContext): Promise<RuntimeOutcome> {
    const ws = await prepareWorkspace(input, ctx);
    const exitCode = await this.execute(input, ctx, ws);
    return collectOutcome(input, ctx, ws, exitCode);
  }

  private execute(input: RunJobInput, ctx: RuntimeContext, ws: Workspace): Promise<number> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...jobEnvironment(input, ws) };
    return new Promise<number>((resolve, reject) => {
      const log = fs.createWriteStream(ws.logFile);
      // Own process group, so a cancelled job's whole command tree can be killed.
      const child = spawn('sh', ['-c', input.job.command], {
        cwd: ws.srcDir,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (child.pid) trackGroup(child.pid);
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      const beat = setInterval(() => ctx.heartbeat({ step: 'command', pid: child.pid }), HEARTBEAT_EVERY_MS);
      const killGroup = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const onAbort = () => killGroup();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err) => {
        clearInterval(beat);
        log.end();
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearInterval(beat);
        if (child.pid) runningGroups.delete(child.pid);
        ctx.signal.removeEventListener('abort', onAbort);
        log.end(() => {
          if (ctx.signal.aborted) reject(ctx.signal.reason ?? new Error('job cancelled'));
          else resolve(code ?? (signal ? 128 : 1));
        });
      });
    });
  }
}
