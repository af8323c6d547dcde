// `kci login`: get a token and keep it in the settings file (mode 0600) under the selected API name.
import type { Command } from 'commander';
import { ApiClient } from '../../client/api-client';
import { SETTINGS } from '../../settings';
import { CliError, EXIT } from '../errors';
import { authedClientFor, examples, intOption, prompt, readStdinLine, type GlobalOptions } from '../context';
import { printLine } from '../output';
import {
  DEFAULT_API_NAME,
  DEFAULT_API_URL,
  readSettings,
  settingsPath,
  writeSettings,
} from '../settings-file';

interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  url?: string;
  default?: boolean;
  admin?: boolean;
  expiresIn?: number;
}

export function registerLogin(program: Command): void {
  const cmd = program
    .command('login')
    .description('log in to an API instance and store its token in the kci settings file')
    .option('-u, --username <name>', 'user name (asked when missing)')
    .option('-p, --password <password>', 'password (asked when missing; prefer --password-stdin in scripts)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--url <url>', 'API base URL for this instance, e.g. http://127.0.0.1:8000/latest')
    .option('--default', 'make this instance the default one')
    .option('--admin', "ask for a superuser's admin-scope token (short-lived; needed by admin commands)")
    .option('--expires-in <seconds>', 'token lifetime (the server caps it)', intOption('expires-in', 1))
    .action(async (opts: LoginOptions, command: Command) => {
      const file = settingsPath();
      const settings = readSettings(file);
      const globals = command.optsWithGlobals() as GlobalOptions;
      const name = globals.api ?? settings.default ?? DEFAULT_API_NAME;
      const envUrl = process.env[SETTINGS.kciApiUrl.env];
      if (globals.api && !settings.api[name] && !opts.url && !envUrl) {
        throw new CliError(`API instance "${name}" is new: give its URL with --url`, EXIT.usage);
      }
      const url = opts.url || envUrl || settings.api[name]?.url || DEFAULT_API_URL;
      const username = opts.username ?? (await prompt('Username: '));
      const password = opts.passwordStdin
        ? readStdinLine()
        : (opts.password ?? (await prompt('Password: ', { hidden: true })));

      const client = new ApiClient({ baseUrl: url });
      const { access_token } = await client.login(username, password, {
        scope: opts.admin ? 'admin' : undefined,
        expiresIn: opts.expiresIn,
      });
      settings.api[name] = { url, token: access_token };
      if (opts.default || !settings.default) settings.default = name;
      writeSettings(settings, file);
      printLine(`logged in to "${name}" (${url}) as ${username}; token stored in ${file}`);
    });
  examples(cmd, [
    'kci login --username alice                      # asks for the password',
    'echo "$PASSWORD" | kci login -u alice --password-stdin',
    'kci --api staging login --url https://staging.example.org/latest -u alice --default',
    'kci login -u admin --admin                       # admin-scope token for `kci user invite`, groups',
  ]);

  examples(
    program
      .command('logout')
      .description('revoke the stored token on the server and forget it')
      .action(async (_opts: unknown, command: Command) => {
        const file = settingsPath();
        const settings = readSettings(file);
        const name = (command.optsWithGlobals() as GlobalOptions).api ?? settings.default ?? DEFAULT_API_NAME;
        await authedClientFor(command).logout();
        if (settings.api[name]?.token) {
          delete settings.api[name].token;
          writeSettings(settings, file);
        }
        printLine(`logged out of "${name}"`);
      }),
    ['kci logout', 'kci --api staging logout'],
  );
}
