// Small shared pieces: links between pages, state/result badges (text, not colour alone), times and
// durations, and a hook for one asynchronous load per page.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Node } from './api';

export const href = {
  trees: () => '#/',
  tree: (tree: string, branch: string) => `#/tree/${encodeURIComponent(tree)}/${encodeURIComponent(branch)}`,
  revision: (id: string) => `#/revision/${id}`,
  node: (id: string) => `#/node/${id}`,
  search: (q: string) => `#/search?q=${encodeURIComponent(q)}`,
};

const RESULT_LABEL: Record<string, string> = {
  pass: 'pass',
  fail: 'fail',
  skip: 'skip',
  incomplete: 'incomplete',
};

export function ResultBadge({ result, state }: { result: string | null; state?: string }) {
  if (result && RESULT_LABEL[result])
    return <span class={`badge result-${result}`}>{RESULT_LABEL[result]}</span>;
  if (state && state !== 'done') return <span class="badge result-pending">pending</span>;
  return <span class="badge result-none">—</span>;
}

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}

/** `2026-11-30 11:43:41 UTC` (a fixed zone: results are compared across labs). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function Time({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{formatTime(iso)}</time> : <>—</>;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Run time of a finished node (created → last update); running nodes have none yet. */
export function nodeDuration(n: Node): string {
  if (n.state === 'running') return 'running';
  return formatDuration(Date.parse(n.updated) - Date.parse(n.created));
}

export function shortCommit(commit: string | undefined): string {
  return commit ? commit.slice(0, 12) : '—';
}

/** A revision's row header in revision lists: its describe (linking to the revision) above the commit. */
export function RevisionHeader({ checkout }: { checkout: Node }) {
  const rev = checkout.data?.kernel_revision ?? {};
  return (
    <th scope="row">
      <a href={href.revision(checkout.id)}>{rev.describe ?? shortCommit(rev.commit)}</a>
      <div class="mono muted small">{shortCommit(rev.commit)}</div>
    </th>
  );
}

/**
 * Artifact URLs are written by API users: only http(s) ones become links (never `javascript:` or
 * `data:`); anything else is shown as text.
 */
export function safeUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export function ExternalLink({
  url,
  label,
  children,
}: {
  url: unknown;
  label?: string;
  children: ComponentChildren;
}) {
  const safe = safeUrl(url);
  if (!safe) return <span title={String(url)}>{children}</span>;
  return (
    <a href={safe} rel="noopener noreferrer" aria-label={label}>
      {children}
    </a>
  );
}

/** Links to a node's artifacts; `skip` names the ones shown elsewhere (the log column). */
export function ArtifactLinks({
  artifacts,
  skip = [],
}: {
  artifacts: Record<string, string>;
  skip?: string[];
}) {
  const entries = Object.entries(artifacts ?? {}).filter(([name]) => !skip.includes(name));
  if (!entries.length) return <>—</>;
  return (
    <ul class="inline-list">
      {entries.map(([name, url]) => (
        <li key={name}>
          <ExternalLink url={url}>{name}</ExternalLink>
        </li>
      ))}
    </ul>
  );
}

export function LogLink({
  node,
  names = ['build_log', 'log', 'lava_log', 'test_log'],
}: {
  node: Node;
  names?: string[];
}) {
  const name = names.find((n) => node.artifacts?.[n]);
  if (!name) return <>—</>;
  return (
    <ExternalLink url={node.artifacts[name]} label={`log of ${node.name}`}>
      log
    </ExternalLink>
  );
}

/** A table that scrolls sideways on a phone instead of squeezing its columns. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export type Loaded<T> =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ok'; value: T };

/** Loads once per `key`; an answer for an older key (the user navigated on) is dropped. */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    const abort = new AbortController();
    setState({ status: 'loading' });
    load(abort.signal).then(
      (value) => !abort.signal.aborted && setState({ status: 'ok', value }),
      (err: unknown) => !abort.signal.aborted && setState({ status: 'error', message: errorText(err) }),
    );
    return () => abort.abort();
  }, [key]);
  return state;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (HTTP ${err.status})`;
  return err instanceof Error ? err.message : String(err);
}

export function Status<T>({ loaded, what }: { loaded: Loaded<T>; what: string }) {
  if (loaded.status === 'loading')
    return (
      <p class="muted" role="status">
        Loading {what}…
      </p>
    );
  if (loaded.status === 'error')
    return (
      <p class="error" role="alert">
        Could not load {what}: {loaded.message}
      </p>
    );
  return null;
}
