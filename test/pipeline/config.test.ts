import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRules, ConfigError, expandEnv, forecast, loadConfig } from '../../src/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maestro-config-'));
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
function errorsOf(paths: string[]): string[] {
  try {
    loadConfig(paths);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).errors;
  }
  throw new Error('configuration unexpectedly valid');
}

const BASE = `trees:
  mainline:
    url: https://example.org/linux.git
build_configs:
  mainline:
    tree: mainline
    branch: master
runtimes:
  shell:
    type: shell
platforms:
  qemu-x86:
    arch: x86_64
storage:
  type: http
  base_url: http://127.0.0.1:1/
api:
  url: http://127.0.0.1:2/latest
`;

describe('configuration loading and validation', () => {
  it('the shipped example and local configurations are valid', () => {
    expect(Object.keys(loadConfig('config/pipeline.yaml').config.jobs)).toEqual(
      expect.arrayContaining(['kbuild-gcc-12-x86', 'kbuild-gcc-12-arm64', 'kunit', 'baseline']),
    );
    const local = loadConfig('config/local.yaml').config;
    expect(local.trees.local.url).toMatch(/^file:\/\/.*local-tree$/);
  });

  it('reports every error with file, line and path, including cross-references across files', () => {
    const base = write('base.yaml', BASE);
    const jobs = write(
      'jobs.yaml',
      `jobs:
  kbuild-x86:
    kind: kbuild
    command: make
    params: { arch: x86_64, defconfig: defconfig }
    artifacts: { build.log: build.log }
  boot:
    kind: tset
    command: true
    timeout: soon
scheduler:
  - job: kbuild-x86
    event: { kind: checkout, state: available }
    runtime: k8s
  - job: nosuch
    event: { kind: kbuild, name: kbuild-x86, state: ready }
    runtime: shell
    platforms: [qemu-x86, rpi4]
`,
    );
    expect(errorsOf([base, jobs])).toEqual([
      `${jobs}:6 jobs.kbuild-x86.artifacts.build.log: artifact names may contain only letters, digits, "_" and "-" (no ".")`,
      `${jobs}:8 jobs.boot.kind: unknown job kind "tset" (one of kbuild, job, test)`,
      `${jobs}:9 jobs.boot.command: must be a non-empty string, got true`,
      `${jobs}:10 jobs.boot.timeout: must be a duration like "90s", "10m" or "3h", got "soon"`,
      `${jobs}:14 scheduler[0].runtime: unknown runtime "k8s"`,
      `${jobs}:15 scheduler[1].job: unknown job "nosuch"`,
      `${jobs}:18 scheduler[1].platforms[1]: unknown platform "rpi4"`,
      `${jobs}:16 scheduler[1].event.state: unknown node state "ready"`,
    ]);
  });

  it('reports a missing required field at its parent, and YAML syntax errors with their line', () => {
    const bad = write('bad.yaml', BASE.replace('    branch: master\n', '') + 'jobs: {}\n');
    expect(errorsOf([bad])).toEqual([`${bad}:5 build_configs.mainline.branch: required`]);
    const syntax = write('syntax.yaml', 'trees:\n  a: [\n');
    expect(errorsOf([syntax])[0]).toMatch(new RegExp(`^${syntax}:\\d+ `));
  });

  it('forecast lists builds and tests of a revision and explains why a job does not run', () => {
    const { config } = loadConfig('config/pipeline.yaml');
    const mainline = forecast(config, { tree: 'mainline', branch: 'master' });
    const names = mainline.revisions[0].jobs.map((j) => `${j.job}@${j.platform}`);
    expect(names).toEqual([
      'kbuild-gcc-12-x86@none',
      'baseline@qemu-x86',
      'kbuild-gcc-12-arm64@none',
      'baseline@qemu-arm64',
      'kunit@none',
    ]);

    const stable = forecast(config, {
      tree: 'stable',
      branch: 'linux-6.1.y',
      explainJob: 'kbuild-gcc-12-arm64',
    });
    expect(stable.revisions[0].jobs.map((j) => j.job)).toEqual(['kbuild-gcc-12-x86', 'baseline']);
    expect(stable.explanation).toEqual([
      'stable-6.1: not run after checkout: arch "arm64" is not among the build config\'s architectures [x86_64]',
    ]);
    const stable66 = forecast(config, {
      tree: 'stable',
      branch: 'linux-6.6.y',
      explainJob: 'kbuild-gcc-12-arm64',
    });
    expect(stable66.explanation).toEqual([
      'stable-6.6: not run after checkout: job rules: tree "stable" is denied by "!stable"',
    ]);
    const kunit = forecast(config, { tree: 'stable', branch: 'linux-6.6.y', explainJob: 'kunit' });
    expect(kunit.explanation).toEqual([
      'stable-6.6: not run after checkout: scheduler rules: tree "stable" is not in the allow list [mainline, next]',
    ]);
  });

  it('rules: allow lists, "!" denials, version prefixes, unknown values not held against a job', () => {
    expect(checkRules({ tree: ['mainline', 'next'] }, { tree: 'next' })).toBeNull();
    expect(checkRules({ tree: ['mainline', 'next'] }, { tree: 'stable' })).toBe(
      'tree "stable" is not in the allow list [mainline, next]',
    );
    expect(checkRules({ branch: ['!linux-4.19.y'] }, { branch: 'linux-4.19.y' })).toBe(
      'branch "linux-4.19.y" is denied by "!linux-4.19.y"',
    );
    expect(checkRules({ branch: ['!linux-4.19.y'] }, { branch: 'master' })).toBeNull();
    expect(checkRules({ version: ['6.1'] }, { version: '6.1.5' })).toBeNull();
    expect(checkRules({ version: ['6.1'] }, { version: '6.10' })).toBe(
      'version "6.10" is not in the allow list [6.1]',
    );
    expect(checkRules({ version: ['!4.19'] }, { version: '4.19' })).toBe(
      'version "4.19" is denied by "!4.19"',
    );
    expect(checkRules({ arch: ['arm64'], defconfig: ['!tinyconfig'] }, { tree: 'x' })).toBeNull();
  });

  it('replaces ${VAR} and ${VAR:-default} from the environment; $${VAR} stays literal', () => {
    const env = { DATA: '/srv/maestro', EMPTY: '' };
    expect(expandEnv('url: file://${DATA}/tree', env)).toBe('url: file:///srv/maestro/tree');
    expect(expandEnv('port: ${PORT:-8010} ${EMPTY:-x}', env)).toBe('port: 8010 x');
    expect(expandEnv('command: make ARCH=$${ARCH} $DEFCONFIG', env)).toBe(
      'command: make ARCH=${ARCH} $DEFCONFIG',
    );
  });
});
