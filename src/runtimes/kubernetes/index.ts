// The kubernetes runtime: one batch/v1 Job per job (through @kubernetes/client-node), completion seen by
// a watch, the pod log fetched and uploaded, the Job deleted afterwards; cancellation deletes it at once.
import fs from 'node:fs';
import path from 'node:path';
import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { KubernetesRuntimeFields } from '../../config/types';
import type { JobRuntime, RunJobInput, RuntimeContext, RuntimeOutcome, TestOutcome } from '../runtime';
import { parseTestSummary } from '../test-summary';
import { decideOutcome } from '../workspace';
import { JOB_LABEL, jobManifest, jobState, k8sJobName, type JobState } from './manifest';

export * from './manifest';

const HEARTBEAT_EVERY_MS = 2000;
const REWATCH_DELAY_MS = 500;

export interface KubernetesLabOptions {
  /** kubeconfig file; unset = KUBECONFIG, ~/.kube/config or in-cluster credentials. */
  kubeconfig?: string;
  /** A ready KubeConfig (tests point one at a recorded API server). */
  kubeConfig?: K8s.KubeConfig;
}

// The client is an ES module; this CommonJS build loads it on first use.
const loadClient = () => import('@kubernetes/client-node');

export class KubernetesRuntime implements JobRuntime {
  readonly type = 'kubernetes' as const;

  constructor(
    private readonly fields: KubernetesRuntimeFields,
    private readonly lab: KubernetesLabOptions = {},
  ) {}

  private async config(k8s: typeof K8s): Promise<K8s.KubeConfig> {
    if (this.lab.kubeConfig) return this.lab.kubeConfig;
    const kc = new k8s.KubeConfig();
    if (this.lab.kubeconfig) kc.loadFromFile(this.lab.kubeconfig);
    else kc.loadFromDefault();
    if (this.fields.context) kc.setCurrentContext(this.fields.context);
    return kc;
  }

  async run(input: RunJobInput, ctx: RuntimeContext): Promise<RuntimeOutcome> {
    const k8s = await loadClient();
    const kc = await this.config(k8s);
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const namespace = this.fields.namespace;
    const name = k8sJobName(input);

    const remove = () =>
      batch
        .deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })
        .catch((err: unknown) => {
          if ((err as { code?: number }).code !== 404) throw err;
        });
    try {
      await batch.createNamespacedJob({ namespace, body: jobManifest(input, this.fields) as K8s.V1Job });
    } catch (err) {
      // A retried attempt finds the Job of the attempt before: follow it instead of starting another.
      if ((err as { code?: number }).code !== 409) throw err;
    }
    const beat = setInterval(() => ctx.heartbeat({ step: 'kubernetes-job', name }), HEARTBEAT_EVERY_MS);
    try {
      const state = await this.waitForJob(k8s, kc, namespace, name, ctx.signal);
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('job cancelled');
      const log = await this.podLog(core, namespace, input.nodeId);
      const logFile = path.join(ctx.workDir, 'log.txt');
      await fs.promises.writeFile(logFile, log);
      const artifacts: Record<string, string> = {};
      artifacts[input.job.kind === 'kbuild' ? 'build_log' : 'log'] = await ctx.storage.upload(
        `${input.storagePrefix}/log.txt`,
        logFile,
      );
      return await this.outcome(input, ctx, state, artifacts);
    } finally {
      clearInterval(beat);
      // Deleted whatever happened: a cancelled job stops its pod, a finished one leaves nothing behind.
      await remove();
    }
  }

  /** Watches the Job until it is Complete or Failed (a watch the server closes is opened again). */
  private async waitForJob(
    k8s: typeof K8s,
    kc: K8s.KubeConfig,
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<JobState> {
    const watch = new k8s.Watch(kc);
    while (!signal.aborted) {
      const state = await new Promise<JobState | null>((resolve, reject) => {
        let finished: JobState | null = null;
        let ctl: AbortController | undefined;
        const onAbort = () => ctl?.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        watch
          .watch(
            `/apis/batch/v1/namespaces/${namespace}/jobs`,
            { fieldSelector: `metadata.name=${name}` },
            (type, obj: K8s.V1Job) => {
              if (type === 'DELETED') finished = { done: true, status: 'incomplete', reason: 'Job deleted' };
              const s = jobState(obj?.status);
              if (s.done && !finished) {
                finished = s;
                ctl?.abort();
              }
            },
            (err) => {
              signal.removeEventListener('abort', onAbort);
              if (finished || signal.aborted || !err || (err as Error).name === 'AbortError')
                resolve(finished);
              else reject(err);
            },
          )
          .then((c) => {
            ctl = c;
            if (finished || signal.aborted) c.abort();
          }, reject);
      });
      if (state) return state;
      // The server closed the watch (its timeout): open it again, without spinning.
      await new Promise((r) => setTimeout(r, REWATCH_DELAY_MS));
    }
    return { done: false };
  }

  private async podLog(core: K8s.CoreV1Api, namespace: string, nodeId: string): Promise<string> {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `${JOB_LABEL}=${nodeId}` });
    const pod = pods.items[0]?.metadata?.name;
    if (!pod) return '(no pod was created for this job)\n';
    return core.readNamespacedPodLog({ name: pod, namespace, container: 'job' });
  }

  /** What the pod uploaded (artifacts, test summary) and the Job's final condition → the outcome. */
  private async outcome(
    input: RunJobInput,
    ctx: RuntimeContext,
    state: JobState,
    artifacts: Record<string, string>,
  ): Promise<RuntimeOutcome> {
    const missing: string[] = [];
    for (const [art, rel] of Object.entries(input.job.artifacts)) {
      const url = ctx.storage.publicUrl(`${input.storagePrefix}/${path.posix.basename(rel)}`);
      const res = await fetch(url, { method: 'HEAD' });
      if (res.ok) artifacts[art] = url;
      else missing.push(rel);
    }
    let tests: TestOutcome[] = [];
    let summaryError: string | undefined;
    const summary = await fetch(ctx.storage.publicUrl(`${input.storagePrefix}/results.json`));
    if (summary.ok) {
      try {
        tests = parseTestSummary(await summary.text());
      } catch (err) {
        summaryError = (err as Error).message;
      }
    }
    if (state.status === 'incomplete') {
      return {
        status: 'incomplete',
        errorCode: 'node_timeout',
        errorMsg: `Kubernetes Job: ${state.reason ?? 'did not finish'}`,
        artifacts,
        tests,
      };
    }
    const outcome = decideOutcome(input, {
      exitCode: state.status === 'pass' ? 0 : 1,
      artifacts,
      tests,
      summaryError,
      missing,
    });
    if (state.status === 'fail')
      outcome.errorMsg = `Kubernetes Job failed: ${state.reason ?? 'unknown reason'}`;
    return outcome;
  }
}
