// A real container engine for the docker runtime's tests: scripts/container-engine.sh prepares podman and
// the locally built job image (idempotent, cached), then serves the Docker API on a socket of this run.
// When the machine cannot run containers at all, `unavailable` says exactly why and the tests skip.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { ManagedProcess } from '../../src/stack/managed-process';

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '../../scripts/container-engine.sh');

export interface ContainerEngine {
  dockerHost: string;
  image: string;
  docker: Docker;
  stop(): Promise<void>;
}

export async function startContainerEngine(dir: string): Promise<ContainerEngine | { unavailable: string }> {
  let image: string;
  try {
    image = (await run('bash', [SCRIPT, 'prepare'], { timeout: 600_000 })).stdout.trim();
    await run('bash', [SCRIPT, 'check'], { timeout: 120_000 });
  } catch (err) {
    const e = err as { code?: number; stderr?: string; message: string };
    if (e.code === 3) return { unavailable: (e.stderr ?? e.message).trim() };
    throw err;
  }
  const socket = path.join(dir, 'engine.sock');
  const proc = new ManagedProcess({
    name: 'podman',
    command: 'bash',
    args: [SCRIPT, 'serve', socket],
    log: process.env.MAESTRO_TEST_ENGINE_LOG ? undefined : null,
  });
  const docker = new Docker({ socketPath: socket });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await docker.ping();
      break;
    } catch (err) {
      if (!proc.isAlive || Date.now() > deadline) {
        await proc.stop(1000);
        throw new Error(`podman system service did not answer on ${socket}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { dockerHost: `unix://${socket}`, image, docker, stop: () => proc.stop(5000) };
}
