// kci user commands, run as the built binary against a real API over HTTP.
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api';
import { storageEnv, uniqueSuffix } from '../support/harness';
import { ensureCliBuilt, json, kciRunner, type Kci } from './kci';

describe('kci user', () => {
  let api: TestApi;
  let kci: Kci;
  const admin = { username: `root-${uniqueSuffix()}`, password: `pw-${uniqueSuffix()}-admin` };

  beforeAll(async () => {
    ensureCliBuilt();
    api = await startTestApi();
    kci = kciRunner({ KCI_API_URL: `${api.url}/latest` });
  });

  it('user create --admin bootstraps a superuser straight in the database', async () => {
    const env = storageEnv(api.db);
    const res = await kci(
      [
        'user',
        'create',
        '--admin',
        '--username',
        admin.username,
        '--email',
        'root@example.org',
        '--password-stdin',
      ],
      {
        env,
        input: `${admin.password}\n`,
      },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`created admin ${admin.username}`);

    const again = await kci(
      ['user', 'create', '--admin', '--username', admin.username, '--password', 'whatever-123'],
      { env },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `kci: error: user "${admin.username}" exists already in database ${api.db.databaseName}\n`,
    );

    const notAdmin = await kci(['user', 'create', '--username', 'x', '--password', 'y'], { env });
    expect(notAdmin.code).toBe(2);
    expect(notAdmin.stderr).toContain('invite other users with `kci user invite`');
  });

  it('login stores the token (mode 0600); whoami and token-info read it', async () => {
    const res = await kci(['login', '-u', admin.username, '--password-stdin', '--admin'], {
      input: `${admin.password}\n`,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(fs.statSync(kci.configFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(kci.configFile, 'utf8')).toMatch(
      /\[api\.local\]\nurl = ".*\/latest"\ntoken = "ey/,
    );

    const me = json(await kci(['user', 'whoami', '--json']));
    expect(me).toMatchObject({ username: admin.username, is_superuser: true, is_verified: true });

    const human = await kci(['user', 'whoami']);
    expect(human.stdout).toMatch(new RegExp(`^username\\s+${admin.username}$`, 'm'));

    const info = json(await kci(['user', 'token-info', '--json']));
    expect(info.claims.sub).toBe(me.id);
    expect(info.claims.scope).toBe('admin');
    expect(info.expired).toBe(false);
    expect(Date.parse(info.expires)).toBeGreaterThan(Date.now());
  });

  it('bad credentials: exit code 1 and the API message on stderr', async () => {
    const res = await kci(['login', '-u', admin.username, '--password', 'wrong-password'], {
      env: { KCI_CONFIG: `${kci.home}/other.toml` },
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('kci: error: LOGIN_BAD_CREDENTIALS (HTTP 400)\n');
  });

  it('without a token: a hint to log in', async () => {
    const res = await kci(['user', 'whoami'], { env: { KCI_CONFIG: `${kci.home}/none.toml` } });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^kci: error: not logged in to API "local" \(http:\/\/127\.0\.0\.1:\d+\/latest\): run `kci login`/,
    );

    const unknown = await kci(['--api', 'staging', 'user', 'whoami'], { env: { KCI_API_URL: '' } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      `kci: error: no API instance named "staging" in ${kci.configFile} (known: local)\n`,
    );
    const newWithoutUrl = await kci(['--api', 'staging', 'login', '-u', 'x', '-p', 'y'], {
      env: { KCI_API_URL: '' },
    });
    expect(newWithoutUrl.code).toBe(2);
    expect(newWithoutUrl.stderr).toBe('kci: error: API instance "staging" is new: give its URL with --url\n');
  });

  it('invite → accept-invite → login → password change; groups add/list/remove', async () => {
    const name = `bob-${uniqueSuffix()}`;
    const invite = json(
      await kci([
        'user',
        'invite',
        '--username',
        name,
        '--email',
        `${name}@example.org`,
        '--groups',
        'lab-a',
        '--json',
      ]),
    );
    expect(invite.user).toMatchObject({ username: name, is_verified: false });
    expect(invite.invite_url).toContain(invite.token);

    const accepted = await kci(['user', 'accept-invite', '--token', invite.token, '--password-stdin'], {
      input: 'bob-secret-1\n',
    });
    expect(accepted.stderr).toBe('');
    expect(accepted.stdout).toContain(`invite accepted for ${name}`);

    const reuse = await kci(['user', 'accept-invite', '--token', invite.token, '--password', 'bob-secret-2']);
    expect(reuse.code).toBe(1);
    expect(reuse.stderr).toMatch(/^kci: error: .+ \(HTTP 4\d\d\)\n$/);

    const bob = kciRunner({ KCI_API_URL: `${api.url}/latest` });
    expect((await bob(['login', '-u', name, '-p', 'bob-secret-1'])).code).toBe(0);
    expect(json(await bob(['user', 'whoami', '--json'])).groups).toEqual([{ name: 'lab-a' }]);

    const pw = await bob(['user', 'password', '-p', 'bob-secret-1', '--new-password', 'bob-secret-3']);
    expect(pw.stderr).toBe('');
    expect(pw.stdout).toContain(`password of ${name} changed`);
    expect((await bob(['login', '-u', name, '-p', 'bob-secret-3'])).code).toBe(0);

    const added = await kci([
      'user',
      'groups',
      'add',
      name,
      'lab-b',
      `runtime:lava-${uniqueSuffix()}:node-editor`,
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(new RegExp(`^${name}: lab-a, lab-b, runtime:lava-`));
    expect(json(await kci(['user', 'groups', 'list', name, '--json']))).toEqual(
      expect.arrayContaining(['lab-a', 'lab-b']),
    );
    expect(json(await kci(['user', 'groups', 'list', '--json']))).toEqual(
      expect.arrayContaining(['lab-a', 'lab-b']),
    );

    await kci(['user', 'groups', 'remove', name, 'lab-a']);
    expect(json(await kci(['user', 'groups', 'list', name, '--json']))).not.toContain('lab-a');
    const notIn = await kci(['user', 'groups', 'remove', name, 'lab-a']);
    expect(notIn.code).toBe(1);
    expect(notIn.stderr).toBe(`kci: error: ${name} is not in group(s) lab-a\n`);

    // A non-admin gets the API's 403 message.
    const denied = await bob(['user', 'invite', '--username', 'x', '--email', 'x@example.org']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe('kci: error: admin only (HTTP 403)\n');
  });

  it('logout revokes the token on the server', async () => {
    const carol = kciRunner({ KCI_API_URL: `${api.url}/latest` });
    await kci(['user', 'invite', '--username', 'carol', '--email', 'carol@example.org', '--json']).then(
      async (r) => {
        await carol(['user', 'accept-invite', '--token', json(r).token, '--password', 'carol-secret-1']);
      },
    );
    await carol(['login', '-u', 'carol', '-p', 'carol-secret-1']);
    const token = /token = "([^"]+)"/.exec(fs.readFileSync(carol.configFile, 'utf8'))![1];
    expect((await carol(['logout'])).code).toBe(0);
    expect(fs.readFileSync(carol.configFile, 'utf8')).not.toContain('token');
    const res = await carol(['user', 'whoami'], { env: { KCI_API_TOKEN: token } });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/\(HTTP 401\)\n$/);
  });
});
