// POST /webhook/git on the real API and real Temporal: a signed push starts the revision's checkout
// workflow at once, with the id the trigger's poll would use; the same push again starts nothing.
// Payloads keep the fields of real deliveries (trimmed): GitHub, a delivery recorded in
// agoda-com/samsahai's test data (2019-09-05); GitLab and Gitea, the push examples of their webhook docs.
import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { checkoutWorkflowId } from '../../src/temporal/workflow-ids';
import { normalizeRepoUrl } from '../../src/webhook/push';
import { createWebhookTarget } from '../../src/webhook/target';
import { startRevision } from '../../src/workflows/pipeline/client';
import { startTestApi, type TestApi } from '../support/api';
import { openTemporalClient, testEnv, uniqueSuffix, uniqueTaskQueue } from '../support/harness';

const SECRET = "It's a Secret to Everybody";

const GITHUB_PUSH = {
  ref: 'refs/heads/master',
  before: '6a7e0f4ce8d0dc1f8e4a5c9d4b2f3a1e0d9c8b7a',
  after: '32c457ac10563a7d2913916625db5526cde7b771',
  head_commit: { id: '32c457ac10563a7d2913916625db5526cde7b771', message: 'Update samsahai.yaml' },
  repository: {
    full_name: 'agoda-com/samsahai-example',
    html_url: 'https://github.com/agoda-com/samsahai-example',
    clone_url: 'https://github.com/agoda-com/samsahai-example.git',
    ssh_url: 'git@github.com:agoda-com/samsahai-example.git',
  },
};
const GITLAB_PUSH = {
  object_kind: 'push',
  before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
  after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
  ref: 'refs/heads/master',
  project: {
    name: 'Diaspora',
    web_url: 'http://example.com/mike/diaspora',
    git_ssh_url: 'git@example.com:mike/diaspora.git',
    git_http_url: 'http://example.com/mike/diaspora.git',
  },
};
const GITEA_PUSH = {
  ref: 'refs/heads/develop',
  before: '28e1879d029cb852e4844d9c718537df08844e03',
  after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
  repository: {
    full_name: 'gitea/webhooks',
    html_url: 'http://localhost:3000/gitea/webhooks',
    ssh_url: 'ssh://gitea@localhost:2222/gitea/webhooks.git',
    clone_url: 'http://localhost:3000/gitea/webhooks.git',
  },
};

