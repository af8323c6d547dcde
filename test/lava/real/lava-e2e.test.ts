// A revision on the real stack with a LAVA runtime, against the real LAVA server of scripts/lava/setup.sh
// (lava-server + lava-dispatcher 2023.01, one QEMU device, software emulation): the kbuild (shell lab)
// hands over Debian's kernel, the LAVA lab worker submits the boot test, LAVA boots it with a busybox
// initramfs served from our storage service and runs the inline test definition, and the results come
// back through LAVA's callback. The LAVA lab worker is killed while LAVA runs the job; nothing is lost.
// Run with `npm run test:lava` (needs root once for scripts/lava/setup.sh).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../../src/db/nodes/types';
import { ManagedProcess } from '../../../src/stack/managed-process';
import { HttpStorageBackend } from '../../../src/storage/http-backend';
import { triggerNow } from '../../../src/workflows/pipeline/client';
import { createTestUser } from '../../support/api';
import { testEnv, uniqueSuffix } from '../../support/harness';
import { createKernelRepo } from '../../support/pipeline-repo';
import { startPipelineStack, treeNodes, waitFor, type PipelineStack } from '../../support/pipeline-stack';

const ROOT = path.resolve(__dirname, '../../..');
const LAVA_URL = process.env.MAESTRO_TEST_LAVA_URL ?? 'http://127.0.0.1:8088';
const LAVA_STATE = process.env.LAVA_STATE ?? '/var/lib/maestro-lava';
const IMAGES = process.env.LAVA_IMAGES ?? '/var/cache/maestro-lava';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function lavaJob(id: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${LAVA_URL}/api/v0.2/jobs/${id}/`, {
    headers: { authorization: `Token ${token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('a LAVA runtime against a real LAVA server', () => {
  let stack: PipelineStack;
  let lavaToken: string;
  let lavaRuntime: string;
  let startLavaLab: () => ManagedProcess;
  const tree = `lava-${uniqueSuffix()}`;
  const shortTree = `lava-short-${uniqueSuffix()}`;
  const labs: ManagedProcess[] = [];
  afterAll(() => Promise.all(labs.map((p) => p.kill())));

  beforeAll(async () => {
    const tokenFile = path.join(LAVA_STATE, 'token');
    if (!fs.existsSync(tokenFile)) throw new Error(`no LAVA here: run scripts/lava/setup.sh (${tokenFile})`);
    lavaToken = fs.readFileSync(tokenFile, 'utf8').trim();
    const ping = await fetch(`${LAVA_URL}/api/v0.2/devices/`, {
      headers: { authorization: `Token ${lavaToken}` },
    });
    expect(ping.status, `LAVA answers at ${LAVA_URL}`).toBe(200);

    const repo = await createKernelRepo(path.join(testEnv().tmpDir, `repo-${tree}`), 'ok');
    const shortRepo = await createKernelRepo(path.join(testEnv().tmpDir, `repo-${shortTree}`), 'ok');
    lavaRuntime = `lava-${uniqueSuffix()}`;
    stack = await startPipelineStack(
      (ctx) => `pipeline:
  trigger_interval: 1h
  holdoff: 2s
  checkout_timeout: 30m
  job_timeout: 20m
  heartbeat_timeout: 10s
  infra_attempts: 2
trees:
  ${tree}:
    url: ${repo.url}
  ${shortTree}:
    url: ${shortRepo.url}
build_configs:
  ${tree}:
    tree: ${tree}
    branch: master
  ${shortTree}:
    tree: ${shortTree}
    branch: master
runtimes:
  ${ctx.runtime}:
    type: shell
  ${lavaRuntime}:
    type: lava
    url: ${LAVA_URL}
    device_types: { qemu-x86: qemu }
    templates_dir: ${path.join(ROOT, 'config/lava')}
    priority: high
    timeouts: { action: 10m, connection: 3m }
    context: { arch: amd64, no_kvm: true, guestfs_interface: virtio }
platforms:
  qemu-x86:
    arch: x86_64
    boot_method: qemu
    params: { kernel_args: "console=ttyS0,115200 rdinit=/init" }
jobs:
  kbuild-x86:
    kind: kbuild
    # The "build" hands over Debian's kernel, prepared by scripts/lava/build-images.sh.
    command: make defconfig && mkdir -p arch/x86/boot && cp "$IMAGE_DIR/bzImage" arch/x86/boot/bzImage
    params: { arch: x86_64, defconfig: defconfig, compiler: gcc, fragments: [], image_dir: ${IMAGES} }
    artifacts: { kernel_image: arch/x86/boot/bzImage, config: .config }
  baseline-lava:
    kind: test
    template: boot-test.jinja2
    params:
      ramdisk_url: ${ctx.storageUrl}lava-images/rootfs.cpio.gz
      steps:
        - lava-test-case uname --shell uname -a
        - lava-test-case proc-mounted --shell test -d /proc/self
        - lava-test-case no-oops --shell '! dmesg | grep -q "Oops:"'
        - lava-test-case not-here --result skip
    rules: { tree: [${tree}] }
  baseline-lava-short:
    kind: test
    template: boot-test.jinja2
    # Far too short for a LAVA boot under emulation: the pipeline times the job out and cancels it.
    timeout: 40s
    params: { ramdisk_url: '${ctx.storageUrl}lava-images/rootfs.cpio.gz' }
    rules: { tree: [${shortTree}] }
scheduler:
  - job: kbuild-x86
    event: { kind: checkout, state: available }
    runtime: ${ctx.runtime}
  - job: baseline-lava
    event: { kind: kbuild, name: kbuild-x86, state: available }
    runtime: ${lavaRuntime}
    platforms: [qemu-x86]
  - job: baseline-lava-short
    event: { kind: kbuild, name: kbuild-x86, state: available }
    runtime: ${lavaRuntime}
    platforms: [qemu-x86]
storage:
  type: http
  base_url: ${ctx.storageUrl}
api:
  url: ${ctx.apiUrl}
`,
    );
    // The initramfs goes through our storage service, as a rootfs would in a lab.
    await new HttpStorageBackend({ baseUrl: stack.storage.url, token: stack.storageToken }).upload(
      'lava-images/rootfs.cpio.gz',
      path.join(IMAGES, 'rootfs.cpio.gz'),
    );
    const labUser = await createTestUser(stack.api, {
      username: `lab-${lavaRuntime}`,
      groups: [`runtime:${lavaRuntime}:node-editor`],
    });
    const port = await freePort();
    const stateDir = path.join(stack.dir, 'lava-state');
    startLavaLab = () => {
      const proc = new ManagedProcess({
        name: 'lava-lab',
        command: process.execPath,
        args: [path.join(ROOT, 'dist/workers/lab-main.js'), '--runtime', lavaRuntime],
        env: {
          TEMPORAL_ADDRESS: testEnv().temporalAddress,
          MAESTRO_API_URL: `${stack.api.url}/latest`,
          MAESTRO_API_TOKEN: labUser.token,
          MAESTRO_STORAGE_TOKEN: stack.storageToken,
          MAESTRO_DATA_DIR: stack.dir,
          MAESTRO_CONFIG: stack.configFile,
          MAESTRO_LAVA_TOKEN: lavaToken,
          MAESTRO_LAVA_CALLBACK_PORT: String(port),
          MAESTRO_LAVA_STATE_DIR: stateDir,
        },
        log: process.env.MAESTRO_TEST_LAB_LOG ? undefined : null,
      });
      labs.push(proc);
      return proc;
    };
    await stack.startLabInProcess();
  });

  it('boots the kernel in LAVA; results, log and job id arrive through the callback across a lab restart', async () => {
    let lab = startLavaLab();
    const triggered = await triggerNow(stack.client, { tree, taskQueue: stack.taskQueue });
    expect(triggered.started).toHaveLength(1);

    // Wait until the LAVA job is submitted (its id recorded on the node), then kill the LAVA lab worker.
    const submitted = await waitFor(
      'the LAVA job id on the test node',
      async () => {
        const found = await stack.reader.findNodes({ name: 'baseline-lava', 'data.runtime': lavaRuntime });
        // The pipeline's job id is there from the start; the LAVA job's URL only once LAVA accepted it.
        return found.items.find((n: Node) => n.data.job_url) ?? null;
      },
      300_000,
      500,
    );
    const lavaJobId = String(submitted.data.job_id);
    expect(submitted.data.job_url).toBe(`${LAVA_URL}/scheduler/job/${lavaJobId}`);
    await lab.kill();
    const state = await lavaJob(lavaJobId, lavaToken);
    expect(state.state, 'LAVA still has the job to run when the lab worker dies').not.toBe('Finished');
    lab = startLavaLab();

    const result = await stack.client.workflow.getHandle(triggered.started[0]).result();
    const finished = await lavaJob(lavaJobId, lavaToken);
    expect(finished.health).toBe('Complete');

    const nodes = await treeNodes(stack.reader, result.nodeId);
    const job = nodes.find((n) => n.id === submitted.id)!;
    expect(job.state).toBe('done');
    expect(job.result).toBe('pass');
    expect(job.data.job_id).toBe(lavaJobId);
    expect(job.data).toMatchObject({ runtime: lavaRuntime, platform: 'qemu-x86' });
    const byPath = new Map(nodes.map((n) => [n.path.slice(n.path.indexOf('baseline-lava')).join('/'), n]));
    expect(byPath.get('baseline-lava/baseline-lava/uname')?.result).toBe('pass');
    expect(byPath.get('baseline-lava/baseline-lava/proc-mounted')?.result).toBe('pass');
    expect(byPath.get('baseline-lava/baseline-lava/no-oops')?.result).toBe('pass');
    expect(byPath.get('baseline-lava/baseline-lava/not-here')?.result).toBe('skip');
    expect(byPath.get('baseline-lava/setup')?.result).toBe('pass');
    expect(byPath.get('baseline-lava/setup/login-action')?.result).toBe('pass');
    // No node twice (the hierarchy is keyed by name under its parent).
    const paths = nodes.map((n) => n.path.join('/'));
    expect(new Set(paths).size).toBe(paths.length);

    // The console log went to our storage; its text is the kernel's serial output.
    const log = await fetch(job.artifacts.log);
    expect(log.status).toBe(200);
    expect(await log.text()).toContain('Linux version');
    expect(job.artifacts.lava_callback).toBeTruthy();

    // LAVA's own clock: submitted → finished; ours: submitted → node done.
    const submitMs = Date.parse(String(finished.submit_time));
    const doneMs = Date.parse(job.updated);
    console.log(
      `LAVA job ${lavaJobId}: submit → LAVA finished ${((Date.parse(String(finished.end_time)) - submitMs) / 1000).toFixed(1)} s, submit → node done ${((doneMs - submitMs) / 1000).toFixed(1)} s`,
    );

    // The same callback again completes nothing twice.
    const definition = String(finished.definition);
    const callbackUrl = /url: "?(http:\/\/[^"\s]+\/lava\/callback\/[^"\s]+)"?/.exec(definition)![1];
    const raw = await (await fetch(job.artifacts.lava_callback)).text();
    const again = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already completed/);
    const wrong = await fetch(callbackUrl.replace(/[0-9a-f]{8}$/, '00000000'), { method: 'POST', body: raw });
    expect(wrong.status).toBe(403);
    const after = await treeNodes(stack.reader, result.nodeId);
    expect(after).toHaveLength(nodes.length);
    await lab.stop();
  }, 900_000);

  it("a job that times out is cancelled in LAVA, and LAVA's late callback is recorded on the node", async () => {
    const lab = startLavaLab();
    const triggered = await triggerNow(stack.client, { tree: shortTree, taskQueue: stack.taskQueue });
    const result = await stack.client.workflow.getHandle(triggered.started[0]).result();
    const nodes = await treeNodes(stack.reader, result.nodeId);
    const job = nodes.find((n) => n.name === 'baseline-lava-short')!;
    expect(job.state).toBe('done');
    expect(job.result).toBe('incomplete');
    const lavaJobId = /\/scheduler\/job\/(\d+)$/.exec(String(job.data.job_url))?.[1];
    expect(lavaJobId, 'the LAVA job was submitted before the timeout').toBeTruthy();

    // The lab notices the cancellation and cancels the job in LAVA; LAVA's callback then lands on the node.
    const canceled = await waitFor(
      'LAVA to cancel the job',
      async () => {
        const j = await lavaJob(lavaJobId!, lavaToken);
        return j.state === 'Finished' ? j : null;
      },
      300_000,
      1000,
    );
    expect(canceled.health).toBe('Canceled');
    const recorded = await waitFor(
      'the late callback on the node',
      async () => {
        const n = await stack.reader.getNode(job.id);
        return n.data.lava_late_callback ? n : null;
      },
      120_000,
      500,
    );
    expect(recorded.state).toBe('done');
    expect(recorded.result).toBe('incomplete');
    expect(recorded.data.error_code).toBe('Canceled');
    expect(recorded.artifacts.lava_callback).toBeTruthy();
    await lab.stop();
  }, 900_000);
});
