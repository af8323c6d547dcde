import { beforeAll, describe, expect, it } from 'vitest';
import { authHeader, createTestUser, startTestApi, type TestApi } from '../support/api';

describe('API server infrastructure', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });

  it('serves the root under /latest, /v0 and unprefixed', async () => {
    for (const path of ['/latest/', '/v0/', '/']) {
      const res = await fetch(`${api.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(((await res.json()) as { name: string }).name).toContain('Maestro');
    }
  });

  it('logs in and answers whoami', async () => {
    const user = await createTestUser(api, { groups: ['g1'] });
    const res = await fetch(`${api.url}/latest/whoami`, { headers: authHeader(user.token) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: user.username, groups: [{ name: 'g1' }] });
  });
});
