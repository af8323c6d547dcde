// kci as a KernelCI user types it: runnable with `npx kci` from the checkout as README says, and
// KernelCI's own command spellings (`kci node findfast`, `kci event subscribe --promisc`,
// `kci event stats`, `kci job new`) either work or say what to use instead.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, json, kciRunner, type Kci } from '../cli/kci';
import { createTestUser, http, startTestApi, type TestApi } from '../support/api';

const ROOT = path.resolve(__dirname, '..', '..');

describe('KernelCI compatibility: kci', () => {
  let api: TestApi;
  let kci: Kci;
  let admin: Kci;

  beforeAll(async () => {
    ensureCliBuilt();
    api = await startTestApi();
    const [user, superuser] = await Promise.all([
      createTestUser(api),
      createTestUser(api, { superuser: true, adminScope: false }),
    ]);
    kci = kciRunner({ KCI_API_URL: `${api.url}/latest`, KCI_API_TOKEN: user.token });
    admin = kciRunner({ KCI_API_URL: `${api.url}/latest`, KCI_API_TOKEN: superuser.token });
  });

  it('`npx kci` runs from the checkout after the build, as README says', () => {
    const res = spawnSync('npx', ['--no-install', 'kci', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('kci node findfast prints the nodes of GET /nodes/fast as JSON', async () => {
    const created = await kci([
      'node',
      'submit',
      kci.file('n.json', { kind: 'checkout', name: 'findfast-me' }),
    ]);
    expect(created.code, created.stderr).toBe(0);
    const found = json(await kci(['node', 'findfast', 'name=findfast-me']));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'checkout', name: 'findfast-me' });
  });

  it('kci event subscribe --promisc and kci event stats (admin)', async () => {
    const sub = await kci(['event', 'subscribe', 'node', '--promisc', '--json']);
    expect(json(sub)).toMatchObject({ channel: 'node', promiscuous: true });
    const denied = await kci(['event', 'stats']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/\(HTTP 403\)/);
    const stats = json(await admin(['event', 'stats']));
    expect(stats).toContainEqual(expect.objectContaining({ id: json(sub).id, channel: 'node' }));
  });

  it('kci job new|generate|submit answer which command to use here', async () => {
    for (const [args, hint] of [
      [['job', 'new', 'baseline-x86', 'abc123', '--platform', 'qemu'], /kci pipeline trigger/],
      [['job', 'generate', 'abc123'], /kci config forecast/],
      [['job', 'submit', 'job.yaml'], /kci worker --runtime/],
    ] as const) {
      const res = await kci([...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(hint);
    }
    // Nothing was created.
    expect((await http(api, 'GET', '/latest/count?kind=job')).body).toBe(0);
  });
});
