// Users as KernelCI's own code sees them, written against kernelci-api's e2e tests (test_user_creation.py,
// test_user_invite.py, test_root_handler.py) and fastapi-users' reset-password routes as kernelci-core's
// client calls them (`request_password_reset_token`, `reset_password`).
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, http, login, startTestApi, type TestApi, type TestUser } from '../support/api';
import { uniqueSuffix } from '../support/harness';
import { mailBody, startSmtpReceiver, type SmtpReceiver } from '../support/smtp';

const UPSTREAM_USER_KEYS = ['id', 'email', 'is_active', 'is_superuser', 'is_verified', 'username', 'groups'];

describe('KernelCI compatibility: users', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    // Upstream accepts any password length; the setting lets an operator match it (e2e tests use "test").
    api = await startTestApi({ settings: { smtpUrl: smtp.url, passwordMinLength: 1 } });
    [admin, user] = await Promise.all([
      // An admin logged in the ordinary way, as upstream's admin tools do (no scope).
      createTestUser(api, { superuser: true, adminScope: false }),
      createTestUser(api),
    ]);
  });

  it('GET / answers exactly {"message": "KernelCI API"} under every prefix', async () => {
    for (const path of ['/', '/latest/', '/v0/']) {
      const res = await http(api, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'KernelCI API' });
    }
  });

  it('login answers exactly {access_token, token_type}; expiry and scope only when asked', async () => {
    const plain = await http(api, 'POST', '/latest/user/login', {
      form: { username: user.username, password: user.password },
    });
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.body).sort()).toEqual(['access_token', 'token_type']);
    expect(plain.body.token_type).toBe('bearer');
    const asked = await http(api, 'POST', '/latest/user/login', {
      form: { username: user.username, password: user.password, expires_in: '600' },
    });
    expect(asked.body).toMatchObject({ token_type: 'bearer', expires_at: expect.any(String), scope: '' });
  });

  it('whoami and user objects list their keys in upstream order', async () => {
    const me = await http(api, 'GET', '/latest/whoami', { token: user.token });
    expect(Object.keys(me.body)).toEqual(UPSTREAM_USER_KEYS);
    const one = await http(api, 'GET', `/latest/user/${user.id}`, { token: user.token });
    expect(Object.keys(one.body)).toEqual(UPSTREAM_USER_KEYS);
    const page = await http(api, 'GET', `/latest/users?username=${user.username}`, { token: user.token });
    expect(Object.keys(page.body.items[0])).toEqual(UPSTREAM_USER_KEYS);
  });

  it("an admin's ordinary login token does admin work; scope=user narrows it", async () => {
    const patched = await http(api, 'PATCH', `/latest/user/${user.id}`, {
      token: admin.token,
      json: { is_verified: true },
    });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body)).toEqual(UPSTREAM_USER_KEYS);
    const narrowed = await login(api.url, admin.username, admin.password, { scope: 'user' });
    const refused = await http(api, 'PATCH', `/latest/user/${user.id}`, {
      token: narrowed,
      json: { is_verified: true },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/scope=user/);
  });

  it("groups under upstream's spellings: POST /group, GET /groups, GET and DELETE /group/{id}", async () => {
    const name = `compat-${uniqueSuffix()}`;
    const created = await http(api, 'POST', '/latest/group', { token: admin.token, json: { name } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(String), name });
    const listed = await http(api, 'GET', `/latest/groups?name=${name}`, { token: user.token });
    expect(listed.body.items).toEqual([created.body]);
    expect((await http(api, 'GET', `/latest/group/${created.body.id}`, { token: user.token })).body).toEqual(
      created.body,
    );
    // Python's requests sends `Content-Type: application/json` and an empty body on a DELETE.
    const deleted = await http(api, 'DELETE', `/latest/group/${created.body.id}`, {
      token: admin.token,
      raw: Buffer.alloc(0),
      headers: { 'content-type': 'application/json' },
    });
    expect(deleted.status).toBe(204);
  });

  it('POST /user/register answers as upstream: 401 anonymous, 403 {"detail": "Forbidden"}, else 404', async () => {
    const body = { username: `reg-${uniqueSuffix()}`, password: 'test', email: 'reg@kernelci.org' };
    expect((await http(api, 'POST', '/latest/user/register', { json: body })).status).toBe(401);
    const asUser = await http(api, 'POST', '/latest/user/register', { token: user.token, json: body });
    expect(asUser.status).toBe(403);
    expect(asUser.body).toEqual({ detail: 'Forbidden' });
    const asAdmin = await http(api, 'POST', '/latest/user/register', { token: admin.token, json: body });
    expect(asAdmin.status).toBe(404);
    expect(asAdmin.body).toEqual({ detail: 'User registration is disabled; use /user/invite instead.' });
  });

  it('invite → accept → login as upstream e2e test_invite_and_accept_user (body without Content-Type)', async () => {
    const username = `invited-${uniqueSuffix()}`;
    // Scripts post `data=json.dumps(...)` without a Content-Type: a Buffer body makes fetch send none.
    const invite = await http(api, 'POST', '/latest/user/invite', {
      token: admin.token,
      raw: Buffer.from(
        JSON.stringify({
          username,
          email: `${username}@kernelci.org`,
          send_email: false,
          return_token: true,
        }),
      ),
    });
    expect(invite.status).toBe(200);
    expect(invite.body.email_sent).toBe(false);
    expect(invite.body.token).toEqual(expect.any(String));
    expect(invite.body).toMatchObject({
      user: { username, is_verified: false },
      public_base_url: api.url,
      accept_invite_url: `${api.url}/latest/user/accept-invite`,
      invite_url: `${api.url}/latest/user/accept-invite?token=${invite.body.token}`,
    });
    const accepted = await http(api, 'POST', '/latest/user/accept-invite', {
      json: { token: invite.body.token, password: 'test' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ is_verified: true, username });
    const token = await http(api, 'POST', '/latest/user/login', { form: { username, password: 'test' } });
    expect(token.status).toBe(200);
    expect(Object.keys(token.body).sort()).toEqual(['access_token', 'token_type']);
  });

  it('an invite is mailed by default; the token is answered only with return_token', async () => {
    const username = `mailed-${uniqueSuffix()}`;
    const email = `${username}@kernelci.org`;
    const invite = await http(api, 'POST', '/latest/user/invite', {
      token: admin.token,
      json: { username, email },
    });
    expect(invite.status).toBe(200);
    expect(invite.body.email_sent).toBe(true);
    expect(invite.body.token).toBeUndefined();
    expect(invite.body.invite_url).toBeUndefined();
    const mail = await smtp.waitFor(email);
    const link = new RegExp(`${invite.body.accept_invite_url}\\?token=([A-Za-z0-9_-]+)`).exec(mailBody(mail));
    expect(link, mailBody(mail)).not.toBeNull();

    // Again without resend_if_exists: a conflict; with it, a new invite whose token works.
    const dup = await http(api, 'POST', '/latest/user/invite', {
      token: admin.token,
      json: { username, email },
    });
    expect(dup.status).toBe(409);
    const again = await http(api, 'POST', '/latest/user/invite', {
      token: admin.token,
      json: { username, email, resend_if_exists: true, send_email: false, return_token: true },
    });
    expect(again.status).toBe(200);
    const accepted = await http(api, 'POST', '/latest/user/accept-invite', {
      json: { token: again.body.token, password: 'pw' },
    });
    expect(accepted.status).toBe(200);
    const verified = await http(api, 'POST', '/latest/user/invite', {
      token: admin.token,
      json: { username, email, resend_if_exists: true },
    });
    expect(verified.status).toBe(409);
  });

  it('forgot-password mails a reset token; reset-password sets the password once', async () => {
    const target = await createTestUser(api);
    const unknown = await http(api, 'POST', '/latest/user/forgot-password', {
      json: { email: `nobody-${uniqueSuffix()}@example.org` },
    });
    expect(unknown.status).toBe(202);
    const asked = await http(api, 'POST', '/latest/user/forgot-password', { json: { email: target.email } });
    expect(asked.status).toBe(202);
    const mail = await smtp.waitFor(target.email);
    const token = /^ {2}(\S+)$/m.exec(mailBody(mail))?.[1];
    expect(token, mailBody(mail)).toBeDefined();

    const reset = await http(api, 'POST', '/latest/user/reset-password', {
      json: { token, password: 'brand-new-password' },
    });
    expect(reset.status).toBe(200);
    // The old password and every token issued before stop working; the new password logs in.
    expect((await http(api, 'GET', '/latest/whoami', { token: target.token })).status).toBe(401);
    const old = await http(api, 'POST', '/latest/user/login', {
      form: { username: target.username, password: target.password },
    });
    expect(old.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
    await login(api.url, target.username, 'brand-new-password');
    const reused = await http(api, 'POST', '/latest/user/reset-password', {
      json: { token, password: 'another-password' },
    });
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual({ detail: 'RESET_PASSWORD_BAD_TOKEN' });
  });
});

describe('KernelCI compatibility: password minimum length', () => {
  it('defaults to 8 and names the field', async () => {
    const api = await startTestApi();
    const admin = await createTestUser(api, { superuser: true, adminScope: false });
    const username = `short-${uniqueSuffix()}`;
    const invite = await http(api, 'POST', '/latest/user/invite', {
      token: admin.token,
      json: { username, email: `${username}@example.org`, send_email: false, return_token: true },
    });
    const short = await http(api, 'POST', '/latest/user/accept-invite', {
      json: { token: invite.body.token, password: 'test' },
    });
    expect(short.status).toBe(400);
    expect(short.body.detail).toBe('body.password: must be at least 8 characters');
  });
});
