// kci on the whole pipeline stack: `kci worker` as the lab, `kci pipeline trigger`, then
// `kci pipeline status` until the revision is done; `kci storage upload`.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import { basicConfig, startPipelineStack, waitFor, type PipelineStack } from '../support/pipeline-stack';
import { ensureCliBuilt, json, jsonLines, kciRunner, type Kci } from './kci';

/** Runs a shell command with a pseudo-terminal as stdout; returns what it printed. */
async function runOnTty(command: string, env: Record<string, string>): Promise<string> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, TERM: 'xterm' };
  delete childEnv.NO_COLOR;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await new Promise((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  return out;
}

describe('kci pipeline, worker and storage on the real stack', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  let kci: Kci;
  let tree: string;
  let worker: ChildProcess;
  let workerOutput = '';

  beforeAll(async () => {
    ensureCliBuilt();
    tree = `k${Date.now().toString(36)}`;
    const repoDir = path.join(testEnv().tmpDir, `repo-${tree}`);
    repo = await createKernelRepo(repoDir);
    stack = await startPipelineStack((ctx) => basicConfig(ctx, { [tree]: `file://${repoDir}` }));
    kci = kciRunner({ KCI_API_URL: `${stack.api.url}/latest`, TEMPORAL_ADDRESS: testEnv().temporalAddress });

    // The lab worker is `kci worker`, a separate process with only Temporal, API and storage access.
    worker = spawn(
      process.execPath,
      [path.resolve(__dirname, '../../dist/cli/index.js'), 'worker', '--runtime', stack.runtime],
      {
        env: {
          ...process.env,
          HOME: kci.home,
          KCI_CONFIG: kci.configFile,
          TEMPORAL_ADDRESS: testEnv().temporalAddress,
          MAESTRO_API_URL: `${stack.api.url}/latest`,
          MAESTRO_API_TOKEN: stack.labToken,
          MAESTRO_STORAGE_TOKEN: stack.storageToken,
          MAESTRO_LAB_WORK_DIR: stack.dir,
          MAESTRO_DATA_DIR: stack.dir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    worker.stdout!.on('data', (d: Buffer) => (workerOutput += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (workerOutput += d.toString()));
    await waitFor(
      'kci worker to poll',
      async () => workerOutput.includes(`polling task queue "runtime/${stack.runtime}"`),
      60_000,
    );
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  });

  it('trigger starts the revision; status follows it until the tree is done', async () => {
    const commit = await repo.commit('mm: fix a leak');
    const triggered = await kci([
      'pipeline',
      'trigger',
      '--tree',
      tree,
      '--task-queue',
      stack.taskQueue,
      '--json',
    ]);
    expect(triggered.stderr).toBe('');
    const result = json(triggered);
    expect(result.started).toHaveLength(1);
    expect(result.started[0]).toContain(commit.slice(0, 12));
    expect(result.errors).toEqual([]);

    const checkout = await waitFor(
      'checkout node',
      async () =>
        (await stack.reader.findNodes({ kind: 'checkout', 'data.kernel_revision.commit': commit })).items[0],
      30_000,
    );
    const status = await kci(
      ['pipeline', 'status', checkout.id, '--wait', '--interval', '1', '--timeout', '150', '--json'],
      { timeoutMs: 170_000 },
    );
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const lines = jsonLines(status);
    const last = lines[lines.length - 1];
    expect(last).toMatchObject({
      checkout: { id: checkout.id, tree, branch: 'master', commit, state: 'done', result: 'pass' },
      jobs: { done: 2, total: 2 },
      tests: { fail: 0, pending: 0 },
      finished: true,
    });
    expect(last.tests.pass).toBeGreaterThan(0);
    expect(last.temporalUi).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent(`KernelCommit="${commit}"`)}`,
    );
    // Progress lines appear only when something changed.
    expect(new Set(status.stdout.trim().split('\n')).size).toBe(lines.length);

    // Without an id: the latest checkout, printed once for people.
    const once = await kci(['pipeline', 'status']);
    expect(once.stdout).toMatch(new RegExp(`^checkout\\s+checkout ${checkout.id}$`, 'm'));
    expect(once.stdout).toMatch(/^jobs\s+\[█{30}\] 2\/2$/m);
    expect(once.stdout).toMatch(/^state\s+done pass$/m);

    // On a terminal (script(1) gives it one): colours and the live block, which ends as the tree is closed.
    const tty = await runOnTty(
      `${process.execPath} ${path.resolve(__dirname, '../../dist/cli/index.js')} pipeline status ${checkout.id}`,
      {
        HOME: kci.home,
        KCI_CONFIG: kci.configFile,
        KCI_API_URL: `${stack.api.url}/latest`,
      },
    );
    expect(tty).toContain('\x1b[');
    // eslint-disable-next-line no-control-regex -- stripping ANSI codes
    expect(tty.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')).toMatch(/jobs\s+\[█{30}\] 2\/2[\s\S]*tree closed/);

    const again = await kci(['pipeline', 'trigger', '--tree', tree, '--task-queue', stack.taskQueue]);
    expect(again.stdout).toBe(`0 started, 1 already known, 0 errors\n  known    ${result.started[0]}\n`);

    const drawn = await kci(['node', 'tree', checkout.id]);
    expect(drawn.stdout).toMatch(/^checkout checkout done pass /);
    expect(drawn.stdout).toMatch(/^└─ kbuild kbuild-x86 done pass /m);
    expect(drawn.stdout).toMatch(/^ {3}└─ job selftest done pass /m);
  });

  it('trigger without TEMPORAL_ADDRESS fails with a message', async () => {
    const res = await kci(['pipeline', 'trigger'], { env: { TEMPORAL_ADDRESS: '' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('kci: error: TEMPORAL_ADDRESS must be set (the Temporal frontend host:port)\n');
  });

  it('storage upload prints the public URL of the file', async () => {
    const file = path.join(kci.home, 'notes.txt');
    fs.writeFileSync(file, 'hello storage\n');
    const env = { MAESTRO_STORAGE_URL: stack.storage.url, MAESTRO_STORAGE_TOKEN: stack.storageToken };
    const res = await kci(['storage', 'upload', file, `kci-${tree}/notes.txt`], { env });
    expect(res.stderr).toBe('');
    const url = res.stdout.trim();
    expect(url).toBe(`${stack.storage.url.replace(/\/+$/, '')}/kci-${tree}/notes.txt`);
    expect(await (await fetch(url)).text()).toBe('hello storage\n');

    const denied = await kci(['storage', 'upload', file], {
      env: { ...env, MAESTRO_STORAGE_TOKEN: 'wrong' },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^kci: error: storage upload of notes\.txt failed: 401/);
  });
});
