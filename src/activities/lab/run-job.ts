// The runtime activity, run by a lab worker on task queue `runtime/<name>`. It runs the job through the
// runtime adapter, then reports over HTTP with the lab's own token: artifacts on the job node and the
// test results as a hierarchy under it (so test nodes are owned by the lab user). No database access.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { ApiClient } from '../../client/api-client';
import { createRuntime } from '../../runtimes';
import type { RunJobInput } from '../../runtimes/runtime';
import { labJobResult, testNodes, type LabJobResult } from '../../runtimes/test-summary';

export type { LabJobResult };
import { HttpStorageBackend } from '../../storage/http-backend';

const HEARTBEAT_EVERY_MS = 1000;

export interface LabActivityDeps {
  api: ApiClient;
  storageToken: string;
  /** Overrides of the storage bases the pipeline sends (a lab behind its own proxy). */
  storagePublicUrl?: string;
  storageUploadUrl?: string;
  workDir?: string;
  /** docker runtime: engine address; kubernetes runtime: kubeconfig file (see LabRuntimeOptions). */
  dockerHost?: string;
  kubeconfig?: string;
}

export function createLabActivities(deps: LabActivityDeps) {
  return {
    async runJob(input: RunJobInput): Promise<LabJobResult> {
      const ctx = Context.current();
      const scratch = deps.workDir ?? os.tmpdir();
      await fs.mkdir(scratch, { recursive: true });
      const workDir = await fs.mkdtemp(path.join(scratch, `kci-${input.nodeId}-`));
      const storage = new HttpStorageBackend({
        baseUrl: deps.storagePublicUrl ?? input.storage.baseUrl,
        uploadUrl: deps.storageUploadUrl ?? input.storage.uploadUrl,
        token: deps.storageToken,
      });
      // Liveness of this worker, for the whole job (download, run, upload, report), not only the command.
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        let runtime;
        try {
          runtime = createRuntime(input.job, { dockerHost: deps.dockerHost, kubeconfig: deps.kubeconfig });
        } catch (err) {
          throw ApplicationFailure.nonRetryable((err as Error).message, 'UnsupportedRuntime');
        }
        const outcome = await runtime.run(input, {
          storage,
          workDir,
          heartbeat: (d) => ctx.heartbeat(d),
          signal: ctx.cancellationSignal,
        });
        // Retry-safe: the hierarchy submit matches children by name, so a repeat creates nothing twice.
        await deps.api.submitHierarchy(input.nodeId, {
          node: { artifacts: outcome.artifacts },
          child_nodes: testNodes(outcome.tests, input.testData),
        });
        const answer = labJobResult(outcome);
        log.info('job ran', {
          nodeId: input.nodeId,
          job: input.job.name,
          status: outcome.status,
          result: answer.result,
        });
        return answer;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw err;
        log.warn('job could not run', {
          nodeId: input.nodeId,
          job: input.job.name,
          error: (err as Error).message,
        });
        const status = (err as { status?: number }).status;
        // A 4xx from the API will not improve with retries (bad token, rejected body).
        if (status && status >= 400 && status < 500 && status !== 409 && status !== 429) {
          throw ApplicationFailure.nonRetryable((err as Error).message, 'ApiRejected');
        }
        throw err;
      } finally {
        clearInterval(beat);
        await fs.rm(workDir, { recursive: true, force: true });
      }
    },
  };
}

export type LabActivities = ReturnType<typeof createLabActivities>;
