// The parts every runtime that runs on (or next to) the lab host shares: the job's work tree (source
// unpacked, parent artifacts downloaded), the environment given to the command, and the outcome built
// from what the command left behind (log and artifacts uploaded, test summary parsed).
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { downloadTo } from '../storage/http-backend';
import type { RunJobInput, RuntimeContext, RuntimeOutcome, TestOutcome } from './runtime';
import { parseResults } from '../results';

export interface Workspace {
  /** Unpacked source tree; the command's working directory. */
  srcDir: string;
  /** Parent kbuild artifacts, by name. */
  inputDir: string;
  /** Anything the command leaves here is kept with the job's log. */
  outputDir: string;
  /** Where a test command writes its results: the JSON summary or KTAP. */
  results: string;
  logFile: string;
}

/** The layout under a work directory (on the host, or as a container sees its mount). */
export function workspaceLayout(root: string, join = path.join): Workspace {
  return {
    srcDir: join(root, 'src'),
    inputDir: join(root, 'input'),
    outputDir: join(root, 'output'),
    results: join(root, 'results.json'),
    logFile: join(root, 'output', 'log.txt'),
  };
}

/** Downloads and unpacks the source, downloads parent artifacts. Infrastructure errors throw (retried). */
export async function prepareWorkspace(input: RunJobInput, ctx: RuntimeContext): Promise<Workspace> {
  const ws = workspaceLayout(ctx.workDir);
  await Promise.all(
    [ws.srcDir, ws.inputDir, ws.outputDir].map((d) => fs.promises.mkdir(d, { recursive: true })),
  );
  const tarball = path.join(ctx.workDir, 'source.tar.gz');
  await downloadTo(input.tarballUrl, tarball);
  ctx.heartbeat({ step: 'unpack' });
  await tar.x({ file: tarball, cwd: ws.srcDir, strip: 1 });
  await fs.promises.rm(tarball);
  for (const [name, url] of Object.entries(input.inputArtifacts)) {
    await downloadTo(url, path.join(ws.inputDir, name));
  }
  return ws;
}

/**
 * The command's environment: KCI_NODE_ID, KCI_JOB, KCI_PLATFORM, the work tree's directories, and every
 * scalar job param in upper case (lists joined by spaces).
 */
export function jobEnvironment(input: RunJobInput, ws: Workspace): Record<string, string> {
  const env: Record<string, string> = {
    KCI_INPUT_DIR: ws.inputDir,
    KCI_OUTPUT_DIR: ws.outputDir,
    KCI_RESULTS: ws.results,
    KCI_NODE_ID: input.nodeId,
    KCI_JOB: input.job.name,
    KCI_PLATFORM: input.job.platform,
  };
  for (const [key, value] of Object.entries(input.job.params)) {
    if (Array.isArray(value)) env[key.toUpperCase()] = value.join(' ');
    else if (value !== null && typeof value !== 'object') env[key.toUpperCase()] = String(value);
  }
  return env;
}

/** Uploads the log and the declared artifacts, parses the test summary and decides the outcome. */
export async function collectOutcome(
  input: RunJobInput,
  ctx: RuntimeContext,
  ws: Workspace,
  exitCode: number,
): Promise<RuntimeOutcome> {
  const artifacts: Record<string, string> = {};
  const upload = async (name: string, file: string) => {
    artifacts[name] = await ctx.storage.upload(`${input.storagePrefix}/${path.basename(file)}`, file);
  };
  await upload(input.job.kind === 'kbuild' ? 'build_log' : 'log', ws.logFile);
  const missing: string[] = [];
  for (const [name, rel] of Object.entries(input.job.artifacts)) {
    const file = path.resolve(ws.srcDir, rel);
    if (!file.startsWith(ws.srcDir + path.sep) || !fs.existsSync(file)) {
      missing.push(rel);
      continue;
    }
    await upload(name, file);
  }

  let tests: TestOutcome[] = [];
  let summaryError: string | undefined;
  if (fs.existsSync(ws.results)) {
    try {
      tests = parseResults(await fs.promises.readFile(ws.results, 'utf8'));
    } catch (err) {
      summaryError = (err as Error).message;
    }
  }
  return decideOutcome(input, { exitCode, artifacts, tests, summaryError, missing });
}

/** The outcome from what a job left behind, the same for every runtime. */
export function decideOutcome(
  input: RunJobInput,
  r: {
    exitCode: number;
    artifacts: Record<string, string>;
    tests: TestOutcome[];
    summaryError?: string;
    missing: string[];
  },
): RuntimeOutcome {
  const { artifacts, tests } = r;
  if (r.exitCode !== 0) {
    return { status: 'fail', errorMsg: `command exited with status ${r.exitCode}`, artifacts, tests };
  }
  if (r.summaryError)
    return {
      status: 'incomplete',
      errorCode: 'invalid_job_params',
      errorMsg: r.summaryError,
      artifacts,
      tests,
    };
  if (r.missing.length && input.job.kind === 'kbuild') {
    return {
      status: 'fail',
      errorCode: 'kbuild_internal_error',
      errorMsg: `missing build output: ${r.missing.join(', ')}`,
      artifacts,
      tests,
    };
  }
  return { status: 'pass', artifacts, tests };
}
