import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type ToolName = 'temporal' | 'ferretdb';

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'provision-tools.sh');

/**
 * Path of a tool binary: the env override, the cache, the PATH, or a fresh Go build (slow, once).
 * Build progress goes to stderr so the user sees it.
 */
export async function resolveTool(name: ToolName): Promise<string> {
  const child = run('bash', [SCRIPT, name], { maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  try {
    const { stdout } = await child;
    const bin = stdout.trim().split('\n').pop();
    if (!bin) throw new Error('provisioning printed no path');
    return bin;
  } catch (err) {
    throw new Error(`cannot provide ${name}: ${(err as Error).message.split('\n')[0]}`);
  }
}
