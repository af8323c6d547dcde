// Killing the lab worker process mid-job: a new lab worker picks the job up (heartbeat timeout → retry),
// the job completes, and no node is duplicated.
import fs from 'node:fs/promises';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { triggerNow } from '../../src/workflows/pipeline/client';
import { testEnv, uniqueSuffix } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import {
  basicConfig,
  startPipelineStack,
  treeNodes,
  waitFor,
  type PipelineStack,
} from '../support/pipeline-stack';

const ROOT = path.resolve(__dirname, '../..');

async function distIsStale(): Promise<boolean> {
  const built = await fs.stat(path.join(ROOT, 'dist/workers/lab-main.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  for (const dir of [
    'src/workers',
    'src/activities/lab',
    'src/runtimes',
    'src/storage',
    'src/client',
    'src/settings.ts',
  ]) {
    const entries = dir.endsWith('.ts') ? [''] : await fs.readdir(path.join(ROOT, dir), { recursive: true });
    for (const e of entries) {
      const stat = await fs.stat(path.join(ROOT, dir, String(e)));
      if (stat.isFile() && stat.mtimeMs > built) return true;
    }
  }
  return false;
}

describe('lab worker killed mid-job', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  const tree = `slow-${uniqueSuffix()}`;

  beforeAll(async () => {
    // The lab runs compiled code as a separate process: build it unless dist is newer than its sources.
    if (await distIsStale()) {
      await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(
        () => undefined,
      );
    }
    repo = await createKernelRepo(path.join(testEnv().tmpDir, `repo-${tree}`), 'slow');
    stack = await startPipelineStack((ctx) =>
      basicConfig(ctx, { [tree]: repo.url }, { holdoff: '1s', heartbeat_timeout: '3s' }),
    );
  });

  it('a new lab worker completes the job; no duplicate nodes', async () => {
    const marker = path.join(stack.dir, 'builds.log');
    const firstLab = stack.startLabProcess({ KCI_TEST_MARKER: marker });
    const triggered = await triggerNow(stack.client, { tree, taskQueue: stack.taskQueue });
    expect(triggered.started).toHaveLength(1);
    // The (6 s) build is running on the first lab: kill that process.
    await waitFor(
      'the build to start',
      async () => (await fs.readFile(marker, 'utf8').catch(() => '')).includes('build'),
      30_000,
    );
    await firstLab.kill();
    const secondLab = stack.startLabProcess({ KCI_TEST_MARKER: marker });

    const result = await stack.client.workflow.getHandle(triggered.started[0]).result();
    await secondLab.stop();
    expect(result.result).toBe('pass');
    const nodes = await treeNodes(stack.reader, result.nodeId);
    const kbuilds = nodes.filter((n) => n.kind === 'kbuild');
    expect(kbuilds).toHaveLength(1);
    expect(kbuilds[0]).toMatchObject({ state: 'done', result: 'pass' });
    expect(nodes.filter((n) => n.kind === 'job')).toHaveLength(1);
    expect(nodes.filter((n) => n.kind === 'test')).toHaveLength(4);
    const builds = (await fs.readFile(marker, 'utf8')).trim().split('\n');
    expect(builds).toEqual([`build ${kbuilds[0].id}`, `build ${kbuilds[0].id}`]);
  });
});
