// User groups over real HTTP: CRUD (409 while in use), join requests, approval, rejection, leaving;
// plus the accounts the system creates itself (first admin, service users, lab tokens).
import type { Storage } from '../../src/db/storage';
import { insertBareNode } from '../support/raw-storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, ensureFirstAdmin, ensureServiceUser, mintToken } from '../../src/users/bootstrap';
import { createTestUser, http, login, startTestApi, type TestApi, type TestUser } from '../support/api';
import { openTestDatabase, uniqueSuffix } from '../support/harness';

describe('user groups over HTTP', () => {
  let api: TestApi;
  let admin: TestUser;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await createTestUser(api, { superuser: true });
  });

  it('create, list, get by id and by name, delete', async () => {
    const name = `lab-${uniqueSuffix()}`;
    const created = await http(api, 'POST', '/latest/user-groups', { token: admin.token, json: { name } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), name });
    const dup = await http(api, 'POST', '/latest/user-groups', { token: admin.token, json: { name } });
    expect(dup.status).toBe(409);

    const list = await http(api, 'GET', `/latest/user-groups?name=${name}`, { token: admin.token });
    expect(list.body).toEqual({ items: [created.body], total: 1, limit: 50, offset: 0 });
    expect(
      (await http(api, 'GET', `/latest/user-groups/${created.body.id}`, { token: admin.token })).body,
    ).toEqual(created.body);
    expect((await http(api, 'GET', `/latest/user-groups/${name}`, { token: admin.token })).body).toEqual(
      created.body,
    );

    expect(
      (await http(api, 'DELETE', `/latest/user-groups/${created.body.id}`, { token: admin.token })).status,
    ).toBe(204);
    expect(
      (await http(api, 'GET', `/latest/user-groups/${created.body.id}`, { token: admin.token })).status,
    ).toBe(404);
  });

  it('group admin work needs an admin token (not one narrowed to scope=user); listing needs a user', async () => {
    const user = await createTestUser(api);
    const narrowed = await login(api.url, admin.username, admin.password, { scope: 'user' });
    expect(
      (await http(api, 'POST', '/latest/user-groups', { token: user.token, json: { name: 'x' } })).status,
    ).toBe(403);
    expect(
      (await http(api, 'POST', '/latest/user-groups', { token: narrowed, json: { name: 'x' } })).status,
    ).toBe(403);
    expect((await http(api, 'GET', '/latest/user-groups')).status).toBe(401);
    expect((await http(api, 'GET', '/latest/user-groups', { token: user.token })).status).toBe(200);
  });

  it('deleting a group in use answers 409 (members, or nodes listing it)', async () => {
    const name = `busy-${uniqueSuffix()}`;
    const member = await createTestUser(api, { groups: [name] });
    const res = await http(api, 'DELETE', `/latest/user-groups/${name}`, { token: admin.token });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/in use/);

    await http(api, 'POST', `/latest/user-groups/${name}/leave`, { token: member.token });
    const node = await insertBareNode(api.db, name);
    expect((await http(api, 'DELETE', `/latest/user-groups/${name}`, { token: admin.token })).status).toBe(
      409,
    );
    await node.remove();
    expect((await http(api, 'DELETE', `/latest/user-groups/${name}`, { token: admin.token })).status).toBe(
      204,
    );
  });

  it('group names with colons (node:edit:any, runtime:<name>:node-editor) work in paths', async () => {
    const name = `runtime:lava-${uniqueSuffix()}:node-editor`;
    expect(
      (await http(api, 'POST', '/latest/user-groups', { token: admin.token, json: { name } })).status,
    ).toBe(201);
    const got = await http(api, 'GET', `/latest/user-groups/${name}`, { token: admin.token });
    expect(got.status).toBe(200);
    expect(got.body.name).toBe(name);
    expect(
      (await http(api, 'GET', `/latest/user-groups/${encodeURIComponent(name)}`, { token: admin.token })).body
        .name,
    ).toBe(name);
  });

  it('a bad group name is a 400 naming the field', async () => {
    const res = await http(api, 'POST', '/latest/user-groups', {
      token: admin.token,
      json: { name: 'has space' },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^body\.name: must match/);
  });

  it('join → pending → approve makes a member; reject does not; leave removes', async () => {
    const name = `team-${uniqueSuffix()}`;
    await http(api, 'POST', '/latest/user-groups', { token: admin.token, json: { name } });
    const user = await createTestUser(api);

    const join = await http(api, 'POST', `/latest/user-groups/${name}/join`, { token: user.token });
    expect(join.status).toBe(201);
    expect(join.body).toMatchObject({
      username: user.username,
      group: name,
      state: 'pending',
      decided: null,
    });
    const again = await http(api, 'POST', `/latest/user-groups/${name}/join`, { token: user.token });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(join.body.id);
    // Pending is not membership.
    expect((await http(api, 'GET', '/latest/whoami', { token: user.token })).body.groups).toEqual([]);

    // The user sees their own requests; an admin-scope token sees everyone's.
    const own = await http(api, 'GET', '/latest/group-requests', { token: user.token });
    expect(own.body.items.map((r: { id: string }) => r.id)).toEqual([join.body.id]);
    const pending = await http(api, 'GET', `/latest/group-requests?state=pending&group=${name}`, {
      token: admin.token,
    });
    expect(pending.body.total).toBe(1);

    expect(
      (await http(api, 'POST', `/latest/group-requests/${join.body.id}/approve`, { token: user.token }))
        .status,
    ).toBe(403);
    const approved = await http(api, 'POST', `/latest/group-requests/${join.body.id}/approve`, {
      token: admin.token,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', decided_by: admin.username });
    expect((await http(api, 'GET', '/latest/whoami', { token: user.token })).body.groups).toEqual([{ name }]);
    // Decided once.
    expect(
      (await http(api, 'POST', `/latest/group-requests/${join.body.id}/reject`, { token: admin.token }))
        .status,
    ).toBe(409);
    // Already a member.
    expect((await http(api, 'POST', `/latest/user-groups/${name}/join`, { token: user.token })).status).toBe(
      409,
    );

    const left = await http(api, 'POST', `/latest/user-groups/${name}/leave`, { token: user.token });
    expect(left.status).toBe(200);
    expect(left.body.groups).toEqual([]);
    expect((await http(api, 'POST', `/latest/user-groups/${name}/leave`, { token: user.token })).status).toBe(
      409,
    );

    const second = await http(api, 'POST', `/latest/user-groups/${name}/join`, { token: user.token });
    const rejected = await http(api, 'POST', `/latest/group-requests/${second.body.id}/reject`, {
      token: admin.token,
    });
    expect(rejected.body.state).toBe('rejected');
    expect((await http(api, 'GET', '/latest/whoami', { token: user.token })).body.groups).toEqual([]);
    expect(
      (await http(api, 'POST', `/latest/group-requests/${'0'.repeat(24)}/approve`, { token: admin.token }))
        .status,
    ).toBe(404);
    expect(
      (
        await http(api, 'POST', `/latest/user-groups/no-such-group-${uniqueSuffix()}/join`, {
          token: user.token,
        })
      ).status,
    ).toBe(404);
  });
});

describe('accounts the system creates', () => {
  // Databases and servers are opened in hooks so that teardown closes each server before its database.
  let firstAdminDb: Storage;
  let bootstrapDb: Storage;
  let firstAdminApi: TestApi;
  let api: TestApi;
  beforeAll(async () => {
    ({ db: firstAdminDb } = await openTestDatabase());
    ({ db: bootstrapDb } = await openTestDatabase());
    api = await startTestApi();
  });

  it('ensureFirstAdmin creates the first admin once, printing a generated password', async () => {
    const db = firstAdminDb;
    const messages: string[] = [];
    const first = await ensureFirstAdmin(db, { username: 'admin', email: 'admin@localhost' }, (m) =>
      messages.push(m),
    );
    expect(first?.is_superuser).toBe(true);
    const password = /generated password: (\S+)/.exec(messages[0])?.[1];
    expect(password).toBeTruthy();
    expect(
      await ensureFirstAdmin(db, { username: 'admin', email: 'admin@localhost' }, (m) => messages.push(m)),
    ).toBeNull();
    expect(messages).toHaveLength(1);

    firstAdminApi = await startTestApi({ db });
    const token = await login(firstAdminApi.url, 'admin', password!, { scope: 'admin' });
    const users = await http(firstAdminApi, 'GET', '/latest/users', { token });
    expect(users.body.items.map((u: { username: string }) => u.username)).toEqual(['admin']);
  });

  it('bootstrapAdmin creates a verified superuser and leaves an existing user unchanged', async () => {
    const db = bootstrapDb;
    const made = await bootstrapAdmin(db, {
      username: 'root',
      password: 'root-password',
      email: 'root@example.org',
    });
    expect(made).toMatchObject({ created: true, user: { is_superuser: true, is_verified: true } });
    const again = await bootstrapAdmin(db, { username: 'root', password: 'other', email: 'x@example.org' });
    expect(again.created).toBe(false);
  });

  it('ensureServiceUser is idempotent, adds groups, cannot log in; mintToken gives it a working token', async () => {
    const actor = await ensureServiceUser(api.db, 'maestro-pipeline', ['node:edit:any']);
    expect(actor).toMatchObject({
      username: 'maestro-pipeline',
      groups: ['node:edit:any'],
      isSuperuser: false,
    });
    const again = await ensureServiceUser(api.db, 'maestro-pipeline', ['node:edit:any', 'extra']);
    expect(again.id).toBe(actor.id);
    expect(again.groups.sort()).toEqual(['extra', 'node:edit:any']);

    // Concurrent starts (several workers, several test users sharing a new group) do not trip over each other.
    const racing = await Promise.all(
      [1, 2, 3, 4].map(() => ensureServiceUser(api.db, 'maestro-racer', ['race-group'])),
    );
    expect(new Set(racing.map((a) => a.id)).size).toBe(1);
    const racingUsers = await Promise.all(
      [1, 2, 3].map(() => createTestUser(api, { groups: ['race-group-2'] })),
    );
    expect(racingUsers).toHaveLength(3);

    // An admin can give a password-less lab user a token over HTTP too.
    const labAdmin = await createTestUser(api, { superuser: true });
    const viaHttp = await http(api, 'POST', `/latest/user/${actor.id}/token`, {
      token: labAdmin.token,
      json: { expires_in: 180 * 86400 },
    });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body.scope).toBe('');
    expect(
      (await http(api, 'GET', '/latest/whoami', { token: viaHttp.body.access_token })).body.username,
    ).toBe('maestro-pipeline');
    const plain = await createTestUser(api);
    expect(
      (await http(api, 'POST', `/latest/user/${actor.id}/token`, { token: plain.token, json: {} })).status,
    ).toBe(403);
    expect(
      (
        await http(api, 'POST', `/latest/user/${actor.id}/token`, {
          token: labAdmin.token,
          json: { expires_in: 400 * 86400 },
        })
      ).status,
    ).toBe(400);

    const lab = await ensureServiceUser(api.db, 'lab-shell', []);
    const minted = await mintToken(api.db, lab.id, { expiresIn: 365 * 86400 });
    const me = await http(api, 'GET', '/latest/whoami', { token: minted.access_token });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('lab-shell');
    expect(Date.parse(minted.expires_at) - Date.now()).toBeGreaterThan(300 * 86400 * 1000);
    const loginAttempt = await http(api, 'POST', '/latest/user/login', {
      form: { username: 'lab-shell', password: 'anything' },
    });
    expect(loginAttempt.status).toBe(400);
  });
});
