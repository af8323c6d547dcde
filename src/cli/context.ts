// What every command needs: the API client for the selected instance, input files, prompts and help.
import fs from 'node:fs';
import readline from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient } from '../client/api-client';
import { CliError, EXIT } from './errors';
import { resolveApi, type ResolvedApi } from './settings-file';

export interface GlobalOptions {
  api?: string;
}

export function selectedApi(cmd: Command): ResolvedApi {
  return resolveApi((cmd.optsWithGlobals() as GlobalOptions).api);
}

export function clientFor(cmd: Command): ApiClient {
  const api = selectedApi(cmd);
  return new ApiClient({ baseUrl: api.url, token: api.token });
}

/** Like clientFor, but fails early with a hint when no token is configured. */
export function authedClientFor(cmd: Command): ApiClient {
  const api = selectedApi(cmd);
  if (!api.token) {
    throw new CliError(
      `not logged in to API "${api.name}" (${api.url}): run \`kci login\` or set KCI_API_TOKEN`,
    );
  }
  return new ApiClient({ baseUrl: api.url, token: api.token });
}

/** Reads a whole file, or stdin for `-`. */
export function readInput(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${file === '-' ? 'stdin' : file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export function readJsonInput<T = unknown>(file: string): T {
  const text = readInput(file);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new CliError(`${file === '-' ? 'stdin' : file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Asks on the terminal; `hidden` does not echo what is typed (passwords). */
export async function prompt(question: string, opts: { hidden?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError(
      `${question.replace(/:\s*$/, '')} is required (no terminal to ask on; pass it as an option)`,
      EXIT.usage,
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (opts.hidden) {
    // Echo nothing after the question while the answer is typed.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        process.stderr.write(s);
        asked = true;
      }
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    if (opts.hidden) process.stderr.write('\n');
    rl.close();
  }
}

/** First line of stdin (for `--password-stdin`). */
export function readStdinLine(): string {
  return readInput('-').split(/\r?\n/)[0];
}

/** Appends an "Examples:" block to a command's --help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/** Commander option parser for positive integers. */
export function intOption(name: string, min = 0): (raw: string) => number {
  return (raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}.`);
    return n;
  };
}