describe('git push webhook', () => {
  let api: TestApi;
  let client: Client;
  let taskQueue: string;
  const suffix = uniqueSuffix();
  const trees = { gh: `gh${suffix}`, gl: `gl${suffix}`, gt: `gt${suffix}` };
  const started: string[] = [];

  beforeAll(async () => {
    const file = path.join(testEnv().tmpDir, `webhook-${suffix}.yaml`);
    await fs.writeFile(
      file,
      `trees:
  ${trees.gh}: { url: 'https://github.com/agoda-com/samsahai-example' }
  ${trees.gl}: { url: 'git@example.com:mike/diaspora.git' }
  ${trees.gt}: { url: 'http://localhost:3000/gitea/webhooks.git' }
build_configs:
  gh: { tree: ${trees.gh}, branch: master }
  gh-x86: { tree: ${trees.gh}, branch: master, architectures: [x86_64] }
  gl: { tree: ${trees.gl}, branch: master }
  gt: { tree: ${trees.gt}, branch: develop }
runtimes: { shell: { type: shell } }
jobs: { kbuild: { kind: kbuild, command: make, params: { arch: x86_64, defconfig: defconfig } } }
storage: { type: http, base_url: 'http://127.0.0.1:1/' }
api: { url: 'http://127.0.0.1:2/latest' }
`,
    );
    const { config } = loadConfig(file);
    client = await openTemporalClient();
    // No pipeline worker: what is checked is the start itself (a revision's run is the pipeline's tests).
    taskQueue = uniqueTaskQueue('webhook');
    api = await startTestApi();
    api.ctx.webhook = createWebhookTarget({
      secret: SECRET,
      config: () => config,
      start: async (rev) => {
        const r = await startRevision(client, rev, taskQueue);
        if (r.started) started.push(r.workflowId);
        return r;
      },
    });
  });
  afterAll(async () => {
    await Promise.all(
      started.map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => {}),
      ),
    );
  });

  const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');
  async function post(headers: Record<string, string>, payload: unknown) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const res = await fetch(`${api.url}/webhook/git`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const github = (payload: unknown, event = 'push') => {
    const body = JSON.stringify(payload);
    return post({ 'x-github-event': event, 'x-hub-signature-256': `sha256=${sign(body)}` }, body);
  };

  it('a GitHub push starts the revision within a second; the same push again starts nothing new', async () => {
    const id = checkoutWorkflowId(trees.gh, 'master', GITHUB_PUSH.after);
    const t0 = Date.now();
    const first = await github(GITHUB_PUSH);
    const ms = Date.now() - t0;
    console.log(`[measure] webhook push → checkout workflow started: ${ms} ms`);
    expect(first).toEqual({ status: 202, body: { forge: 'github', started: [id], existing: [] } });
    expect(ms).toBeLessThan(1000);
    const desc = await client.workflow.getHandle(id).describe();
    expect(desc.status.name).toBe('RUNNING');
    expect(desc.type).toBe('checkoutWorkflow');

    const again = await github(GITHUB_PUSH);
    expect(again).toEqual({ status: 202, body: { forge: 'github', started: [], existing: [id] } });
    // The trigger's poll finding the same head starts nothing either: one id for both paths.
    const polled = await startRevision(
      client,
      {
        tree: trees.gh,
        branch: 'master',
        url: 'https://github.com/agoda-com/samsahai-example',
        commit: GITHUB_PUSH.after,
      },
      taskQueue,
    );
    expect(polled).toEqual({ workflowId: id, started: false });
  });

  it('GitLab (X-Gitlab-Token) and Gitea (X-Gitea-Signature) pushes; URLs match in any spelling', async () => {
    const gl = await post({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, GITLAB_PUSH);
    expect(gl).toEqual({
      status: 202,
      body: {
        forge: 'gitlab',
        started: [checkoutWorkflowId(trees.gl, 'master', GITLAB_PUSH.after)],
        existing: [],
      },
    });
    const body = JSON.stringify(GITEA_PUSH);
    // Gitea sends X-GitHub-Event too; its own headers decide.
    const gt = await post(
      { 'x-gitea-event': 'push', 'x-github-event': 'push', 'x-gitea-signature': sign(body) },
      body,
    );
    expect(gt).toEqual({
      status: 202,
      body: {
        forge: 'gitea',
        started: [checkoutWorkflowId(trees.gt, 'develop', GITEA_PUSH.after)],
        existing: [],
      },
    });
    expect(normalizeRepoUrl('ssh://gitea@localhost:2222/gitea/webhooks.git')).toBe(
      'localhost:2222/gitea/webhooks',
    );
    expect(normalizeRepoUrl('git@example.com:mike/diaspora.git')).toBe(
      normalizeRepoUrl('http://example.com/mike/diaspora'),
    );
  });

  it('refuses a wrong or missing secret, naming the header (401), and a push without its fields (400)', async () => {
    const body = JSON.stringify(GITHUB_PUSH);
    const forged = await post(
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body,
    );
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toMatch(/^X-Hub-Signature-256: /);
    expect((await post({ 'x-github-event': 'push' }, body)).body.detail).toBe(
      'X-Hub-Signature-256: required',
    );
    const gl = await post({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' }, GITLAB_PUSH);
    expect(gl).toMatchObject({
      status: 401,
      body: { detail: 'X-Gitlab-Token: does not match the webhook secret' },
    });
    const gt = await post({ 'x-gitea-event': 'push', 'x-gitea-signature': sign(body + ' ') }, body);
    expect(gt.status).toBe(401);
    expect((await post({}, body)).status).toBe(400);
    const noAfter = await github({ ...GITHUB_PUSH, after: 'HEAD' });
    expect(noAfter).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/^body\.after: /) } });
  });

  it('tags, deleted branches, other events and unknown repositories start nothing', async () => {
    const tag = await github({ ...GITHUB_PUSH, ref: 'refs/tags/v6.9' });
    expect(tag.body).toMatchObject({ started: [], ignored: 'ref refs/tags/v6.9 is not a branch' });
    const deleted = await github({ ...GITHUB_PUSH, after: '0'.repeat(40) });
    expect(deleted.body).toMatchObject({ started: [], ignored: 'branch master was deleted' });
    expect((await github({ zen: 'Keep it logically awesome.' }, 'ping')).body).toEqual({
      forge: 'github',
      ping: 'ok',
    });
    const other = await github({
      ...GITHUB_PUSH,
      repository: { clone_url: 'https://github.com/torvalds/linux.git' },
    });
    expect(other.body).toMatchObject({
      started: [],
      existing: [],
      ignored: expect.stringMatching(/^no configured tree/),
    });
  });

  it('answers 404 when the webhook is not configured', async () => {
    const plain = await startTestApi({ db: api.db });
    const res = await fetch(`${plain.url}/webhook/git`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(404);
  });
});
