// Node routes over real HTTP against the real FerretDB: every route, the permission matrix, the state
// machine, hierarchy submits, a KernelCI-style client flow and a table of bad inputs.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, http, login, startTestApi, type TestApi, type TestUser } from '../support/api';
import { uniqueSuffix } from '../support/harness';
import type { Node } from '../../src/db/nodes/types';

const revision = (tree = 'mainline') => ({
  kernel_revision: {
    tree,
    url: 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git',
    branch: 'master',
    commit: 'c'.repeat(40),
  },
});

describe('node routes', () => {
  let api: TestApi;
  let owner: TestUser;
  let other: TestUser;
  let groupMember: TestUser;
  let editAny: TestUser;
  let runtimeEditor: TestUser;
  let admin: TestUser;
  let adminEveryday: TestUser;
  let adminNarrowed: TestUser;
  const labGroup = `lab-${uniqueSuffix()}`;

  beforeAll(async () => {
    api = await startTestApi();
    [owner, other, groupMember, editAny, runtimeEditor, admin, adminEveryday] = await Promise.all([
      createTestUser(api),
      createTestUser(api),
      createTestUser(api, { groups: [labGroup] }),
      createTestUser(api, { groups: ['node:edit:any'] }),
      createTestUser(api, { groups: ['runtime:lava-collabora:node-editor'] }),
      createTestUser(api, { superuser: true }),
      createTestUser(api, { superuser: true, adminScope: false }),
    ]);
    adminNarrowed = {
      ...adminEveryday,
      token: await login(api.url, adminEveryday.username, adminEveryday.password, { scope: 'user' }),
    };
  });

  async function createNode(token: string, body: Record<string, unknown>) {
    const res = await http(api, 'POST', '/latest/node', { token, json: body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  describe('create and read', () => {
    it('POST /node creates with server-set fields; GET /node/{id} reads it under every prefix', async () => {
      const node = await createNode(owner.token, { kind: 'checkout', name: 'checkout', data: revision() });
      expect(node).toMatchObject({
        kind: 'checkout',
        name: 'checkout',
        owner: owner.username,
        state: 'running',
        result: null,
        parent: null,
        path: ['checkout'],
        treeid: node.id,
      });
      expect(node.id).toMatch(/^[0-9a-f]{24}$/);
      expect(node.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(node.timeout) - Date.parse(node.created)).toBe(3 * 3600_000);
      expect(Object.keys(node).filter((k) => k.startsWith('_'))).toEqual([]);
      for (const prefix of ['/latest', '/v0', '']) {
        const res = await http(api, 'GET', `${prefix}/node/${node.id}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(node);
      }
      expect((await http(api, 'GET', `/v7/node/${node.id}`)).status).toBe(400);
    });

    it('a child gets its path and tree id from the parent; an unknown parent is a 404', async () => {
      const root = await createNode(owner.token, { kind: 'checkout', name: 'checkout', data: revision() });
      const kbuild = await createNode(owner.token, {
        kind: 'kbuild',
        name: 'kbuild-gcc-12-arm64',
        parent: root.id,
        data: { arch: 'arm64', defconfig: 'defconfig' },
      });
      expect(kbuild).toMatchObject({
        parent: root.id,
        path: ['checkout', 'kbuild-gcc-12-arm64'],
        treeid: root.id,
      });
      expect(Date.parse(kbuild.timeout) - Date.parse(kbuild.created)).toBe(6 * 3600_000);
      const missing = await http(api, 'POST', '/latest/node', {
        token: owner.token,
        json: { kind: 'kbuild', name: 'x', parent: 'f'.repeat(24) },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toMatch(/parent/);
    });

    it('GET /node with an unknown id is 200 null (as upstream), with a malformed id a 400', async () => {
      const unknown = await http(api, 'GET', `/latest/node/${'a'.repeat(24)}`);
      expect(unknown.status).toBe(200);
      expect(unknown.body).toBeNull();
      const bad = await http(api, 'GET', '/latest/node/not-an-id');
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/id/);
    });

    it('writes need a token: anonymous is 401 on every write route', async () => {
      const node = await createNode(owner.token, { kind: 'job', name: 'anon-target' });
      const cases: [string, string, unknown][] = [
        ['POST', '/latest/node', { kind: 'job', name: 'x' }],
        ['PUT', `/latest/node/${node.id}`, { kind: 'job', name: 'x' }],
        ['PATCH', `/latest/node/${node.id}`, { state: 'done' }],
        ['PUT', `/latest/nodes/${node.id}`, { node: {}, child_nodes: [] }],
        [
          'PUT',
          '/latest/batch/nodeset',
          { nodes: [node.id], field: 'processed_by_kcidb_bridge', value: true },
        ],
      ];
      for (const [method, path, json] of cases) {
        expect((await http(api, method, path, { json })).status, `${method} ${path}`).toBe(401);
        expect(
          (await http(api, method, path, { json, token: 'garbage' })).status,
          `${method} ${path} bad token`,
        ).toBe(401);
      }
    });
  });

  describe('who may edit a node', () => {
    const editors: [string, () => TestUser, boolean][] = [
      ['owner', () => owner, true],
      ['another user', () => other, false],
      ['a member of a group in user_groups', () => groupMember, true],
      ['a member of node:edit:any', () => editAny, true],
      ['a member of runtime:<data.runtime>:node-editor', () => runtimeEditor, true],
      ['an admin (admin-scope token)', () => admin, true],
      ['an admin with an ordinary login token (as upstream)', () => adminEveryday, true],
      ['an admin with a token narrowed to scope=user', () => adminNarrowed, false],
    ];
    for (const [who, user, allowed] of editors) {
      it(`${who}: ${allowed ? 'may' : 'may not (403)'} PATCH, PUT and submit under the node`, async () => {
        const node = await createNode(owner.token, {
          kind: 'job',
          name: 'baseline',
          user_groups: [labGroup],
          data: { runtime: 'lava-collabora' },
        });
        const patch = await http(api, 'PATCH', `/latest/node/${node.id}`, {
          token: user().token,
          json: { state: 'available' },
        });
        expect(patch.status, JSON.stringify(patch.body)).toBe(allowed ? 200 : 403);
        const put = await http(api, 'PUT', `/latest/node/${node.id}`, {
          token: user().token,
          json: { ...node, state: 'closing' },
        });
        expect(put.status, JSON.stringify(put.body)).toBe(allowed ? 200 : 403);
        const tree = await http(api, 'PUT', `/latest/nodes/${node.id}`, {
          token: user().token,
          json: { node: { state: 'done', result: 'pass' }, child_nodes: [] },
        });
        expect(tree.status, JSON.stringify(tree.body)).toBe(allowed ? 200 : 403);
        const stored = (await http(api, 'GET', `/latest/node/${node.id}`)).body;
        expect(stored.state).toBe(allowed ? 'done' : 'running');
        if (!allowed) expect(patch.body.detail).toMatch(user().username);
      });
    }

    it('the runtime editor group only covers nodes of that runtime', async () => {
      const node = await createNode(owner.token, {
        kind: 'job',
        name: 'docker-job',
        data: { runtime: 'docker' },
      });
      expect(
        (
          await http(api, 'PATCH', `/latest/node/${node.id}`, {
            token: runtimeEditor.token,
            json: { state: 'done' },
          })
        ).status,
      ).toBe(403);
    });

    it('PUT keeps owner, submitter and user_groups: changing them is a 400', async () => {
      const node = await createNode(owner.token, {
        kind: 'job',
        name: 'immutable',
        submitter: 'service:pipeline',
        user_groups: [labGroup],
      });
      for (const change of [
        { owner: other.username },
        { submitter: 'someone' },
        { user_groups: [] },
        { parent: 'e'.repeat(24) },
      ]) {
        const res = await http(api, 'PUT', `/latest/node/${node.id}`, {
          token: owner.token,
          json: { ...node, ...change },
        });
        expect(res.status, JSON.stringify(change)).toBe(400);
        expect(res.body.detail).toContain(Object.keys(change)[0]);
      }
      const echo = await http(api, 'PUT', `/latest/node/${node.id}`, {
        token: owner.token,
        json: { ...node, name: 'renamed' },
      });
      expect(echo.status).toBe(200);
      expect(echo.body).toMatchObject({
        name: 'renamed',
        path: ['renamed'],
        owner: owner.username,
        submitter: 'service:pipeline',
        user_groups: [labGroup],
      });
      const wrongId = await http(api, 'PUT', `/latest/node/${node.id}`, {
        token: owner.token,
        json: { ...node, id: 'd'.repeat(24) },
      });
      expect(wrongId.status).toBe(400);
    });
  });

  describe('state machine', () => {
    const states = ['running', 'available', 'closing', 'done'] as const;
    const allowed: Record<string, string[]> = {
      running: ['running', 'available', 'closing', 'done'],
      available: ['available', 'closing', 'done'],
      closing: ['closing', 'done'],
      done: ['done'],
    };
    async function nodeIn(state: string) {
      const node = await createNode(owner.token, { kind: 'job', name: `sm-${state}` });
      const path = { running: [], available: ['available'], closing: ['closing'], done: ['done'] }[state]!;
      for (const s of path)
        expect(
          (await http(api, 'PATCH', `/latest/node/${node.id}`, { token: owner.token, json: { state: s } }))
            .status,
        ).toBe(200);
      return node;
    }
    for (const from of states) {
      for (const to of states) {
        const ok = allowed[from].includes(to);
        it(`${from} → ${to}: ${ok ? 'allowed' : '400'}`, async () => {
          const node = await nodeIn(from);
          const res = await http(api, 'PATCH', `/latest/node/${node.id}`, {
            token: owner.token,
            json: { state: to },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(ok ? 200 : 400);
          if (!ok) {
            expect(res.body.detail).toContain(`"${from}"`);
            expect(res.body.detail).toContain(`"${to}"`);
          }
          // PUT checks the same rule.
          const current = (await http(api, 'GET', `/latest/node/${node.id}`)).body;
          const put = await http(api, 'PUT', `/latest/node/${node.id}`, {
            token: owner.token,
            json: { ...current, state: to },
          });
          expect(put.status).toBe(ok ? 200 : 400);
        });
      }
    }

    it('a late result may overwrite a timed-out done/incomplete', async () => {
      const node = await nodeIn('done');
      await http(api, 'PATCH', `/latest/node/${node.id}`, {
        token: owner.token,
        json: { result: 'incomplete', data: { error_code: 'node_timeout' } },
      });
      const late = await http(api, 'PATCH', `/latest/node/${node.id}`, {
        token: owner.token,
        json: { state: 'done', result: 'pass' },
      });
      expect(late.status).toBe(200);
      expect(late.body).toMatchObject({
        state: 'done',
        result: 'pass',
        data: { error_code: 'node_timeout' },
      });
    });
  });

  describe('PATCH', () => {
    it('changes only the given fields and merges data key by key', async () => {
      const node = await createNode(owner.token, {
        kind: 'kbuild',
        name: 'patchy',
        data: { arch: 'x86_64', defconfig: 'x86_64_defconfig' },
        artifacts: { config: 'https://s/a' },
      });
      const res = await http(api, 'PATCH', `/latest/node/${node.id}`, {
        token: owner.token,
        json: {
          result: 'pass',
          data: { compiler: 'gcc-12' },
          artifacts: { build_log: 'https://s/log' },
          holdoff: '2030-01-01T00:10:00Z',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'patchy',
        result: 'pass',
        data: { arch: 'x86_64', defconfig: 'x86_64_defconfig', compiler: 'gcc-12' },
        artifacts: { build_log: 'https://s/log' },
        holdoff: '2030-01-01T00:10:00.000Z',
      });
      expect(Date.parse(res.body.updated)).toBeGreaterThanOrEqual(Date.parse(node.updated));
    });

    it('non-patchable or unknown fields are a 400 naming the field', async () => {
      const node = await createNode(owner.token, { kind: 'job', name: 'strict' });
      for (const body of [{ name: 'x' }, { owner: 'x' }, { kind: 'test' }, { bogus: 1 }]) {
        const res = await http(api, 'PATCH', `/latest/node/${node.id}`, { token: owner.token, json: body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.detail).toContain(Object.keys(body)[0]);
      }
    });

    it('?noevent=true writes without publishing an event', async () => {
      const node = await createNode(owner.token, { kind: 'job', name: `quiet-${uniqueSuffix()}` });
      const res = await http(api, 'PATCH', `/latest/node/${node.id}?noevent=true`, {
        token: owner.token,
        json: { state: 'available' },
      });
      expect(res.status).toBe(200);
      await api.ctx.nodes.flush();
      await http(api, 'PATCH', `/latest/node/${node.id}`, { token: owner.token, json: { state: 'done' } });
      const events = await http(api, 'GET', `/latest/events?node_id=${node.id}`);
      expect(events.status).toBe(200);
      // created (event), available (noevent), done (event)
      expect(
        events.body.map((e: { data: { op: string; state: string } }) => [e.data.op, e.data.state]),
      ).toEqual([
        ['created', 'running'],
        ['updated', 'done'],
      ]);
      expect(events.body[1].data.previous_state).toBe('available');
    });
  });

  describe('hierarchy submit', () => {
    it('creates the tree top-down, one event per node, and a retried identical submit duplicates nothing', async () => {
      const job = await createNode(owner.token, {
        kind: 'job',
        name: 'baseline-arm64',
        data: { runtime: 'lava-collabora' },
        submitter: 'service:pipeline',
      });
      const body = {
        node: { ...job, state: 'done', result: 'fail' },
        child_nodes: [
          { node: { kind: 'test', name: 'login', state: 'done', result: 'pass' }, child_nodes: [] },
          {
            node: { kind: 'test', name: 'dmesg', state: 'done', result: 'fail' },
            child_nodes: [
              { node: { kind: 'test', name: 'emerg', state: 'done', result: 'pass' }, child_nodes: [] },
              { node: { kind: 'test', name: 'crit', state: 'done', result: 'fail' }, child_nodes: [] },
            ],
          },
        ],
      };
      const first = await http(api, 'PUT', `/latest/nodes/${job.id}`, { token: owner.token, json: body });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.map((n: { name: string }) => n.name)).toEqual([
        'baseline-arm64',
        'login',
        'dmesg',
        'emerg',
        'crit',
      ]);
      expect(first.body[0]).toMatchObject({ id: job.id, state: 'done', result: 'fail' });
      const crit = first.body[4];
      expect(crit).toMatchObject({
        path: ['baseline-arm64', 'dmesg', 'crit'],
        parent: first.body[2].id,
        treeid: job.id,
        owner: owner.username,
        submitter: 'service:pipeline',
      });

      const retry = await http(api, 'PUT', `/latest/nodes/${job.id}`, { token: owner.token, json: body });
      expect(retry.status).toBe(200);
      expect(retry.body.map((n: { id: string }) => n.id)).toEqual(
        first.body.map((n: { id: string }) => n.id),
      );
      const count = await http(api, 'GET', `/latest/count?treeid=${job.id}`);
      expect(count.body).toBe(5);

      // A retry that changes one result updates that node only.
      body.child_nodes[0].node.result = 'fail';
      const changed = await http(api, 'PUT', `/latest/nodes/${job.id}`, { token: owner.token, json: body });
      expect(changed.body[1]).toMatchObject({ id: first.body[1].id, result: 'fail' });
      expect((await http(api, 'GET', `/latest/count?treeid=${job.id}`)).body).toBe(5);
    });

    it('rejects a bad child before writing anything', async () => {
      const job = await createNode(owner.token, { kind: 'job', name: 'atomic-check' });
      const res = await http(api, 'PUT', `/latest/nodes/${job.id}`, {
        token: owner.token,
        json: {
          node: {},
          child_nodes: [
            { node: { kind: 'test', name: 'ok' }, child_nodes: [] },
            { node: { kind: 'nope', name: 'bad' }, child_nodes: [] },
          ],
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('child_nodes[1].node.kind');
      expect((await http(api, 'GET', `/latest/count?parent=${job.id}`)).body).toBe(0);
      expect(
        (
          await http(api, 'PUT', `/latest/nodes/${'b'.repeat(24)}`, {
            token: owner.token,
            json: { node: {}, child_nodes: [] },
          })
        ).status,
      ).toBe(404);
    });
  });

  describe('PUT /batch/nodeset', () => {
    it('sets processed_by_kcidb_bridge on the nodes the caller may edit and answers the count', async () => {
      const mine = await createNode(owner.token, { kind: 'test', name: 'kcidb-1' });
      const mine2 = await createNode(owner.token, { kind: 'test', name: 'kcidb-2' });
      const theirs = await createNode(other.token, { kind: 'test', name: 'kcidb-3' });
      const res = await http(api, 'PUT', '/latest/batch/nodeset', {
        token: owner.token,
        json: { nodes: [mine.id, mine2.id, theirs.id], field: 'processed_by_kcidb_bridge', value: 'true' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toBe(2);
      expect((await http(api, 'GET', `/latest/node/${mine.id}`)).body.processed_by_kcidb_bridge).toBe(true);
      expect((await http(api, 'GET', `/latest/node/${theirs.id}`)).body.processed_by_kcidb_bridge).toBe(
        false,
      );
      expect(
        (
          await http(api, 'PUT', '/latest/batch/nodeset', {
            token: owner.token,
            json: { nodes: [mine.id], field: 'state', value: 'done' },
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await http(api, 'PUT', '/latest/batch/nodeset', {
            token: owner.token,
            json: { nodes: ['f'.repeat(24)], field: 'processed_by_kcidb_bridge', value: true },
          })
        ).status,
      ).toBe(404);
    });
  });

  describe('a KernelCI-style client flow', () => {
    it('login with a form, create a checkout, PUT it available, submit a kbuild under it, query it back', async () => {
      const tree = `next-${uniqueSuffix()}`;
      const login = await http(api, 'POST', '/latest/user/login', {
        form: { username: owner.username, password: owner.password },
      });
      expect(login.status).toBe(200);
      expect(login.body.token_type).toBe('bearer');
      const token = login.body.access_token;
      const checkout = await createNode(token, {
        kind: 'checkout',
        name: 'checkout',
        path: ['checkout'],
        group: null,
        data: revision(tree),
        artifacts: {},
        state: 'running',
        result: null,
        parent: null,
        user_groups: [],
      });
      // The python client GETs the node, edits it and PUTs the whole thing back.
      const got = (await http(api, 'GET', `/latest/node/${checkout.id}`)).body;
      const put = await http(api, 'PUT', `/latest/node/${checkout.id}`, {
        token,
        json: {
          ...got,
          state: 'available',
          holdoff: new Date(Date.now() + 600_000).toISOString(),
          artifacts: { tarball: 'https://storage/linux.tar.gz' },
        },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const kbuild = await createNode(token, {
        kind: 'kbuild',
        name: 'kbuild-gcc-12-x86',
        parent: checkout.id,
        state: 'running',
        data: {
          ...revision(tree),
          arch: 'x86_64',
          defconfig: 'x86_64_defconfig',
          compiler: 'gcc-12',
          fragments: [],
          platform: 'kubernetes',
          runtime: 'k8s-gke-eu-west4',
        },
      });
      const query = await http(api, 'GET', `/latest/nodes?kind=kbuild&data.kernel_revision.tree=${tree}`);
      expect(query.status).toBe(200);
      expect(query.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
      expect(query.body.items[0]).toEqual(kbuild);
    });
  });

  describe('bad input', () => {
    let target: Node;
    beforeAll(async () => {
      target = await createNode(owner.token, { kind: 'job', name: 'bad-input-target' });
    });
    const cases: [string, string, string, unknown, number, RegExp][] = [
      ['malformed JSON', 'POST', '/latest/node', '{"kind": "job", ', 400, /JSON/],
      [
        'id in a create body',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', id: 'a'.repeat(24) },
        400,
        /id/,
      ],
      ['unknown kind', 'POST', '/latest/node', { kind: 'build', name: 'x' }, 400, /kind/],
      ['missing name', 'POST', '/latest/node', { kind: 'job' }, 400, /name/],
      ['name of the wrong type', 'POST', '/latest/node', { kind: 'job', name: 5 }, 400, /name/],
      [
        'state not a state',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', state: 'finished' },
        400,
        /state/,
      ],
      [
        'result not a result',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', result: 'ok' },
        400,
        /result/,
      ],
      [
        'retry_counter as a string',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', retry_counter: '3' },
        400,
        /retry_counter/,
      ],
      [
        'unknown top-level field',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', colour: 'red' },
        400,
        /colour/,
      ],
      [
        'malformed parent id',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', parent: 'xyz' },
        400,
        /parent/,
      ],
      [
        'bad timestamp',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', timeout: 'tomorrow' },
        400,
        /timeout/,
      ],
      [
        'dotted key in data',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', data: { 'build.log': 1 } },
        400,
        /data\.build\.log/,
      ],
      [
        'dotted artifact name',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', artifacts: { 'build.log': 'https://s/l' } },
        400,
        /build\.log/,
      ],
      [
        '$ key in data',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', data: { $where: 'sleep(1)' } },
        400,
        /\$where/,
      ],
      [
        'nested $ key in debug',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', debug: { a: { $gt: 1 } } },
        400,
        /debug\.a\.\$gt/,
      ],
      [
        'lone surrogate in a data value',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', data: { s: 'a\ud800b' } },
        400,
        /data\.s/,
      ],
      [
        'nested array in data',
        'POST',
        '/latest/node',
        { kind: 'job', name: 'x', data: { m: [[1, 2]] } },
        400,
        /data\.m\[0\]/,
      ],
      [
        'checkout revision without a commit',
        'POST',
        '/latest/node',
        { kind: 'checkout', name: 'x', data: { kernel_revision: { tree: 't', url: 'u', branch: 'b' } } },
        400,
        /data\.kernel_revision\.commit/,
      ],
      [
        'checkout with a numeric tree',
        'POST',
        '/latest/node',
        {
          kind: 'checkout',
          name: 'x',
          data: { kernel_revision: { ...revision().kernel_revision, tree: 1 } },
        },
        400,
        /data\.kernel_revision\.tree/,
      ],
      [
        'kbuild with a numeric arch',
        'POST',
        '/latest/node',
        { kind: 'kbuild', name: 'x', data: { arch: 64 } },
        400,
        /data\.arch/,
      ],
      ['bad id in a PATCH url', 'PATCH', '/latest/node/1234', { state: 'done' }, 400, /id/],
      [
        'unknown id in a PATCH url',
        'PATCH',
        `/latest/node/${'c'.repeat(24)}`,
        { state: 'done' },
        404,
        /not found/,
      ],
      ['empty PATCH', 'PATCH', 'TARGET', {}, 400, /body/],
      ['$ key in a PATCH', 'PATCH', 'TARGET', { data: { $set: { owner: 'me' } } }, 400, /\$set/],
      [
        'bad hierarchy child',
        'PUT',
        'TREE',
        { node: {}, child_nodes: [{ node: { kind: 'test' }, child_nodes: [] }] },
        400,
        /child_nodes\[0\]\.node\.name/,
      ],
      [
        'id on a hierarchy child',
        'PUT',
        'TREE',
        {
          node: {},
          child_nodes: [{ node: { kind: 'test', name: 'x', id: 'a'.repeat(24) }, child_nodes: [] }],
        },
        400,
        /child_nodes\[0\]\.node\.id/,
      ],
    ];
    for (const [what, method, path, body, status, detail] of cases) {
      it(`${what}: ${status}`, async () => {
        const url =
          path === 'TARGET'
            ? `/latest/node/${target.id}`
            : path === 'TREE'
              ? `/latest/nodes/${target.id}`
              : path;
        const res = await http(
          api,
          method,
          url,
          typeof body === 'string'
            ? { token: owner.token, raw: body, headers: { 'content-type': 'application/json' } }
            : { token: owner.token, json: body },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(status);
        expect(res.body.detail).toMatch(detail);
      });
    }

    it('an oversized body is a 413', async () => {
      const small = await startTestApi({ db: api.db, settings: { bodyLimit: 10_000 } });
      const res = await http(small, 'POST', '/latest/node', {
        token: owner.token,
        json: { kind: 'job', name: 'big', data: { blob: 'x'.repeat(20_000) } },
      });
      expect(res.status).toBe(413);
      await small.close();
    });
  });

  it('the routes are in the OpenAPI document', async () => {
    const res = await http(api, 'GET', '/latest/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/latest/node/{id}',
      '/latest/nodes',
      '/latest/nodes/fast',
      '/latest/count',
      '/latest/node',
      '/latest/nodes/{id}',
      '/latest/batch/nodeset',
    ]) {
      expect(paths).toContain(p);
    }
  });
});
