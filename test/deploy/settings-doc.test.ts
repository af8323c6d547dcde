// README's configuration table is the operator's reference: it must list exactly the variables of
// src/settings.ts with the same defaults, and bad values must be reported all at once.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, SETTINGS, SettingsError } from '../../src/settings';

const README = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

/** Rows `| \`VAR\` | default | meaning |` of the table under "## Configuration reference". */
function readmeTable(): Map<string, string> {
  const start = README.indexOf('## Configuration reference');
  expect(start, 'README has a "## Configuration reference" section').toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end === -1 ? undefined : end);
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (!m) continue;
    expect(rows.has(m[1]), `${m[1]} listed once`).toBe(false);
    rows.set(m[1], m[2].replace(/^`(.*)`$/, '$1'));
  }
  return rows;
}

describe('settings documentation', () => {
  const table = readmeTable();
  const defs = Object.values(SETTINGS);

  it('lists every setting with its default', () => {
    for (const d of defs) {
      expect(table.has(d.env), `README lists ${d.env}`).toBe(true);
      if ('default' in d && d.default !== undefined) {
        expect(table.get(d.env), `default of ${d.env}`).toBe(d.default);
      } else {
        // "unset", optionally followed by what unset means, e.g. "unset (= `~/.config/kci/config.toml`)"
        expect(table.get(d.env), `${d.env} has no default`).toMatch(/^unset\b/);
      }
    }
  });

  it('lists nothing the settings module does not read', () => {
    const known = new Set(defs.map((d) => d.env));
    for (const env of table.keys())
      expect(known.has(env), `${env} is declared in src/settings.ts`).toBe(true);
  });

  it('accepts the documented defaults', () => {
    expect(() => loadSettings({})).not.toThrow();
  });

  it('reports every invalid value together, naming each variable', () => {
    const env = { MAESTRO_API_PORT: 'eighty', MAESTRO_LOG_LEVEL: 'loud', MAESTRO_WORKER_CONCURRENCY: '-3' };
    let error: unknown;
    try {
      loadSettings(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const { problems, message } = error as SettingsError;
    expect(problems).toHaveLength(3);
    for (const [name, value] of Object.entries(env)) {
      expect(message).toContain(name);
      expect(message).toContain(`"${value}"`);
    }
  });
});
