// Users over real HTTP: login, whoami, invites, passwords, profiles, admin user management, scopes,
// logout and revocation.
import { SignJWT } from 'jose';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveSigningKey } from '../../src/users/secret';
import { TOKEN_AUDIENCE } from '../../src/users/tokens';
import { createTestUser, http, login, startTestApi, type TestApi, type TestUser } from '../support/api';
import { uniqueSuffix } from '../support/harness';

describe('users over HTTP', () => {
  let api: TestApi;
  let admin: TestUser;
  let adminNarrowed: string;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await createTestUser(api, { superuser: true });
    // An admin's ordinary token does admin work (as upstream); one narrowed with scope=user does not.
    adminNarrowed = await login(api.url, admin.username, admin.password, { scope: 'user' });
  });

  describe('login', () => {
    it('returns a bearer token for good credentials (form)', async () => {
      const user = await createTestUser(api);
      const res = await http(api, 'POST', '/latest/user/login', {
        form: { username: user.username, password: user.password },
      });
      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe('bearer');
      expect(res.body.access_token.split('.')).toHaveLength(3);
    });

    it('accepts the OAuth2 password-grant fields KernelCI clients send', async () => {
      const user = await createTestUser(api);
      const res = await http(api, 'POST', '/user/login', {
        form: {
          grant_type: 'password',
          username: user.username,
          password: user.password,
          scope: '',
          client_id: '',
          client_secret: '',
        },
      });
      expect(res.status).toBe(200);
    });

    it('answers 400 LOGIN_BAD_CREDENTIALS for a wrong password or an unknown user', async () => {
      const user = await createTestUser(api);
      for (const form of [
        { username: user.username, password: 'wrong-password' },
        { username: `nobody-${uniqueSuffix()}`, password: 'whatever' },
      ]) {
        const res = await http(api, 'POST', '/latest/user/login', { form });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
      }
    });

    it('answers 400 naming the missing field', async () => {
      const res = await http(api, 'POST', '/latest/user/login', { form: { username: 'x' } });
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe('body.password: field required');
    });

    it('gives a shorter token when asked (expires_in)', async () => {
      const user = await createTestUser(api);
      const res = await http(api, 'POST', '/latest/user/login', {
        form: { username: user.username, password: user.password, expires_in: '60' },
      });
      expect(res.status).toBe(200);
      const lifetime = Date.parse(res.body.expires_at) - Date.now();
      expect(lifetime).toBeGreaterThan(30_000);
      expect(lifetime).toBeLessThanOrEqual(61_000);
    });
  });

  describe('whoami', () => {
    it('describes the caller in the KernelCI shape', async () => {
      const user = await createTestUser(api, { groups: ['kernelci-team'] });
      const res = await http(api, 'GET', '/latest/whoami', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        username: user.username,
        email: user.email,
        is_active: true,
        is_superuser: false,
        is_verified: true,
        groups: [{ name: 'kernelci-team' }],
      });
    });

    it('answers 401 without a token and for a malformed Authorization header', async () => {
      const anonymous = await http(api, 'GET', '/latest/whoami');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      const res = await http(api, 'GET', '/latest/whoami', {
        headers: { authorization: 'Basic Zm9vOmJhcg==' },
      });
      expect(res.status).toBe(401);
      expect(res.body.detail).toMatch(/Bearer/);
    });
  });

  describe('invites', () => {
    it('invite → accept → login → whoami, and the invite token works once', async () => {
      const username = `invited-${uniqueSuffix()}`;
      const invite = await http(api, 'POST', '/latest/user/invite', {
        token: admin.token,
        json: { username, email: `${username}@example.org`, groups: ['lab-a'] },
      });
      // The group does not exist yet: the invite names it.
      expect(invite.status).toBe(400);
      expect(invite.body.detail).toBe('groups: unknown group "lab-a"');

      await http(api, 'POST', '/latest/user-groups', { token: admin.token, json: { name: 'lab-a' } });
      const ok = await http(api, 'POST', '/latest/user/invite', {
        token: admin.token,
        json: { username, email: `${username}@example.org`, groups: ['lab-a'], return_token: true },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.user).toMatchObject({ username, is_verified: false, groups: [{ name: 'lab-a' }] });
      expect(ok.body.invite_url).toContain(`/latest/user/accept-invite?token=${ok.body.token}`);

      // The invite URL tells who it is for, without consuming it.
      const peek = await fetch(ok.body.invite_url);
      expect(peek.status).toBe(200);
      expect(await peek.json()).toMatchObject({ username, email: `${username}@example.org` });

      // Not usable before accepting: no password yet.
      const early = await http(api, 'POST', '/latest/user/login', {
        form: { username, password: 'anything-at-all' },
      });
      expect(early.status).toBe(400);

      const accepted = await http(api, 'POST', '/latest/user/accept-invite', {
        json: { token: ok.body.token, password: 'a-new-password' },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ username, is_verified: true });

      const again = await http(api, 'POST', '/latest/user/accept-invite', {
        json: { token: ok.body.token, password: 'another-password' },
      });
      expect(again.status).toBe(400);
      expect(again.body.detail).toMatch(/^token: /);

      const token = await login(api.url, username, 'a-new-password');
      const me = await http(api, 'GET', '/latest/whoami', { token });
      expect(me.body).toMatchObject({ username, is_verified: true, groups: [{ name: 'lab-a' }] });
      expect((await http(api, 'GET', '/latest/user/me', { token })).body).toEqual(me.body);
      expect((await fetch(ok.body.invite_url)).status).toBe(400);
    });

    it('rejects an unknown invite token and a duplicate username', async () => {
      const bad = await http(api, 'POST', '/latest/user/accept-invite', {
        json: { token: 'nope', password: 'long-enough' },
      });
      expect(bad.status).toBe(400);
      const dup = await http(api, 'POST', '/latest/user/invite', {
        token: admin.token,
        json: { username: admin.username, email: `other-${uniqueSuffix()}@example.org` },
      });
      expect(dup.status).toBe(409);
      expect(dup.body.detail).toBe('username: a user with this username already exists');
      const dupEmail = await http(api, 'POST', '/latest/user/invite', {
        token: admin.token,
        json: { username: `other-${uniqueSuffix()}`, email: admin.email },
      });
      expect(dupEmail.status).toBe(409);
      expect(dupEmail.body.detail).toBe('email: a user with this email already exists');
    });

    it("is admin work: 401 anonymous, 403 for a user and for an admin's token narrowed to scope=user", async () => {
      const user = await createTestUser(api);
      const body = { username: `x-${uniqueSuffix()}`, email: `x-${uniqueSuffix()}@example.org` };
      expect((await http(api, 'POST', '/latest/user/invite', { json: body })).status).toBe(401);
      expect((await http(api, 'POST', '/latest/user/invite', { token: user.token, json: body })).status).toBe(
        403,
      );
      const everyday = await http(api, 'POST', '/latest/user/invite', { token: adminNarrowed, json: body });
      expect(everyday.status).toBe(403);
      expect(everyday.body.detail).toMatch(/scope=user/);
    });
  });

  describe('passwords and profile', () => {
    it('update-password (form) changes the password and cuts off older tokens', async () => {
      const user = await createTestUser(api);
      const wrong = await http(api, 'POST', '/latest/user/update-password', {
        form: { username: user.username, password: 'not-it', new_password: 'brand-new-password' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.detail).toBe('LOGIN_BAD_CREDENTIALS');
      const res = await http(api, 'POST', '/latest/user/update-password', {
        form: { username: user.username, password: user.password, new_password: 'brand-new-password' },
      });
      expect(res.status).toBe(200);
      expect((await http(api, 'GET', '/latest/whoami', { token: user.token })).status).toBe(401);
      expect(
        (
          await http(api, 'POST', '/latest/user/login', {
            form: { username: user.username, password: user.password },
          })
        ).status,
      ).toBe(400);
      const token = await login(api.url, user.username, 'brand-new-password');
      expect((await http(api, 'GET', '/latest/whoami', { token })).status).toBe(200);
    });

    it('a new password shorter than 8 characters is a 400 naming the field', async () => {
      const user = await createTestUser(api);
      const res = await http(api, 'POST', '/latest/user/update-password', {
        form: { username: user.username, password: user.password, new_password: 'short' },
      });
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe('body.new_password: must be at least 8 characters');
    });

    it("PATCH /user/me edits the e-mail; groups and flags are not the user's to change", async () => {
      const user = await createTestUser(api);
      const email = `new-${uniqueSuffix()}@example.org`;
      const res = await http(api, 'PATCH', '/latest/user/me', { token: user.token, json: { email } });
      expect(res.status).toBe(200);
      expect(res.body.email).toBe(email);
      for (const json of [{ is_superuser: true }, { groups: ['x'] }]) {
        const denied = await http(api, 'PATCH', '/latest/user/me', { token: user.token, json });
        expect(denied.status).toBe(400);
        expect(denied.body.detail).toMatch(/unknown field$/);
      }
      const taken = await http(api, 'PATCH', '/latest/user/me', {
        token: user.token,
        json: { email: admin.email },
      });
      expect(taken.status).toBe(409);
    });
  });

  describe('admin user management', () => {
    it('GET /users and GET /user/{id} for any user; 404 for an unknown id, 400 for a bad one', async () => {
      const user = await createTestUser(api);
      const list = await http(api, 'GET', `/latest/users?username=${user.username}`, { token: user.token });
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 1, limit: 50, offset: 0, items: [{ id: user.id }] });
      expect((await http(api, 'GET', `/latest/user/${user.id}`, { token: user.token })).body.username).toBe(
        user.username,
      );
      expect((await http(api, 'GET', `/latest/user/${'0'.repeat(24)}`, { token: user.token })).status).toBe(
        404,
      );
      const bad = await http(api, 'GET', '/latest/user/not-an-id', { token: user.token });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/^params\.id: /);
      expect((await http(api, 'GET', '/latest/users')).status).toBe(401);
    });

    it('PATCH /user/{id}: admin token 200, scope=user token 403, plain user 403', async () => {
      const user = await createTestUser(api);
      await api.ctx.groups.ensure(['node:edit:any']);
      const patch = { groups: ['node:edit:any'], is_verified: true };
      expect(
        (await http(api, 'PATCH', `/latest/user/${user.id}`, { token: user.token, json: patch })).status,
      ).toBe(403);
      expect(
        (await http(api, 'PATCH', `/latest/user/${user.id}`, { token: adminNarrowed, json: patch })).status,
      ).toBe(403);
      const ok = await http(api, 'PATCH', `/latest/user/${user.id}`, { token: admin.token, json: patch });
      expect(ok.status).toBe(200);
      expect(ok.body.groups).toEqual([{ name: 'node:edit:any' }]);
      // Group changes apply to the user's existing token at once.
      expect((await http(api, 'GET', '/latest/whoami', { token: user.token })).body.groups).toEqual([
        { name: 'node:edit:any' },
      ]);
    });

    it('deactivating a user cuts off its tokens; DELETE removes it', async () => {
      const user = await createTestUser(api);
      expect(
        (
          await http(api, 'PATCH', `/latest/user/${user.id}`, {
            token: admin.token,
            json: { is_active: false },
          })
        ).status,
      ).toBe(200);
      expect((await http(api, 'GET', '/latest/whoami', { token: user.token })).status).toBe(401);
      expect((await http(api, 'DELETE', `/latest/user/${user.id}`, { token: adminNarrowed })).status).toBe(
        403,
      );
      expect((await http(api, 'DELETE', `/latest/user/${user.id}`, { token: admin.token })).status).toBe(204);
      expect((await http(api, 'GET', `/latest/user/${user.id}`, { token: admin.token })).status).toBe(404);
    });

    it('refuses to demote the last active superuser', async () => {
      // Other files' admins live in other databases: this one has exactly one superuser.
      const res = await http(api, 'PATCH', `/latest/user/${admin.id}`, {
        token: admin.token,
        json: { is_superuser: false },
      });
      expect(res.status).toBe(409);
    });
  });

  describe('token scopes and lifetimes', () => {
    it('a user cannot get an admin-scope token; a superuser can mint one via POST /user/token', async () => {
      const user = await createTestUser(api);
      const denied = await http(api, 'POST', '/latest/user/login', {
        form: { username: user.username, password: user.password, scope: 'admin' },
      });
      expect(denied.status).toBe(403);
      expect(
        (await http(api, 'POST', '/latest/user/token', { token: user.token, json: { scope: 'admin' } }))
          .status,
      ).toBe(403);

      const fromNarrowed = await http(api, 'POST', '/latest/user/token', {
        token: adminNarrowed,
        json: { scope: 'admin', expires_in: 600 },
      });
      expect(fromNarrowed.status).toBe(403);
      const minted = await http(api, 'POST', '/latest/user/token', {
        token: admin.token,
        json: { scope: 'admin', expires_in: 600 },
      });
      expect(minted.status).toBe(200);
      expect(minted.body.scope).toBe('admin');
      const users = await http(api, 'GET', '/latest/users', { token: minted.body.access_token });
      expect(users.status).toBe(200);
      const patched = await http(api, 'PATCH', `/latest/user/${user.id}`, {
        token: minted.body.access_token,
        json: { is_verified: false },
      });
      expect(patched.status).toBe(200);
    });

    it('POST /user/token without a body gives another everyday token', async () => {
      const user = await createTestUser(api);
      const res = await http(api, 'POST', '/latest/user/token', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('');
      expect((await http(api, 'GET', '/latest/whoami', { token: res.body.access_token })).body.id).toBe(
        user.id,
      );
    });

    it('admin-scope tokens are capped at MAESTRO_ADMIN_TOKEN_LIFETIME', async () => {
      const res = await http(api, 'POST', '/latest/user/token', {
        token: admin.token,
        json: { scope: 'admin', expires_in: 10 * 86400 },
      });
      expect(Date.parse(res.body.expires_at) - Date.now()).toBeLessThanOrEqual(
        api.ctx.settings.adminTokenLifetime * 1000 + 1000,
      );
    });

    it('an expired token is 401', async () => {
      const user = await createTestUser(api);
      const res = await http(api, 'POST', '/latest/user/token', {
        token: user.token,
        json: { expires_in: 1 },
      });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      const me = await http(api, 'GET', '/latest/whoami', { token: res.body.access_token });
      expect(me.status).toBe(401);
      expect(me.body.detail).toBe('token expired');
    });

    it('a forged token (other key, other audience, tampered payload, alg none) is 401', async () => {
      const user = await createTestUser(api);
      const now = Math.floor(Date.now() / 1000);
      const claims = { scope: 'admin', gen: 0 };
      const wrongKey = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(admin.id)
        .setAudience(TOKEN_AUDIENCE)
        .setExpirationTime(now + 600)
        .setJti('forged-1')
        .sign(new TextEncoder().encode('not-the-server-secret'));
      const realKey = await resolveSigningKey(api.db.tokenStorage, api.ctx.settings.secretKey);
      const wrongAudience = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(admin.id)
        .setAudience('someone-else')
        .setExpirationTime(now + 600)
        .setJti('forged-2')
        .sign(realKey);
      const [h, p, s] = user.token.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = [
        h,
        Buffer.from(JSON.stringify({ ...payload, sub: admin.id, scope: 'admin' })).toString('base64url'),
        s,
      ].join('.');
      const none = [
        Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
        Buffer.from(JSON.stringify({ ...payload, sub: admin.id })).toString('base64url'),
        '',
      ].join('.');
      const neverExpires = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(admin.id)
        .setAudience(TOKEN_AUDIENCE)
        .setJti('forged-3')
        .sign(realKey);
      for (const token of [wrongKey, wrongAudience, tampered, none, neverExpires, 'garbage']) {
        const res = await http(api, 'GET', '/latest/whoami', { token });
        expect(res.status, token).toBe(401);
      }
      // A dead token is 401 even on a public route: the client must not silently continue as anonymous.
      expect((await http(api, 'GET', '/latest/', { token: 'garbage' })).status).toBe(401);
    });
  });

  describe('logout and revocation', () => {
    it("logout revokes only the token used; the user's other tokens keep working", async () => {
      const user = await createTestUser(api);
      const second = await login(api.url, user.username, user.password);
      expect((await http(api, 'POST', '/latest/user/logout', { token: user.token })).status).toBe(204);
      const me = await http(api, 'GET', '/latest/whoami', { token: user.token });
      expect(me.status).toBe(401);
      expect(me.body.detail).toBe('token revoked');
      expect((await http(api, 'GET', '/latest/whoami', { token: second })).status).toBe(200);
    });

    it('revocation is stored in the database: another API replica rejects the token too', async () => {
      const replica = await startTestApi({ db: api.db });
      const user = await createTestUser(api);
      expect((await http(replica, 'GET', '/latest/whoami', { token: user.token })).status).toBe(200);
      await http(api, 'POST', '/latest/user/logout', { token: user.token });
      expect((await http(replica, 'GET', '/latest/whoami', { token: user.token })).status).toBe(401);
    });

    it('with the token cache on, the revoking replica rejects at once and another within the cache time', async () => {
      const settings = { authCacheMs: 1000 };
      const first = await startTestApi({ db: api.db, settings });
      const second = await startTestApi({ db: api.db, settings });
      const user = await createTestUser(first);
      const other = await login(first.url, user.username, user.password);
      for (const replica of [first, second]) {
        expect((await http(replica, 'GET', '/latest/whoami', { token: user.token })).status).toBe(200);
        expect((await http(replica, 'GET', '/latest/whoami', { token: other })).status).toBe(200);
      }
      expect((await http(first, 'POST', '/latest/user/logout', { token: user.token })).status).toBe(204);
      expect((await http(first, 'GET', '/latest/whoami', { token: user.token })).status).toBe(401);
      const revokedAt = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 10_000) {
        status = (await http(second, 'GET', '/latest/whoami', { token: user.token })).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(401);
      // Bounded by the cache time (plus generous slack for a loaded machine), not by the token's expiry.
      expect(Date.now() - revokedAt).toBeLessThan(10_000);
      // Account changes made through a replica evict its cache at once.
      await first.ctx.users.update(new ObjectId(user.id), { is_active: false });
      expect((await http(first, 'GET', '/latest/whoami', { token: other })).status).toBe(401);
    });

    it('admin revoke-tokens cuts off every token of a user; logging in again works', async () => {
      const user = await createTestUser(api);
      const second = await login(api.url, user.username, user.password);
      expect(
        (await http(api, 'POST', `/latest/user/${user.id}/revoke-tokens`, { token: adminNarrowed })).status,
      ).toBe(403);
      const res = await http(api, 'POST', `/latest/user/${user.id}/revoke-tokens`, { token: admin.token });
      expect(res.status).toBe(200);
      for (const token of [user.token, second]) {
        expect((await http(api, 'GET', '/latest/whoami', { token })).status).toBe(401);
      }
      const fresh = await login(api.url, user.username, user.password);
      expect((await http(api, 'GET', '/latest/whoami', { token: fresh })).status).toBe(200);
    });
  });
});
