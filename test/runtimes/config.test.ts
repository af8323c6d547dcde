// Runtime fields in the pipeline configuration: each type accepts its own fields only, a type or field the
// code cannot run is refused before anything starts, with file, line and path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, planJobs } from '../../src/config';
import { parseMemory, RUNTIME_FIELDS } from '../../src/config/runtime-fields';
import { RUNTIME_TYPES } from '../../src/config/types';
import { RUNTIMES } from '../../src/runtimes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maestro-runtime-config-'));
let n = 0;
function write(text: string): string {
  const file = path.join(dir, `c${++n}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}
function errorsOf(text: string): string[] {
  const file = write(text);
  try {
    loadConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).errors.map((e) => e.replace(file, 'FILE'));
  }
  throw new Error('configuration unexpectedly valid');
}

const config = (runtimes: string, extra = '') => `trees:
  mainline:
    url: https://example.org/linux.git
build_configs:
  mainline:
    tree: mainline
    branch: master
runtimes:
${runtimes}
jobs:
  kbuild:
    kind: kbuild
    command: make
    params: { arch: x86_64, defconfig: defconfig }
${extra}
storage:
  type: http
  base_url: http://127.0.0.1:1/
api:
  url: http://127.0.0.1:2/latest
`;

describe('runtime configuration', () => {
  it('every runtime type has a field validator and an implementation', () => {
    expect(Object.keys(RUNTIME_FIELDS).sort()).toEqual([...RUNTIME_TYPES].sort());
    expect(Object.keys(RUNTIMES).sort()).toEqual([...RUNTIME_TYPES].sort());
  });

  it('docker and kubernetes fields are validated and reach the job spec', () => {
    const file = write(
      config(
        `  box:
    type: docker
    image: kernelci/gcc-12:x86-kselftest-kernelci
    cpus: 2.5
    memory: 512m
    env: { CCACHE_DIR: /ccache, JOBS: 8 }
  gke:
    type: kubernetes
    image: kernelci/gcc-12
    namespace: kci
    cpu: 500m
    memory: 4Gi
    node_selector: { pool: builders }
    storage_token_secret: { name: kci-storage, key: token }`,
        `scheduler:
  - job: kbuild
    event: { kind: checkout, state: available }
    runtime: box`,
      ),
    );
    const { config: c } = loadConfig(file);
    expect(c.runtimes.box).toEqual({
      type: 'docker',
      params: {
        image: 'kernelci/gcc-12:x86-kselftest-kernelci',
        cpus: 2.5,
        memoryBytes: 512 * 2 ** 20,
        env: { CCACHE_DIR: '/ccache', JOBS: '8' },
      },
    });
    expect(c.runtimes.gke.params).toMatchObject({ namespace: 'kci', cpu: '500m', memory: '4Gi' });
    const [spec] = planJobs(
      c,
      { kind: 'checkout', name: 'checkout', state: 'available' },
      {
        tree: 'mainline',
        branch: 'master',
      },
    ).planned;
    expect(spec).toMatchObject({ runtimeType: 'docker', runtimeParams: c.runtimes.box.params });
  });

  it('refuses unknown types, unknown fields, bad values, a missing image and S3 storage, with file:line path', () => {
    const errors = errorsOf(
      config(
        `  lab:
    type: k8s
  box:
    type: docker
    cpus: -1
    memory: lots
    privileged: true
  gke:
    type: kubernetes
    cpu: two`,
        `scheduler:
  - job: kbuild
    event: { kind: checkout, state: available }
    runtime: box`,
      ).replace('type: http', 'type: s3'),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        'FILE:10 runtimes.lab.type: unknown runtime type "k8s" (one of shell, docker, kubernetes, lava)',
        'FILE:13 runtimes.box.cpus: must be a positive number, got -1',
        'FILE:14 runtimes.box.memory: must be a size like "512m" or "4g", got "lots"',
        'FILE:15 runtimes.box.privileged: unknown field (allowed: type, image, cpus, memory, network, env)',
        'FILE:18 runtimes.gke.cpu: must be a Kubernetes quantity like "2", "500m" or "4Gi", got "two"',
        'FILE:16 runtimes.gke.storage_token_secret: required (the pod uploads its artifacts)',
        'FILE:27 scheduler[0].runtime: runtime "box" (docker) needs an image: set runtimes.box.image or jobs.kbuild.template',
        'FILE:29 storage.type: storage type "s3" has no backend in this build (one of http)',
      ]),
    );
  });

  it('parses memory sizes the way Docker does', () => {
    expect(parseMemory('512m')).toBe(512 * 2 ** 20);
    expect(parseMemory('4g')).toBe(4 * 2 ** 30);
    expect(parseMemory('4Gi')).toBe(4 * 2 ** 30);
    expect(parseMemory(1024)).toBe(1024);
    expect(parseMemory('0')).toBeNull();
    expect(parseMemory('lots')).toBeNull();
  });
});
