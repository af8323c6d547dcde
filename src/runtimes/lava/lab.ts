// The LAVA side of a lab worker: the callback receiver LAVA's `notify: callbacks:` posts to, and a
// watch loop over the jobs waiting for it. The receiver lives in the lab worker (not the API) because
// completing an activity by task token needs a Temporal connection, which the lab worker has and the
// API does not. Callback URL: <MAESTRO_LAVA_CALLBACK_URL>/lava/callback/<node id>/<per-job secret>.
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ActivityCancelledError, ActivityNotFoundError, AsyncCompletionClient } from '@temporalio/client';
import type { ApiClient } from '../../client/api-client';
import type { PlatformConfig } from '../../config/types';
import { componentLogger } from '../../logger';
import { HttpStorageBackend } from '../../storage/http-backend';
import type { TestOutcome } from '../runtime';
import { aggregateResults, groupResult, labJobResult, testNodes, type LabJobResult } from '../test-summary';
import { LavaClient } from './client';
import { CallbackRegistry, secretMatches, type Registration } from './registry';
import { LavaCallbackError, parseLavaCallback } from './results';
import type { LavaRuntimeSettings } from './settings';

const log = componentLogger('lava-lab');
const MAX_CALLBACK_BYTES = 256 * 1024 * 1024;
/** Completed jobs are kept a while, so a late duplicate callback still finds them (and completes nothing). */
const KEEP_COMPLETED_MS = 7 * 24 * 3600_000;

export interface LavaLabOptions {
  runtime: string;
  settings: LavaRuntimeSettings;
  platforms: Record<string, PlatformConfig>;
  lavaToken: string;
  api: ApiClient;
  completion: AsyncCompletionClient;
  stateDir: string;
  storageToken: string;
  storagePublicUrl?: string;
  storageUploadUrl?: string;
  /** Where the receiver listens. */
  listenHost: string;
  listenPort: number;
  /** Base URL LAVA reaches the receiver at; unset = http://<listenHost>:<port>. */
  callbackUrl?: string;
  /** How often waiting jobs are checked for cancellation (tree timeout) and unreported callbacks. */
  watchIntervalMs?: number;
}

export type CallbackAnswer = { status: number; detail: string };

export class LavaLab {
  readonly settings: LavaRuntimeSettings;
  readonly registry: CallbackRegistry;
  readonly client: LavaClient;
  readonly api: ApiClient;
  callbackBaseUrl = '';
  private server?: http.Server;
  private timer?: NodeJS.Timeout;
  /** One callback at a time per node: a duplicate waits, then finds the job completed. */
  private readonly busy = new Map<string, Promise<CallbackAnswer>>();

  constructor(private readonly opts: LavaLabOptions) {
    this.settings = opts.settings;
    this.registry = new CallbackRegistry(opts.stateDir);
    this.client = new LavaClient(opts.settings.url, opts.lavaToken);
    this.api = opts.api;
  }

