// Head commit of a remote branch, as `git ls-remote` reports it.
import { simpleGit } from 'simple-git';

export async function remoteHead(url: string, branch: string): Promise<string | null> {
  const out = await simpleGit().listRemote([url, `refs/heads/${branch}`]);
  const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  return line ? line.split('\t')[0] : null;
}
