// A bare mirror per tree under the data dir: fetched on demand, then `git archive` of one commit.
import fs from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';

const locks = new Map<string, Promise<unknown>>();

/** Serialises git operations per mirror inside this process (git's own locks would fail, not wait). */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  locks.set(key, run);
  try {
    return await run;
  } finally {
    if (locks.get(key) === run) locks.delete(key);
  }
}

export interface ArchiveResult {
  file: string;
  describe: string;
  version: KernelVersion | null;
}

export interface KernelVersion {
  version: number;
  patchlevel: number;
  sublevel: number;
  extra: string;
  name?: string;
}

function mirrorDir(root: string, tree: string): string {
  return path.join(root, `${tree.replace(/[^A-Za-z0-9_.-]/g, '_')}.git`);
}

/** Ensures the mirror of `url` has `commit`, fetching only when it is missing. */
export async function updateMirror(root: string, tree: string, url: string, commit: string): Promise<string> {
  const dir = mirrorDir(root, tree);
  return withLock(dir, async () => {
    await fs.mkdir(root, { recursive: true });
    const exists = await fs
      .stat(path.join(dir, 'HEAD'))
      .then(() => true)
      .catch(() => false);
    if (!exists) {
      await simpleGit().raw(['init', '--bare', '--quiet', dir]);
    }
    const git = simpleGit(dir);
    await git.raw(['config', 'remote.origin.url', url]);
    const has = await git
      .raw(['cat-file', '-e', `${commit}^{commit}`])
      .then(() => true)
      .catch(() => false);
    if (!has) await git.raw(['fetch', '--quiet', '--prune', '--tags', url, '+refs/heads/*:refs/heads/*']);
    await git.raw(['cat-file', '-e', `${commit}^{commit}`]).catch(() => {
      throw new Error(`commit ${commit} not found in ${url}`);
    });
    return dir;
  });
}

/** `git archive` of `commit` into `<outDir>/<name>.tar.gz`, plus `git describe` and the Makefile version. */
export async function archiveCommit(
  mirror: string,
  commit: string,
  outFile: string,
  prefix: string,
): Promise<ArchiveResult> {
  const git = simpleGit(mirror);
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  await git.raw(['archive', '--format=tar.gz', `--prefix=${prefix}/`, '-o', outFile, commit]);
  const describe = (await git.raw(['describe', '--tags', '--always', commit])).trim();
  const makefile = await git.raw(['show', `${commit}:Makefile`]).catch(() => '');
  return { file: outFile, describe, version: parseKernelVersion(makefile) };
}

export function parseKernelVersion(makefile: string): KernelVersion | null {
  const field = (name: string) => new RegExp(`^${name}\\s*=\\s*(.*)$`, 'm').exec(makefile)?.[1]?.trim();
  const version = field('VERSION');
  const patchlevel = field('PATCHLEVEL');
  if (
    version === undefined ||
    patchlevel === undefined ||
    !/^\d+$/.test(version) ||
    !/^\d+$/.test(patchlevel)
  )
    return null;
  const sublevel = field('SUBLEVEL');
  const name = field('NAME');
  return {
    version: Number(version),
    patchlevel: Number(patchlevel),
    sublevel: sublevel && /^\d+$/.test(sublevel) ? Number(sublevel) : 0,
    extra: field('EXTRAVERSION') ?? '',
    ...(name ? { name } : {}),
  };
}
