// Push notifications from git forges: which forge sent it (by its event header), whether it carries the
// shared secret (GitHub and Gitea: HMAC-SHA256 of the raw body; GitLab: the token itself), and the
// pushed repository, branch and head commit. Tags, branch deletions and other events are ignored.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid, unauthenticated } from '../errors';

export type Forge = 'github' | 'gitlab' | 'gitea';

export interface Push {
  forge: Forge;
  /** Every URL the payload gives for the repository (clone, ssh, web). */
  repoUrls: string[];
  branch: string;
  commit: string;
}

export type PushEvent = { kind: 'push'; push: Push } | { kind: 'ignored'; forge: Forge; reason: string };

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const hmac = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/** The forge a request comes from, by the event header each one sends. */
export function forgeOf(h: Headers): { forge: Forge; event: string } {
  // Gitea also sends X-GitHub-Event for compatibility: look at its own header first.
  const gitea = header(h, 'x-gitea-event');
  if (gitea) return { forge: 'gitea', event: gitea };
  const gitlab = header(h, 'x-gitlab-event');
  if (gitlab) return { forge: 'gitlab', event: gitlab };
  const github = header(h, 'x-github-event');
  if (github) return { forge: 'github', event: github };
  throw invalid('headers: one of X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event is required');
}

/** Throws `unauthenticated` naming the header when the secret does not match. */
export function verifySecret(forge: Forge, h: Headers, body: Buffer, secret: string): void {
  if (forge === 'gitlab') {
    const token = header(h, 'x-gitlab-token');
    if (!token) throw unauthenticated('X-Gitlab-Token: required');
    if (!sameText(token, secret)) throw unauthenticated('X-Gitlab-Token: does not match the webhook secret');
    return;
  }
  const name = forge === 'github' ? 'X-Hub-Signature-256' : 'X-Gitea-Signature';
  const given = header(h, name.toLowerCase());
  if (!given) throw unauthenticated(`${name}: required`);
  const expected = (forge === 'github' ? 'sha256=' : '') + hmac(secret, body);
  if (!sameText(given.toLowerCase(), expected))
    throw unauthenticated(`${name}: signature does not match the body`);
}

const PUSH_EVENTS: Record<Forge, string> = { github: 'push', gitlab: 'Push Hook', gitea: 'push' };
const ZERO_SHA = /^0+$/;

/** The push a verified payload describes, or why it starts nothing. */
export function parsePush(forge: Forge, event: string, payload: unknown): PushEvent {
  if (event !== PUSH_EVENTS[forge])
    return { kind: 'ignored', forge, reason: `event "${event}" is not a push` };
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw invalid('body: a JSON object is required');
  const p = payload as Record<string, unknown>;
  const ref = p.ref;
  if (typeof ref !== 'string' || !ref)
    throw invalid('body.ref: required (a string such as "refs/heads/master")');
  if (!ref.startsWith('refs/heads/')) return { kind: 'ignored', forge, reason: `ref ${ref} is not a branch` };
  const after = p.after;
  if (typeof after !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(after))
    throw invalid('body.after: required (the pushed commit, a hex object id)');
  if (ZERO_SHA.test(after)) return { kind: 'ignored', forge, reason: `branch ${ref.slice(11)} was deleted` };
  const repo = (forge === 'gitlab' ? p.project : p.repository) as Record<string, unknown> | undefined;
  const fields =
    forge === 'gitlab'
      ? ['git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'url']
      : ['clone_url', 'html_url', 'ssh_url', 'git_url', 'url'];
  const repoUrls = fields.map((f) => repo?.[f]).filter((u): u is string => typeof u === 'string' && u !== '');
  if (!repoUrls.length)
    throw invalid(`body.${forge === 'gitlab' ? 'project' : 'repository'}: a repository URL is required`);
  return { kind: 'push', push: { forge, repoUrls, branch: ref.slice('refs/heads/'.length), commit: after } };
}

/**
 * One spelling for the many of a repository URL: https://host/path(.git), git@host:path(.git),
 * ssh://git@host/path, git://host/path → host/path (host in lower case). file:// URLs keep their path.
 */
export function normalizeRepoUrl(url: string): string {
  let u = url.trim();
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(u);
  if (scp) u = `${scp[1]}/${scp[2]}`;
  else {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/]*)(\/.*)?$/i.exec(u);
    if (m) u = `${m[1].toLowerCase().replace(/:(22|80|443)$/, '')}${m[2] ?? ''}`;
  }
  return u.replace(/\/+$/, '').replace(/\.git$/, '');
}
