// A pipeline configuration with trivial shell jobs and short timers, for the resilience suite and the
// pipeline benchmarks: checkout → one kbuild → a smoke test on each platform (with child test results).

export interface TrivialPipelineOptions {
  storageUrl: string;
  apiUrl: string;
  treeUrl: string;
  /** Number of test platforms (fan-out of the smoke test). */
  platforms?: number;
  /** Seconds each job sleeps, so kills land while jobs run. */
  jobSeconds?: number;
  holdoff?: string;
  checkoutTimeout?: string;
  jobTimeout?: string;
  triggerInterval?: string;
}

export function trivialPipelineConfig(o: TrivialPipelineOptions): string {
  const platforms = Array.from({ length: o.platforms ?? 2 }, (_, i) => `p${i + 1}`);
  const sleep = o.jobSeconds ? `sleep ${o.jobSeconds} && ` : '';
  const results = JSON.stringify({
    tests: [
      { name: 'boot', result: 'pass' },
      {
        name: 'suite',
        tests: [
          { name: 'a', result: 'pass' },
          { name: 'b', result: 'skip' },
        ],
      },
    ],
  });
  return `
pipeline:
  trigger_interval: ${o.triggerInterval ?? '2s'}
  holdoff: ${o.holdoff ?? '2s'}
  checkout_timeout: ${o.checkoutTimeout ?? '10m'}
  job_timeout: ${o.jobTimeout ?? '5m'}
  heartbeat_timeout: 10s
  infra_attempts: 20

trees:
  chaos:
    url: ${o.treeUrl}

build_configs:
  chaos:
    tree: chaos
    branch: master

runtimes:
  shell:
    type: shell

platforms:
${platforms.map((p) => `  ${p}:\n    arch: x86_64\n    boot_method: none`).join('\n')}

jobs:
  kbuild-chaos:
    kind: kbuild
    command: ${JSON.stringify(`${sleep}mkdir -p out && echo image > out/bzImage`)}
    params: { arch: x86_64, defconfig: defconfig, compiler: cc, fragments: [] }
    artifacts: { kernel_image: out/bzImage }
    timeout: 2m
  smoke:
    kind: test
    command: ${JSON.stringify(`${sleep}echo '${results}' > "$KCI_RESULTS"`)}
    timeout: 2m

scheduler:
  - job: kbuild-chaos
    event: { kind: checkout, state: available }
    runtime: shell
  - job: smoke
    event: { kind: kbuild, name: kbuild-chaos, state: available }
    runtime: shell
    platforms: [${platforms.join(', ')}]

storage:
  type: http
  base_url: ${o.storageUrl}

api:
  url: ${o.apiUrl}
`;
}
