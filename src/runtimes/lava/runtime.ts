// The `lava` runtime: renders the job definition, submits it to the LAVA server, records the LAVA job
// id and URL on the node, registers the activity's task token with a per-job callback secret, and
// leaves the activity open (async completion). The lab worker's callback receiver completes it when
// LAVA posts its results (./lab.ts). No polling, and no heartbeat timeout: the bound is the node timeout.
import crypto from 'node:crypto';
import path from 'node:path';
import { CompleteAsyncError, Context, log } from '@temporalio/activity';
import type { JobRuntime, RunJobInput, RuntimeOutcome } from '../runtime';
import { LavaApiError } from './client';
import type { LavaLab } from './lab';
import { hashSecret } from './registry';
import { LavaTemplateError, renderLavaJob, type LavaTemplateVars } from './templates';

let currentLab: LavaLab | undefined;

/** Set by the lab worker of a `lava` runtime; the runtime adapter uses it for every job. */
export function useLavaLab(lab: LavaLab | undefined): void {
  currentLab = lab;
}

function incomplete(errorCode: string, errorMsg: string): RuntimeOutcome {
  return { status: 'incomplete', errorCode, errorMsg, artifacts: {}, tests: [] };
}

export class LavaRuntime implements JobRuntime {
  readonly type = 'lava' as const;

  async run(input: RunJobInput): Promise<RuntimeOutcome> {
    const lab = currentLab;
    if (!lab) return incomplete('Configuration', 'this lab worker was not started for a lava runtime');
    const settings = lab.settings;
    const { nodeId, job } = input;
    const info = Context.current().info;
    const taskToken = Buffer.from(info.taskToken).toString('base64');
    const fields = { nodeId, job: job.name, workflowId: info.workflowExecution?.workflowId };

    // A retry of this activity (the worker died after submitting) must not submit the job twice.
    const existing = lab.registry.get(nodeId);
    if (existing?.state === 'completed' && existing.result) {
      const { testCount: _n, ...rest } = existing.result;
      return { ...rest, tests: [] };
    }
    if (existing && existing.state !== 'submitting' && existing.lavaJobId !== undefined) {
      lab.registry.update(nodeId, { taskToken, state: 'waiting' });
      log.info('LAVA job already submitted; waiting for its callback', {
        ...fields,
        lavaJobId: existing.lavaJobId,
      });
      throw new CompleteAsyncError();
    }

    const deviceType = settings.deviceTypes[job.platform];
    if (!deviceType)
      return incomplete(
        'invalid_job_params',
        `runtimes.${job.runtime}.device_types has no LAVA device type for platform "${job.platform}"`,
      );
    const secret = crypto.randomBytes(24).toString('hex');
    const callbackUrl = `${lab.callbackBaseUrl}/lava/callback/${nodeId}/${secret}`;
    const platform = lab.platform(job.platform);
    const vars: LavaTemplateVars = {
      node_id: nodeId,
      job_name: job.name,
      lava_job_name: `${job.name}-${nodeId}`,
      job: { name: job.name, kind: job.kind, params: job.params },
      platform: { name: job.platform, ...platform },
      device_type: deviceType,
      artifacts: input.inputArtifacts,
      kernel_url: input.inputArtifacts.kernel_image ?? input.inputArtifacts.kernel,
      modules_url: input.inputArtifacts.modules,
      tarball_url: input.tarballUrl,
      callback_url: callbackUrl,
      priority: settings.priority,
      visibility: settings.visibility,
      timeouts: {
        job: Math.max(1, Math.ceil(job.timeoutMs / 60_000)),
        action: settings.actionTimeoutMin,
        connection: settings.connectionTimeoutMin,
      },
      data: input.testData,
      context: settings.context,
    };
    let definition: string;
    try {
      definition = renderLavaJob(
        path.resolve(settings.templatesDir),
        job.template ?? settings.template,
        vars,
      );
    } catch (err) {
      if (err instanceof LavaTemplateError) return incomplete('job_generation_error', err.message);
      throw err;
    }

    lab.registry.put({
      nodeId,
      runtime: job.runtime,
      jobName: job.name,
      jobKind: job.kind,
      state: 'submitting',
      secretHash: hashSecret(secret),
      taskToken,
      storagePrefix: input.storagePrefix,
      storage: input.storage,
      testData: input.testData,
      ktap: job.params.ktap === true,
    });
    let lavaJobId: number;
    try {
      lavaJobId = await lab.client.submit(definition);
    } catch (err) {
      // LAVA rejecting the definition (4xx) will not change on a retry; a server or network error may.
      if (
        err instanceof LavaApiError &&
        err.status &&
        err.status >= 400 &&
        err.status < 500 &&
        err.status !== 429
      )
        return incomplete('submit_error', err.message);
      throw err;
    }
    const lavaJobUrl = lab.client.jobUrl(lavaJobId);
    lab.registry.update(nodeId, { state: 'waiting', lavaJobId, lavaJobUrl });
    await lab.api.patchNode(nodeId, { data: { job_id: String(lavaJobId), job_url: lavaJobUrl } });
    log.info('LAVA job submitted; waiting for its callback', { ...fields, lavaJobId, lavaJobUrl });
    throw new CompleteAsyncError();
  }
}
