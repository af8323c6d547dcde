// The `results:` configuration section (errors name file, line and path), the flaky rule and the mail
// wording, without servers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { recipientsFor } from '../../src/config/results';
import { resultChanges } from '../../src/activities/results/regressions';
import { regressionMail, treeReportMail } from '../../src/activities/results/mail-content';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maestro-results-config-'));
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
jobs:
  kbuild:
    kind: kbuild
    command: make
    params: { arch: x86_64, defconfig: defconfig }
storage:
  type: http
  base_url: http://127.0.0.1:1/
api:
  url: http://127.0.0.1:2/latest
`;

function load(results: string) {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, BASE + results);
  return { file, load: () => loadConfig(file).config };
}

describe('results configuration', () => {
  it('defaults when the section is absent', () => {
    const config = load('').load();
    expect(config.results).toEqual({
      kcidb: { origin: 'maestro', batchSize: 500 },
      regressions: { flakyWindow: 5, flakyChanges: 3 },
      report: { recipients: {}, defaultRecipients: [], temporalNamespace: 'default' },
    });
  });

  it('reads origin, batch size, rules and recipients per tree', () => {
    const config = load(`results:
  kcidb: { origin: kernelci_org, batch_size: 100 }
  regressions: { flaky_window: 8, flaky_changes: 2 }
  report:
    temporal_ui_url: https://temporal.example/
    recipients:
      mainline: [a@example.org, "Linux <linux@example.org>"]
    default_recipients: ops@example.org
`).load();
    expect(config.results.kcidb).toEqual({ origin: 'kernelci_org', batchSize: 100 });
    expect(config.results.regressions).toEqual({ flakyWindow: 8, flakyChanges: 2 });
    expect(config.results.report.temporalUiUrl).toBe('https://temporal.example');
    expect(recipientsFor(config.results, 'mainline')).toEqual(['a@example.org', 'Linux <linux@example.org>']);
    expect(recipientsFor(config.results, 'next')).toEqual(['ops@example.org']);
  });

  it('names file, line and path of every mistake', () => {
    const { file, load: run } = load(`results:
  kcidb:
    origin: Kernel-CI
    batch_size: 0
  regressions: { flaky_window: two }
  report:
    recipients:
      stable: [a@example.org]
      mainline: [not-an-address]
  colour: blue
`);
    let errors: string[] = [];
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      errors = (err as ConfigError).errors;
    }
    const at = (line: number, text: string) => `${file}:${line} ${text}`;
    expect(errors).toEqual(
      expect.arrayContaining([
        at(23, 'results.kcidb.origin: must match [a-z0-9_]+ (KCIDB origin)'),
        at(24, 'results.kcidb.batch_size: must be a positive integer, got 0'),
        expect.stringMatching(/:25 results\.regressions\.flaky_window: must be a positive integer/),
        expect.stringMatching(/:28 results\.report\.recipients\.stable: unknown field \(allowed: mainline\)/),
        expect.stringMatching(/:29 results\.report\.recipients\.mainline\[0\]: not an e-mail address/),
        expect.stringMatching(/:30 results\.colour: unknown field/),
      ]),
    );
    expect(errors).toHaveLength(6);
  });
});

describe('flaky rule', () => {
  it('counts result changes, newest first', () => {
    expect(resultChanges(['fail', 'pass', 'pass', 'pass'])).toBe(1);
    expect(resultChanges(['fail', 'pass', 'fail', 'pass'])).toBe(3);
    expect(resultChanges(['fail'])).toBe(0);
  });
});

describe('mail content', () => {
  const revision = {
    tree: 'mainline',
    branch: 'master',
    commit: 'a'.repeat(40),
    describe: 'v6.9-rc1-3-gaaaa',
  };
  it('escapes HTML and keeps the text readable', () => {
    const m = regressionMail({
      revision,
      lastPass: { ...revision, commit: 'b'.repeat(40), describe: 'v6.9-rc1-2-gbbbb' },
      path: 'kbuild.baseline.<script>',
      platform: 'qemu-x86',
      regressionUrl: 'http://api/node/1',
      failUrl: 'http://api/node/2',
      passUrl: 'http://api/node/3',
    });
    expect(m.subject).toBe(
      '[maestro] regression in mainline/master v6.9-rc1-3-gaaaa: kbuild.baseline.<script> on qemu-x86',
    );
    expect(m.html).toContain('kbuild.baseline.&lt;script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.text).toContain('Passed on     v6.9-rc1-2-gbbbb');
  });

  it('a report without failures says so', () => {
    const zero = { pass: 0, fail: 0, skip: 0, incomplete: 0, total: 0 };
    const m = treeReportMail({
      revision,
      result: 'pass',
      builds: { ...zero, pass: 1, total: 1 },
      tests: zero,
      failures: [],
      moreFailures: 0,
      newRegressions: [],
      fixedRegressions: [],
      flaky: [],
      checkoutUrl: 'http://api/node/1',
    });
    expect(m.subject).toBe('[maestro] mainline/master v6.9-rc1-3-gaaaa: 1 builds, 0 tests, 0 failures');
    expect(m.text).toContain('Failures (0):\n  none');
    expect(m.text).not.toContain('Workflow:');
  });
});
