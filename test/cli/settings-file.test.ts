import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings, resolveApi, settingsPath, writeSettings } from '../../src/cli/settings-file';
import { decodeTokenClaims } from '../../src/cli/token';
import { parseSse } from '../../src/client/sse';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kci-settings-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('kci settings file', () => {
  it('lives in ~/.config/kci/config.toml unless KCI_CONFIG moves it', () => {
    expect(settingsPath({ HOME: '/home/u' })).toBe('/home/u/.config/kci/config.toml');
    expect(settingsPath({ HOME: '/home/u', KCI_CONFIG: '/tmp/x.toml' })).toBe('/tmp/x.toml');
  });

  it('round-trips named instances with mode 0600 and resolves --api, the default and env overrides', () => {
    const file = path.join(dir, 'sub', 'config.toml');
    writeSettings(
      {
        default: 'prod',
        api: { prod: { url: 'https://p/latest', token: 'tp' }, staging: { url: 'https://s/latest' } },
      },
      file,
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain('[api.prod]');
    expect(readSettings(file).api.staging).toEqual({ url: 'https://s/latest', token: undefined });

    const env = { KCI_CONFIG: file };
    expect(resolveApi(undefined, env)).toEqual({ name: 'prod', url: 'https://p/latest', token: 'tp' });
    expect(resolveApi('staging', env)).toEqual({
      name: 'staging',
      url: 'https://s/latest',
      token: undefined,
    });
    expect(
      resolveApi('staging', { ...env, KCI_API_TOKEN: 'envtok', KCI_API_URL: 'http://e/latest' }),
    ).toEqual({
      name: 'staging',
      url: 'http://e/latest',
      token: 'envtok',
    });
    expect(() => resolveApi('nope', env)).toThrow('no API instance named "nope"');
  });

  it('reports a broken file with its path', () => {
    const file = path.join(dir, 'broken.toml');
    fs.writeFileSync(file, '[api.x\nurl=');
    expect(() => readSettings(file)).toThrow(file);
  });
});

describe('token-info decoding', () => {
  it('decodes claims and expiry without verifying', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'u1', aud: ['maestro'], exp: 2_000_000 })).toString(
      'base64url',
    );
    const info = decodeTokenClaims(`x.${payload}.y`, 1_000_000_000);
    expect(info.claims.sub).toBe('u1');
    expect(info.expires).toBe(new Date(2_000_000_000).toISOString());
    expect(info.expired).toBe(false);
    expect(info.remaining).toBe('11d 13h');
    expect(decodeTokenClaims(`x.${payload}.y`, 3_000_000_000).expired).toBe(true);
    expect(() => decodeTokenClaims('nope')).toThrow('not a JWT');
  });
});

describe('SSE parser', () => {
  it('splits messages across chunk boundaries, keeps ids and skips comments', async () => {
    const text = ': keep-alive\n\nid: 7\ndata: {"a":1}\n\nid: 8\nevent: message\ndata: {"b":\ndata: 2}\n\n';
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 5) controller.enqueue(bytes.slice(i, i + 5));
        controller.close();
      },
    });
    const out = [];
    for await (const m of parseSse(stream)) out.push(m);
    expect(out).toEqual([
      { id: '7', event: 'message', data: '{"a":1}' },
      { id: '8', event: 'message', data: '{"b":\n2}' },
    ]);
  });
});
