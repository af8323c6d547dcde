// `kci user …`: the caller, tokens, invites, passwords, group membership and the first admin.
import type { Command } from 'commander';
import type { ApiClient } from '../../client/api-client';
import type { Page, User } from '../../client/types';
import { CliError, EXIT } from '../errors';
import { authedClientFor, clientFor, examples, prompt, readStdinLine, selectedApi } from '../context';
import { colors, printFields, printJson, printLine } from '../output';
import { decodeTokenClaims } from '../token';

interface JsonOption {
  json?: boolean;
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('users, tokens, invites and groups');
  examples(user, ['kci user whoami', 'kci user token-info --json', 'kci user groups list alice']);

  examples(
    user
      .command('whoami')
      .description('show the user the current token belongs to')
      .option('--json', 'print JSON')
      .action(async (opts: JsonOption, cmd: Command) => {
        const me = await authedClientFor(cmd).whoami();
        if (opts.json) return printJson(me);
        printUser(me);
      }),
    ['kci user whoami', 'kci --api staging user whoami --json'],
  );

  examples(
    user
      .command('token-info')
      .description('decode the stored token: its claims and when it expires (no server call)')
      .option('--token <jwt>', 'inspect this token instead of the stored one')
      .option('--json', 'print JSON')
      .action((opts: JsonOption & { token?: string }, cmd: Command) => {
        const token = opts.token ?? selectedApi(cmd).token;
        if (!token) throw new CliError('no token: run `kci login` or pass --token');
        const info = decodeTokenClaims(token);
        if (opts.json) return printJson(info);
        printFields([
          ...Object.entries(info.claims),
          ['expires', info.expires ?? 'never'],
          ['status', info.expired ? colors.red('expired') : colors.green(`valid for ${info.remaining}`)],
        ]);
      }),
    ['kci user token-info', 'kci user token-info --token "$TOKEN" --json'],
  );

  examples(
    user
      .command('invite')
      .description(
        'invite a new user (admin; groups are created when missing); prints the single-use invite token and URL',
      )
      .requiredOption('--username <name>', 'user name')
      .requiredOption('--email <address>', 'e-mail address')
      .option('--groups <names>', 'comma-separated groups', commaList, [] as string[])
      .option('--admin', 'make the user a superuser')
      .option('--json', 'print JSON')
      .action(
        async (
          opts: { username: string; email: string; groups: string[]; admin?: boolean; json?: boolean },
          cmd: Command,
        ) => {
          const client = authedClientFor(cmd);
          await ensureGroups(client, opts.groups);
          const res = await client.inviteUser({
            username: opts.username,
            email: opts.email,
            groups: opts.groups,
            is_superuser: Boolean(opts.admin),
          });
          if (opts.json) return printJson(res);
          printLine(`invited ${opts.username} <${opts.email}>`);
          printLine(`token:   ${res.token}`);
          printLine(`url:     ${res.invite_url}`);
          printLine(`expires: ${res.expires_at}`);
          printLine(`mailed:  ${res.email_sent ? 'yes' : 'no'}`);
        },
      ),
    ['kci user invite --username bob --email bob@example.org --groups lab-a,node:edit:any'],
  );

  examples(
    user
      .command('accept-invite')
      .description('accept an invite and choose a password (no login needed)')
      .requiredOption('--token <token>', 'the invite token')
      .option('-p, --password <password>', 'new password (asked when missing)')
      .option('--password-stdin', 'read the password from the first line of stdin')
      .option('--json', 'print JSON')
      .action(
        async (
          opts: { token: string; password?: string; passwordStdin?: boolean; json?: boolean },
          cmd: Command,
        ) => {
          const password = opts.passwordStdin ? readStdinLine() : (opts.password ?? (await askNewPassword()));
          const res = await clientFor(cmd).acceptInvite(opts.token, password);
          if (opts.json) return printJson(res);
          printLine(
            `invite accepted${res?.username ? ` for ${res.username}` : ''}; log in with \`kci login\``,
          );
        },
      ),
    ['kci user accept-invite --token "$INVITE_TOKEN"'],
  );

  examples(
    user
      .command('password')
      .description('change a password (needs the current one)')
      .option('-u, --username <name>', 'user name (default: the logged-in user)')
      .option('-p, --password <password>', 'current password (asked when missing)')
      .option('--new-password <password>', 'new password (asked when missing)')
      .action(async (opts: { username?: string; password?: string; newPassword?: string }, cmd: Command) => {
        const client = clientFor(cmd);
        const username =
          opts.username ?? (client.token ? (await client.whoami()).username : await prompt('Username: '));
        const current = opts.password ?? (await prompt('Current password: ', { hidden: true }));
        const next = opts.newPassword ?? (await askNewPassword());
        await client.updatePassword(username, current, next);
        printLine(`password of ${username} changed; log in again with \`kci login\``);
      }),
    ['kci user password', 'kci user password -u alice -p old-secret --new-password new-secret'],
  );

  registerGroups(user);
  registerCreate(user);
}

