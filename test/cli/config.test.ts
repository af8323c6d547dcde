// kci config commands (no server involved), run as the built binary; plus --help and completion.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program';
import { ensureCliBuilt, json, kciRunner, type Kci } from './kci';

const FIXTURES = path.join(__dirname, 'fixtures');
const good = ['-c', path.join(FIXTURES, 'base.yaml'), '-c', path.join(FIXTURES, 'jobs.yaml')];
const broken = ['-c', path.join(FIXTURES, 'base.yaml'), '-c', path.join(FIXTURES, 'broken.yaml')];

let kci: Kci;

beforeAll(() => {
  ensureCliBuilt();
  kci = kciRunner();
});

describe('kci config', () => {
  it('validate: a good configuration', async () => {
    const res = await kci(['config', 'validate', ...good]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      'configuration valid: 2 files, 2 trees, 2 build configs, 3 jobs, 2 platforms, 1 runtimes, 3 scheduler entries\n',
    );
    // A directory means its *.yaml files; MAESTRO_CONFIG is the default.
    const dir = path.join(kci.home, 'cfg');
    fs.mkdirSync(dir);
    for (const f of ['base.yaml', 'jobs.yaml']) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    const fromEnv = await kci(['config', 'validate'], { env: { MAESTRO_CONFIG: dir } });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('configuration valid: 2 files');
  });

  it('validate: every error with file:line path, exit code 1', async () => {
    const file = path.join(FIXTURES, 'broken.yaml');
    const res = await kci(['config', 'validate', ...broken]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `${file}:9 scheduler[0].runtime: unknown runtime "k8s"\n` +
        `${file}:10 scheduler[1].job: unknown job "missing-job"\n` +
        `${file}:13 scheduler[1].platforms[0]: unknown platform "qemu-riscv"\n` +
        'kci: error: invalid configuration (3 errors)\n',
    );
    const asJson = await kci(['config', 'validate', ...broken, '--json']);
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toEqual({
      valid: false,
      errors: [
        `${file}:9 scheduler[0].runtime: unknown runtime "k8s"`,
        `${file}:10 scheduler[1].job: unknown job "missing-job"`,
        `${file}:13 scheduler[1].platforms[0]: unknown platform "qemu-riscv"`,
      ],
    });
  });

  it('validate: a YAML syntax error and a missing file', async () => {
    const bad = path.join(kci.home, 'syntax.yaml');
    fs.writeFileSync(bad, 'trees:\n  mainline:\n    url: [unclosed\n');
    const res = await kci(['config', 'validate', '-c', bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^${bad}:\\d+ .+\\nkci: error: invalid configuration \\(1 error\\)\\n$`),
    );

    const missing = await kci(['config', 'validate', '-c', path.join(kci.home, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `${path.join(kci.home, 'nope.yaml')}: cannot read: ENOENT\nkci: error: invalid configuration (1 error)\n`,
    );
  });

  it('dump: the merged configuration or one section', async () => {
    const section = await kci(['config', 'dump', 'build_configs', ...good]);
    expect(section.stdout).toBe(
      'mainline:\n  tree: mainline\n  branch: master\nnext:\n  tree: next\n  branch: master\n',
    );
    const all = json(await kci(['config', 'dump', ...good, '--json']));
    expect(Object.keys(all.jobs)).toEqual(['kbuild-x86', 'kbuild-arm64', 'baseline']);
    expect(all.scheduler).toHaveLength(3);
    const unknown = await kci(['config', 'dump', 'nope', ...good]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^kci: error: no section "nope" \(sections: .*jobs.*\)\n$/);
  });

  it('forecast: which jobs a revision gets, and why one does not run', async () => {
    const res = json(
      await kci(['config', 'forecast', '--tree', 'mainline', '--branch', 'master', ...good, '--json']),
    );
    expect(res.revisions).toHaveLength(1);
    expect(
      res.revisions[0].jobs.map((j: { job: string; platform: string }) => `${j.job}@${j.platform}`).sort(),
    ).toEqual(['baseline@qemu-arm64', 'baseline@qemu-x86', 'kbuild-arm64@none', 'kbuild-x86@none']);

    const next = await kci([
      'config',
      'forecast',
      '--tree',
      'next',
      '--explain-job',
      'kbuild-arm64',
      ...good,
    ]);
    expect(next.stderr).toBe('');
    expect(next.stdout).toContain('next: next/master — 2 jobs\n');
    expect(next.stdout).toMatch(/^kbuild-x86\s+kbuild\s+none\s+shell\s+checkout$/m);
    expect(next.stdout).toContain(
      'why kbuild-arm64:\n  next: not run after checkout: job rules: tree "next" is not in the allow list [mainline]\n',
    );

    const none = await kci(['config', 'forecast', '--tree', 'stable', ...good]);
    expect(none.stdout).toBe('no build config for tree "stable"\n');
  });
});

describe('kci help and completion', () => {
  function allCommands(cmd: Command, prefix: string[] = []): { path: string[]; cmd: Command }[] {
    return cmd.commands.flatMap((c) => [
      { path: [...prefix, c.name()], cmd: c },
      ...allCommands(c, [...prefix, c.name()]),
    ]);
  }

  it('every command has a description and --help with examples', () => {
    const commands = allCommands(buildProgram());
    expect(commands.length).toBeGreaterThan(35);
    for (const { path: p, cmd } of commands) {
      let help = '';
      cmd.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
      cmd.outputHelp();
      expect(cmd.description(), p.join(' ')).not.toBe('');
      expect(help, `kci ${p.join(' ')} --help`).toContain('Examples:\n  ');
    }
  });

  it('kci --help lists every command group; completion scripts cover subcommands', async () => {
    const help = await kci(['--help']);
    expect(help.code).toBe(0);
    for (const group of [
      'login',
      'logout',
      'user',
      'node',
      'event',
      'config',
      'pipeline',
      'worker',
      'storage',
      'completion',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${group}\\b`, 'm'));
    }
    const bash = await kci(['completion', 'bash']);
    expect(bash.stdout).toContain('complete -F _kci_complete kci');
    expect(bash.stdout).toMatch(/"node"\) words="get find count submit submit-hierarchy tree .*--help"/);
    expect(bash.stdout).toMatch(/"event pop"\) words=".*--wait.*--explicit-ack/);
    const zsh = await kci(['completion', 'zsh']);
    expect(zsh.stdout.startsWith('#compdef kci\n')).toBe(true);
    const wrong = await kci(['completion', 'fish']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      "error: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.",
    );
  });
});
