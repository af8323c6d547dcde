// The batch/v1 Job a kubernetes job runs as. The pod cannot see the lab host, so it fetches its inputs and
// uploads its artifacts itself with curl (HTTP storage, token from a Secret), so the image needs sh, tar
// and curl; its stdout is the job log, which the
// lab worker reads from the API server and uploads. Pure data: tested without a cluster.
import type { KubernetesRuntimeFields } from '../../config/types';
import { joinUrl } from '../../storage/backend';
import type { RunJobInput } from '../runtime';
import { jobEnvironment, workspaceLayout } from '../workspace';

export const JOB_LABEL = 'kernelci.org/node-id';
const ROOT = '/kci';

/** Job names are DNS labels: lower case, ≤ 63 characters. */
export function k8sJobName(input: RunJobInput): string {
  const job = input.job.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `kci-${job}`.slice(0, 63 - input.nodeId.length - 1).replace(/-+$/, '') + `-${input.nodeId}`;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The pod's script: fetch source and inputs, run the command, upload artifacts and the test summary. */
export function podScript(input: RunJobInput): string {
  const ws = workspaceLayout(ROOT, (...p) => p.join('/'));
  const fetch = (url: string, file: string) => `curl -sSfL -o ${quote(file)} ${quote(url)}`;
  const upload = (file: string, name: string) =>
    `if [ -f ${quote(file)} ]; then curl -sSf -T ${quote(file)} ` +
    `-H "Authorization: Bearer $KCI_STORAGE_TOKEN" ${quote(uploadUrl(input, name))} || status=$((status ? status : 97)); fi`;
  const artifactFiles = Object.entries(input.job.artifacts).map(
    ([, rel]) => [`${ws.srcDir}/${rel}`, rel.split('/').pop() as string] as const,
  );
  return [
    'set -e',
    `mkdir -p ${ws.srcDir} ${ws.inputDir} ${ws.outputDir}`,
    fetch(input.tarballUrl, `${ROOT}/source.tar.gz`),
    `tar -xzf ${ROOT}/source.tar.gz -C ${ws.srcDir} --strip-components=1 && rm ${ROOT}/source.tar.gz`,
    ...Object.entries(input.inputArtifacts).map(([name, url]) => fetch(url, `${ws.inputDir}/${name}`)),
    `cd ${ws.srcDir}`,
    'set +e',
    `sh -c ${quote(input.job.command)}`,
    'status=$?',
    ...artifactFiles.map(([file, name]) => upload(file, name)),
    upload(ws.results, 'results.json'),
    'exit $status',
  ].join('\n');
}

function uploadUrl(input: RunJobInput, name: string): string {
  return joinUrl(input.storage.uploadUrl ?? input.storage.baseUrl, `${input.storagePrefix}/${name}`);
}

/** The Job object (batch/v1): one pod, never restarted (the pipeline decides about retries). */
export function jobManifest(input: RunJobInput, fields: KubernetesRuntimeFields) {
  const ws = workspaceLayout(ROOT, (...p) => p.join('/'));
  const env = { ...(fields.env ?? {}), ...jobEnvironment(input, ws) };
  const resources =
    fields.cpu || fields.memory
      ? {
          requests: {
            ...(fields.cpu ? { cpu: fields.cpu } : {}),
            ...(fields.memory ? { memory: fields.memory } : {}),
          },
          limits: {
            ...(fields.cpu ? { cpu: fields.cpu } : {}),
            ...(fields.memory ? { memory: fields.memory } : {}),
          },
        }
      : undefined;
  const labels = { [JOB_LABEL]: input.nodeId, 'kernelci.org/job': input.job.name.slice(0, 63) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: k8sJobName(input), namespace: fields.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(input.job.timeoutMs / 1000)),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(fields.service_account ? { serviceAccountName: fields.service_account } : {}),
          ...(fields.node_selector ? { nodeSelector: fields.node_selector } : {}),
          containers: [
            {
              name: 'job',
              image: input.job.template ?? fields.image,
              command: ['sh', '-c', podScript(input)],
              workingDir: ROOT,
              env: [
                ...Object.entries(env).map(([name, value]) => ({ name, value })),
                ...(fields.storage_token_secret
                  ? [
                      {
                        name: 'KCI_STORAGE_TOKEN',
                        valueFrom: { secretKeyRef: fields.storage_token_secret },
                      },
                    ]
                  : []),
              ],
              ...(resources ? { resources } : {}),
              volumeMounts: [{ name: 'work', mountPath: ROOT }],
            },
          ],
          volumes: [{ name: 'work', emptyDir: {} }],
        },
      },
    },
  };
}

export interface JobState {
  done: boolean;
  /** Complete → pass; Failed → fail, or incomplete when the deadline cut it off. */
  status?: 'pass' | 'fail' | 'incomplete';
  reason?: string;
}

interface JobStatusLike {
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
}

/** Reads a Job's status conditions (Complete / Failed, with reasons such as DeadlineExceeded). */
export function jobState(status: JobStatusLike | undefined): JobState {
  const cond = (type: string) => status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const complete = cond('Complete');
  if (complete) return { done: true, status: 'pass' };
  const failed = cond('Failed');
  if (failed) {
    const reason = [failed.reason, failed.message].filter(Boolean).join(': ');
    return { done: true, status: failed.reason === 'DeadlineExceeded' ? 'incomplete' : 'fail', reason };
  }
  return { done: false };
}