function registerGroups(user: Command): void {
  const groups = user.command('groups').description('group membership (admin)');
  examples(groups, [
    'kci user groups list',
    'kci user groups add alice lab-a',
    'kci user groups remove alice lab-a',
  ]);

  examples(
    groups
      .command('list [username]')
      .description("list every group, or a user's groups")
      .option('--json', 'print JSON')
      .action(async (username: string | undefined, opts: JsonOption, cmd: Command) => {
        const client = authedClientFor(cmd);
        const names = username
          ? (await findUser(client, username)).groups.map((g) => g.name)
          : itemsOf(await client.listGroups({}, { limit: 1000 })).map((g) => g.name);
        if (opts.json) return printJson(names);
        for (const name of names) printLine(name);
      }),
    ['kci user groups list', 'kci user groups list alice --json'],
  );

  examples(
    groups
      .command('add <username> <groups...>')
      .description('add a user to groups (created when missing)')
      .action(async (username: string, names: string[], _opts: unknown, cmd: Command) => {
        const client = authedClientFor(cmd);
        const target = await findUser(client, username);
        await ensureGroups(client, names);
        const updated = [...new Set([...target.groups.map((g) => g.name), ...names])];
        const res = await client.updateUser(target.id, { groups: updated });
        printLine(`${username}: ${groupNames(res, updated).join(', ') || '(no groups)'}`);
      }),
    ['kci user groups add alice lab-a runtime:lava-a:node-editor'],
  );

  examples(
    groups
      .command('remove <username> <groups...>')
      .description('remove a user from groups')
      .action(async (username: string, names: string[], _opts: unknown, cmd: Command) => {
        const client = authedClientFor(cmd);
        const target = await findUser(client, username);
        const current = target.groups.map((g) => g.name);
        const missing = names.filter((n) => !current.includes(n));
        if (missing.length) throw new CliError(`${username} is not in group(s) ${missing.join(', ')}`);
        const updated = current.filter((n) => !names.includes(n));
        const res = await client.updateUser(target.id, { groups: updated });
        printLine(`${username}: ${groupNames(res, updated).join(', ') || '(no groups)'}`);
      }),
    ['kci user groups remove alice lab-a'],
  );
}

function registerCreate(user: Command): void {
  examples(
    user
      .command('create')
      .description(
        'create the first admin directly in the database (bootstrap; uses MONGODB_URI and MAESTRO_DB_NAME)',
      )
      .option('--admin', 'create a superuser (required: other users are invited with `kci user invite`)')
      .requiredOption('--username <name>', 'user name')
      .option('--email <address>', 'e-mail address', 'admin@localhost')
      .option('-p, --password <password>', 'password (asked when missing)')
      .option('--password-stdin', 'read the password from the first line of stdin')
      .action(
        async (opts: {
          admin?: boolean;
          username: string;
          email: string;
          password?: string;
          passwordStdin?: boolean;
        }) => {
          if (!opts.admin)
            throw new CliError(
              'only admins are created directly; invite other users with `kci user invite`',
              EXIT.usage,
            );
          const password = opts.passwordStdin ? readStdinLine() : (opts.password ?? (await askNewPassword()));
          // Loaded lazily: only this command needs the database driver.
          const { loadSettings } = await import('../../settings.js');
          const { openStorage } = await import('../../db/open.js');
          const { bootstrapAdmin } = await import('../../users/bootstrap.js');
          const settings = loadSettings();
          if (!settings.mongodbUri && !settings.databaseUrl)
            throw new CliError('DATABASE_URL or MONGODB_URI must be set to create the first admin');
          const storage = await openStorage(settings);
          try {
            const { created } = await bootstrapAdmin(storage, {
              username: opts.username,
              password,
              email: opts.email,
            });
            if (!created)
              throw new CliError(
                `user "${opts.username}" exists already in database ${storage.databaseName}`,
              );
            printLine(
              `created admin ${opts.username} in database ${storage.databaseName}; log in with \`kci login -u ${opts.username}\``,
            );
          } finally {
            await storage.close();
          }
        },
      ),
    [
      'DATABASE_URL=postgres://postgres@127.0.0.1:5433/maestro kci user create --admin --username admin --email admin@example.org',
    ],
  );
}

async function askNewPassword(): Promise<string> {
  const first = await prompt('New password: ', { hidden: true });
  const second = await prompt('Repeat new password: ', { hidden: true });
  if (first !== second) throw new CliError('the two passwords differ');
  return first;
}

async function findUser(client: ApiClient, username: string): Promise<User> {
  const found = itemsOf(await client.listUsers({ username }, { limit: 1000 })).find(
    (u) => u.username === username,
  );
  if (!found) throw new CliError(`no user named "${username}"`);
  return found;
}

async function ensureGroups(client: ApiClient, names: string[]): Promise<void> {
  if (!names.length) return;
  const existing = new Set(itemsOf(await client.listGroups({}, { limit: 1000 })).map((g) => g.name));
  for (const name of names) if (!existing.has(name)) await client.createGroup(name);
}

function itemsOf<T>(res: Page<T> | T[]): T[] {
  return Array.isArray(res) ? res : res.items;
}

function groupNames(user: User | null, fallback: string[]): string[] {
  return user?.groups
    ? user.groups.map((g: { name: string } | string) => (typeof g === 'string' ? g : g.name))
    : fallback;
}

function commaList(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function printUser(me: User): void {
  printFields([
    ['id', me.id],
    ['username', me.username],
    ['email', me.email],
    ['active', me.is_active],
    ['superuser', me.is_superuser],
    ['verified', me.is_verified],
    ['groups', (me.groups ?? []).map((g) => g.name).join(', ') || '-'],
  ]);
}
