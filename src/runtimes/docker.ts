// The docker runtime: runs the job's command in a container through the Docker Engine API (dockerode over
// the engine's socket; podman's Docker-compatible service works too). The lab worker prepares the work
// tree on its host as the shell runtime does and bind-mounts it at /kci, so the container needs no
// network and no storage credentials: /kci/src (the source, working directory), /kci/input (parent
// artifacts), /kci/output, /kci/results.json. Afterwards the container is removed whatever happened.
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import type { DockerRuntimeFields } from '../config/types';
import type { JobRuntime, RunJobInput, RuntimeContext, RuntimeOutcome } from './runtime';
import { collectOutcome, jobEnvironment, prepareWorkspace, workspaceLayout } from './workspace';

const HEARTBEAT_EVERY_MS = 2000;
const MOUNT = '/kci';
const LOG_DRAIN_MS = 5000;

export interface DockerLabOptions {
  /** Engine address: unix:///path.sock, a plain socket path, or tcp://host:port; unset = DOCKER_HOST or /var/run/docker.sock. */
  dockerHost?: string;
}

export function dockerClient(host?: string): Docker {
  if (!host) return new Docker();
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host.startsWith('/')) return new Docker({ socketPath: host });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** What the engine is asked to create: exported for tests of the mapping. */
export function containerSpec(
  input: RunJobInput,
  fields: DockerRuntimeFields,
  hostWorkDir: string,
  name: string,
): Docker.ContainerCreateOptions {
  const ws = workspaceLayout(MOUNT, path.posix.join);
  const env = { ...(fields.env ?? {}), ...jobEnvironment(input, ws) };
  return {
    name,
    Image: input.job.template ?? fields.image,
    Cmd: ['sh', '-c', input.job.command],
    WorkingDir: ws.srcDir,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    // One stream (stdout and stderr interleaved as they happen), like a terminal log.
    Tty: true,
    Labels: { 'org.kernelci.node': input.nodeId, 'org.kernelci.job': input.job.name },
    HostConfig: {
      Binds: [`${hostWorkDir}:${MOUNT}`],
      NetworkMode: fields.network ?? 'none',
      ...(fields.cpus ? { NanoCpus: Math.round(fields.cpus * 1e9) } : {}),
      ...(fields.memoryBytes ? { Memory: fields.memoryBytes } : {}),
    },
  };
}

export class DockerRuntime implements JobRuntime {
  readonly type = 'docker' as const;
  private readonly docker: Docker;

  constructor(
    private readonly fields: DockerRuntimeFields,
    lab: DockerLabOptions = {},
  ) {
    this.docker = dockerClient(lab.dockerHost);
  }

  async run(input: RunJobInput, ctx: RuntimeContext): Promise<RuntimeOutcome> {
    const image = input.job.template ?? this.fields.image;
    const missing = await this.missingImage(image);
    if (missing)
      return { status: 'incomplete', errorCode: 'submit_error', errorMsg: missing, artifacts: {}, tests: [] };

    const ws = await prepareWorkspace(input, ctx);
    const name = `kci-${input.nodeId}-${Date.now().toString(36)}`;
    const spec = containerSpec(input, this.fields, path.resolve(ctx.workDir), name);
    const container = await this.docker.createContainer(spec);
    let timedOut = false;
    try {
      const exitCode = await this.runContainer(container, input, ctx, ws.logFile, () => (timedOut = true));
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('job cancelled');
      if (timedOut) {
        const outcome = await collectOutcome(input, ctx, ws, exitCode);
        return {
          ...outcome,
          status: 'incomplete',
          errorCode: 'node_timeout',
          errorMsg: `job did not finish within ${Math.round(input.job.timeoutMs / 1000)} s`,
        };
      }
      return await collectOutcome(input, ctx, ws, exitCode);
    } finally {
      await container.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  /** An error message when the image is neither present nor pullable; null when it can run. */
  private async missingImage(image: string | undefined): Promise<string | null> {
    if (!image) return 'no image: set the runtime image or the job template';
    try {
      await this.docker.getImage(image).inspect();
      return null;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
    let pullError = 'the engine reported no error';
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (e: Error | null, events?: { error?: string }[]) => {
          const failed = e ?? events?.find((ev) => ev.error);
          return failed ? reject(failed instanceof Error ? failed : new Error(failed.error)) : resolve();
        }),
      );
    } catch (err) {
      pullError = (err as Error).message;
    }
    // Some engines (podman) answer a failed pull with 200 and no error event: ask again.
    try {
      await this.docker.getImage(image).inspect();
      return null;
    } catch {
      return `image ${image} is not on the engine and could not be pulled: ${pullError}`;
    }
  }

  /** Starts the container, streams its log to a file, and resolves its exit code. */
  private async runContainer(
    container: Docker.Container,
    input: RunJobInput,
    ctx: RuntimeContext,
    logFile: string,
    onTimeout: () => void,
  ): Promise<number> {
    const stop = () => container.kill().catch(() => undefined);
    const onAbort = () => void stop();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const beat = setInterval(
      () => ctx.heartbeat({ step: 'container', id: container.id }),
      HEARTBEAT_EVERY_MS,
    );
    const timer = setTimeout(() => {
      onTimeout();
      void stop();
    }, input.job.timeoutMs);
    try {
      await container.start();
      if (ctx.signal.aborted) await stop();
      const logs = (await container.logs({
        follow: true,
        stdout: true,
        stderr: true,
      })) as unknown as NodeJS.ReadableStream;
      const logDone = new Promise<void>((resolve, reject) => {
        const out = fs.createWriteStream(logFile);
        logs.pipe(out);
        out.once('finish', resolve);
        out.once('error', reject);
        logs.once('error', reject);
      });
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      // The log stream ends with the container; never hang on an engine that keeps it open.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([logDone, new Promise((r) => (grace = setTimeout(r, LOG_DRAIN_MS)))]);
      clearTimeout(grace);
      (logs as unknown as { destroy?: () => void }).destroy?.();
      return StatusCode;
    } finally {
      clearTimeout(timer);
      clearInterval(beat);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }
}
