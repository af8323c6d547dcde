// The shell runtime: runs the job's command on the lab host in the unpacked source tree.
// Environment given to the command: ARCH, DEFCONFIG, COMPILER, FRAGMENTS and every other scalar job
// param in upper case; KCI_INPUT_DIR (parent kbuild artifacts), KCI_OUTPUT_DIR, KCI_RESULTS (where a test
// command writes its JSON summary), KCI_NODE_ID, KCI_JOB, KCI_PLATFORM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { downloadTo } from '../storage/http-backend';
import type { JobRuntime, RunJobInput, RuntimeContext, RuntimeOutcome, TestOutcome } from './runtime';
import { parseResults } from '../results';

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
    const srcDir = path.join(ctx.workDir, 'src');
    const inputDir = path.join(ctx.workDir, 'input');
    const outputDir = path.join(ctx.workDir, 'output');
    await Promise.all([srcDir, inputDir, outputDir].map((d) => fs.promises.mkdir(d, { recursive: true })));

    // Infrastructure errors (download, unpack) throw: the activity retries them.
    const tarball = path.join(ctx.workDir, 'source.tar.gz');
    await downloadTo(input.tarballUrl, tarball);
    ctx.heartbeat({ step: 'unpack' });
    await tar.x({ file: tarball, cwd: srcDir, strip: 1 });
    await fs.promises.rm(tarball);
    for (const [name, url] of Object.entries(input.inputArtifacts)) {
      await downloadTo(url, path.join(inputDir, name));
    }

    const results = path.join(ctx.workDir, 'results.json');
    const logFile = path.join(outputDir, 'log.txt');
    const exitCode = await this.execute(
      input,
      ctx,
      srcDir,
      { KCI_INPUT_DIR: inputDir, KCI_OUTPUT_DIR: outputDir, KCI_RESULTS: results },
      logFile,
    );

    const artifacts: Record<string, string> = {};
    const upload = async (name: string, file: string) => {
      artifacts[name] = await ctx.storage.upload(`${input.storagePrefix}/${path.basename(file)}`, file);
    };
    await upload(input.job.kind === 'kbuild' ? 'build_log' : 'log', logFile);
    const missing: string[] = [];
    for (const [name, rel] of Object.entries(input.job.artifacts)) {
      const file = path.resolve(srcDir, rel);
      if (!file.startsWith(srcDir + path.sep) || !fs.existsSync(file)) {
        missing.push(rel);
        continue;
      }
      await upload(name, file);
    }

    let tests: TestOutcome[] = [];
    let summaryError: string | undefined;
    if (fs.existsSync(results)) {
      try {
        tests = parseResults(await fs.promises.readFile(results, 'utf8'));
      } catch (err) {
        summaryError = (err as Error).message;
      }
    }

    if (exitCode !== 0) {
      return { status: 'fail', errorMsg: `command exited with status ${exitCode}`, artifacts, tests };
    }
    if (summaryError)
      return {
        status: 'incomplete',
        errorCode: 'invalid_job_params',
        errorMsg: summaryError,
        artifacts,
        tests,
      };
    if (missing.length && input.job.kind === 'kbuild') {
      return {
        status: 'fail',
        errorCode: 'kbuild_internal_error',
        errorMsg: `missing build output: ${missing.join(', ')}`,
        artifacts,
        tests,
      };
    }
    return { status: 'pass', artifacts, tests };
  }

  private execute(
    input: RunJobInput,
    ctx: RuntimeContext,
    cwd: string,
    dirs: Record<string, string>,
    logFile: string,
  ): Promise<number> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...dirs,
      KCI_NODE_ID: input.nodeId,
      KCI_JOB: input.job.name,
      KCI_PLATFORM: input.job.platform,
    };
    for (const [key, value] of Object.entries(input.job.params)) {
      if (Array.isArray(value)) env[key.toUpperCase()] = value.join(' ');
      else if (value !== null && typeof value !== 'object') env[key.toUpperCase()] = String(value);
    }
    return new Promise<number>((resolve, reject) => {
      const log = fs.createWriteStream(logFile);
      // Own process group, so a cancelled job's whole command tree can be killed.
      const child = spawn('sh', ['-c', input.job.command], {
        cwd,
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
