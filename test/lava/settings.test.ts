// The lava runtime's configuration fields: validated with the rest of the configuration (file, line,
// path), and turned into the runtime's settings with its defaults.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load';
import { lavaRuntimeSettings } from '../../src/runtimes/lava/settings';

const BASE = `trees: { t: { url: 'https://example.org/linux.git' } }
build_configs: { t: { tree: t, branch: master } }
platforms: { qemu-x86: { arch: x86_64, boot_method: qemu } }
jobs:
  boot:
    kind: test
    template: boot-test.jinja2
scheduler:
  - job: boot
    event: { kind: checkout, state: available }
    runtime: lab
    platforms: [qemu-x86]
storage: { type: http, base_url: 'http://127.0.0.1:8010/' }
api: { url: 'http://127.0.0.1:8000/latest' }
`;

function load(runtime: string): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lava-cfg-'));
  const file = path.join(dir, 'pipeline.yaml');
  fs.writeFileSync(file, `${BASE}runtimes:\n  lab:\n${runtime}`);
  try {
    return loadConfig(file).config;
  } catch (err) {
    if (err instanceof ConfigError) return (err as ConfigError & { errors: string[] }).errors;
    throw err;
  }
}

describe('lava runtime configuration', () => {
  it('accepts a complete runtime; a job with a template needs no command', () => {
    const config = load(
      `    type: lava\n    url: https://lava.example.org\n    device_types: { qemu-x86: qemu }\n    priority: 80\n    timeouts: { action: 5m }\n`,
    ) as { runtimes: Record<string, { params: Record<string, unknown> }> };
    const s = lavaRuntimeSettings('lab', config.runtimes.lab.params);
    expect(s).toMatchObject({
      url: 'https://lava.example.org',
      deviceTypes: { 'qemu-x86': 'qemu' },
      template: 'boot-test.jinja2',
      templatesDir: 'config/lava',
      priority: 80,
      visibility: 'public',
      actionTimeoutMin: 5,
      connectionTimeoutMin: 2,
    });
  });

  it('reports each bad field with file, line and path', () => {
    const errors = load(
      `    type: lava\n    url: lava.example.org\n    priority: urgent\n    token: secret\n    timeouts: { action: soon, boot: 1m }\n`,
    ) as string[];
    const text = errors.join('\n');
    expect(text).toMatch(/pipeline\.yaml:\d+ runtimes\.lab\.url: must be the LAVA server URL/);
    expect(text).toMatch(/runtimes\.lab\.device_types: must map platform names/);
    expect(text).toMatch(/runtimes\.lab\.priority: must be high, medium, low/);
    expect(text).toMatch(/runtimes\.lab\.token: unknown field/);
    expect(text).toMatch(/runtimes\.lab\.timeouts\.action: must be a duration/);
    expect(text).toMatch(/runtimes\.lab\.timeouts\.boot: unknown timeout/);
  });
});