  platform(name: string): PlatformConfig {
    return this.opts.platforms[name] ?? { arch: '', boot_method: '', params: {} };
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.listenPort, this.opts.listenHost, () => resolve());
    });
    const addr = this.server.address() as { port: number };
    this.callbackBaseUrl = (this.opts.callbackUrl ?? `http://${this.opts.listenHost}:${addr.port}`).replace(
      /\/+$/,
      '',
    );
    log.info(
      { callbackUrl: this.callbackBaseUrl, runtime: this.opts.runtime },
      'LAVA callback receiver listening',
    );
    const every = this.opts.watchIntervalMs ?? 5000;
    const tick = async () => {
      await this.watch().catch((err) => log.warn({ err }, 'LAVA watch loop failed'));
      if (this.server) this.timer = setTimeout(tick, every);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.allSettled(this.busy.values());
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const answer = (status: number, detail: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail }));
    };
    const m = /^\/lava\/callback\/([0-9a-f]{24})\/([0-9a-f]{16,128})\/?$/.exec(req.url ?? '');
    if (!m) return answer(404, `no route ${req.method} ${req.url}`);
    if (req.method !== 'POST') return answer(405, 'method: the callback is a POST');
    const [, nodeId, secret] = m;
    const reg = this.registry.get(nodeId);
    // Same answer for an unknown node and a wrong secret: the URL reveals nothing.
    if (!reg || !secretMatches(secret, reg.secretHash))
      return answer(403, 'unknown job or wrong callback secret');
    let body: string;
    try {
      body = await readBody(req, MAX_CALLBACK_BYTES);
    } catch (err) {
      return answer(413, (err as Error).message);
    }
    try {
      const parsed = JSON.parse(body) as { id?: unknown };
      if (reg.lavaJobId !== undefined && parsed?.id !== reg.lavaJobId)
        return answer(
          400,
          `body.id: ${JSON.stringify(parsed?.id)} is not this node's LAVA job ${reg.lavaJobId}`,
        );
    } catch (err) {
      return answer(400, `body: malformed JSON (${(err as Error).message})`);
    }
    try {
      const r = await this.handle(nodeId, body);
      answer(r.status, r.detail);
    } catch (err) {
      // Kept on disk by then (or never parsed): the watch loop retries what was stored.
      this.registry.update(nodeId, { pendingCallback: true });
      log.error({ nodeId, err }, 'LAVA callback failed');
      answer(500, `callback failed: ${(err as Error).message}`);
    }
  }

  /** Processes a callback body once; safe to call again (duplicates, retries of a failed report). */
  handle(nodeId: string, body: string): Promise<CallbackAnswer> {
    const prior = this.busy.get(nodeId) ?? Promise.resolve({ status: 200, detail: '' });
    const next = prior.then(() => this.process(nodeId, body));
    const settled = next.catch(() => ({ status: 500, detail: 'failed' }));
    this.busy.set(nodeId, settled);
    void settled.then(() => {
      if (this.busy.get(nodeId) === settled) this.busy.delete(nodeId);
    });
    return next;
  }

  private async process(nodeId: string, body: string): Promise<CallbackAnswer> {
    const reg = this.registry.get(nodeId);
    if (!reg) return { status: 403, detail: 'unknown job' };
    if (reg.state === 'completed') return { status: 200, detail: 'already completed; nothing done' };
    const fields = { nodeId, job: reg.jobName, lavaJobId: reg.lavaJobId };
    // Kept on disk first: if the API or storage is down, the watch loop reports it later.
    this.registry.saveCallback(nodeId, body);
    let outcome;
    try {
      outcome = parseLavaCallback(JSON.parse(body), { ktap: reg.ktap });
    } catch (err) {
      if (err instanceof LavaCallbackError) return { status: 400, detail: err.message };
      throw err;
    }
    let result: LabJobResult;
    try {
      const artifacts = await this.uploadLogs(reg, outcome.consoleLog, body);
      // Only artifacts on the job node: a hierarchy submit replaces the fields it is given, and `data`
      // (runtime, platform, LAVA job id) was set before.
      await this.api.submitHierarchy(nodeId, {
        node: { artifacts },
        child_nodes: testNodes(outcome.tests, reg.testData),
      });
      result = labJobResult({
        status: outcome.status,
        ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
        ...(outcome.errorMsg ? { errorMsg: outcome.errorMsg } : {}),
        artifacts,
        tests: outcome.tests,
      });
    } catch (err) {
      this.registry.update(nodeId, { pendingCallback: true });
      log.warn({ ...fields, err }, 'LAVA callback kept for a retry: reporting it failed');
      return { status: 202, detail: 'callback stored; reporting it will be retried' };
    }

    let late = reg.state === 'abandoned';
    if (!late) {
      try {
        await this.opts.completion.complete(Buffer.from(reg.taskToken, 'base64'), result);
      } catch (err) {
        if (!(err instanceof ActivityNotFoundError)) {
          this.registry.update(nodeId, { pendingCallback: true });
          log.warn({ ...fields, err }, 'LAVA callback kept for a retry: completing the activity failed');
          return { status: 202, detail: 'callback stored; completing the job will be retried' };
        }
        late = true;
      }
    }
    if (late) {
      try {
        await this.recordLate(nodeId, outcome.tests, result);
      } catch (err) {
        this.registry.update(nodeId, { state: 'abandoned', pendingCallback: true });
        log.warn({ ...fields, err }, 'LAVA callback kept for a retry: recording it on the node failed');
        return { status: 202, detail: 'callback stored; recording it will be retried' };
      }
    }
    this.registry.update(nodeId, { state: 'completed', result, pendingCallback: false });
    log.info({ ...fields, status: result.status, tests: result.testCount, late }, 'LAVA callback processed');
    return {
      status: 200,
      detail: late ? 'recorded on the node (the job had already timed out)' : 'job completed',
    };
  }

  /** The job's activity is gone (timeout, cancel): the result goes on the node directly. */
  private async recordLate(nodeId: string, tests: TestOutcome[], result: LabJobResult): Promise<void> {
    const setupFailed = tests.some((t) => t.name === 'setup' && groupResult(t) === 'fail');
    let nodeResult: 'pass' | 'fail' | 'skip' | 'incomplete';
    if (result.status === 'incomplete' || setupFailed) nodeResult = 'incomplete';
    else if (result.status === 'fail') nodeResult = 'fail';
    else nodeResult = tests.length ? aggregateResults(tests.map(groupResult)) : 'pass';
    await this.api.patchNode(nodeId, {
      state: 'done',
      result: nodeResult,
      data: {
        error_code: result.errorCode ?? null,
        error_msg: result.errorMsg ?? null,
        lava_late_callback: true,
      },
    });
  }

  private async uploadLogs(
    reg: Registration,
    consoleLog: string,
    body: string,
  ): Promise<Record<string, string>> {
    const storage = new HttpStorageBackend({
      baseUrl: this.opts.storagePublicUrl ?? reg.storage.baseUrl,
      uploadUrl: this.opts.storageUploadUrl ?? reg.storage.uploadUrl,
      token: this.opts.storageToken,
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kci-lava-${reg.nodeId}-`));
    try {
      const logFile = path.join(dir, 'log.txt');
      const rawFile = path.join(dir, 'lava-callback.json');
      await fs.writeFile(logFile, consoleLog);
      await fs.writeFile(rawFile, body);
      return {
        log: await storage.upload(`${reg.storagePrefix}/log.txt`, logFile),
        lava_callback: await storage.upload(`${reg.storagePrefix}/lava-callback.json`, rawFile),
      };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Every waiting job: a heartbeat through the task token tells whether the pipeline cancelled it (tree
   * timeout) or it is gone; either way the LAVA job is cancelled through LAVA's API. Callbacks that
   * could not be reported are retried.
   */
  async watch(): Promise<void> {
    for (const reg of this.registry.list()) {
      if (reg.state === 'completed' && Date.now() - Date.parse(reg.updated) > KEEP_COMPLETED_MS) {
        this.registry.remove(reg.nodeId);
        continue;
      }
      if (reg.pendingCallback) {
        const body = this.registry.readCallback(reg.nodeId);
        if (body) await this.handle(reg.nodeId, body).catch(() => undefined);
        continue;
      }
      if (reg.state !== 'waiting' || reg.lavaJobId === undefined) continue;
      let gone: 'cancelled' | 'gone' | undefined;
      try {
        await this.opts.completion.heartbeat(Buffer.from(reg.taskToken, 'base64'));
      } catch (err) {
        if (err instanceof ActivityCancelledError) gone = 'cancelled';
        else if (err instanceof ActivityNotFoundError) gone = 'gone';
        else {
          log.warn({ nodeId: reg.nodeId, err }, 'LAVA watch: heartbeat failed; will try again');
          continue;
        }
      }
      if (!gone) continue;
      const fields = { nodeId: reg.nodeId, job: reg.jobName, lavaJobId: reg.lavaJobId };
      try {
        await this.client.cancel(reg.lavaJobId);
      } catch (err) {
        log.warn({ ...fields, err }, 'cancelling the LAVA job failed; will try again');
        continue;
      }
      if (gone === 'cancelled')
        await this.opts.completion
          .reportCancellation(Buffer.from(reg.taskToken, 'base64'))
          .catch(() => undefined);
      this.registry.update(reg.nodeId, { state: 'abandoned' });
      log.info(
        { ...fields, reason: gone },
        'LAVA job cancelled: its pipeline job was cancelled or timed out',
      );
    }
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`body: larger than ${limit} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
