// One revision (a checkout and its tree): the checkout, builds, tests grouped by job and platform, and
// regressions, kept up to date from the event stream. Each kind is read page by page by tree id.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { checkoutWorkflowId } from '../../temporal/workflow-ids';
import { api, type DashboardConfig, type Node } from '../api';
import { nodeBatcher, useNodeStream, type LiveStatus } from '../live';
import {
  ArtifactLinks,
  errorText,
  ExternalLink,
  href,
  LogLink,
  nodeDuration,
  ResultBadge,
  StateBadge,
  TableWrap,
  Time,
} from '../ui';
import { TestGroups } from './tests';

const KINDS = ['kbuild', 'job', 'test', 'regression'] as const;
type Kind = (typeof KINDS)[number];
const PAGE: Record<Kind, number> = { kbuild: 200, job: 200, test: 500, regression: 100 };

interface KindState {
  /** How many pages-worth were read (live additions do not move the offset). */
  read: number;
  total: number;
}

let configOnce: Promise<DashboardConfig> | null = null;

function workflowLink(config: DashboardConfig | null, checkout: Node): string | null {
  const rev = checkout.data?.kernel_revision;
  if (!config || !rev?.tree || !rev?.branch || !rev?.commit) return null;
  const query = `WorkflowId="${checkoutWorkflowId(rev.tree, rev.branch, rev.commit)}"`;
  return `${config.temporal_ui_url}/namespaces/${encodeURIComponent(config.temporal_namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** Keeps the newer copy of each node (events and page reads may arrive in any order). */
function merge(into: Map<string, Node>, nodes: Node[]): Map<string, Node> {
  const next = new Map(into);
  for (const n of nodes) {
    const old = next.get(n.id);
    if (!old || Date.parse(n.updated) >= Date.parse(old.updated)) next.set(n.id, n);
  }
  return next;
}

export function RevisionPage({ id }: { id: string }) {
  const [nodes, setNodes] = useState<Map<string, Node>>(new Map());
  const [kinds, setKinds] = useState<Partial<Record<Kind, KindState>>>({});
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const add = (list: Node[]) => setNodes((m) => merge(m, list));
  const batcher = useMemo(() => nodeBatcher(id, add), [id]);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Lists were asked for: a stream opened after that may have missed changes in between. */
  const listsRequested = useRef(false);

  const readPage = async (kind: Kind, offset: number) => {
    const page = await api.nodes({ treeid: id, kind }, { limit: PAGE[kind], offset, sort: 'created' });
    add(page.items);
    setKinds((k) => ({
      ...k,
      [kind]: { read: Math.max(k[kind]?.read ?? 0, offset + page.items.length), total: page.total },
    }));
  };
  const readFirstPages = () =>
    Promise.all(KINDS.map((kind) => readPage(kind, 0))).catch((err) => setError(errorText(err)));

  useEffect(() => {
    setNodes(new Map());
    setKinds({});
    setError(null);
    setMissing(false);
    listsRequested.current = false;
    configOnce ??= api.config();
    configOnce.then(setConfig, () => setConfig(null));
    // The checkout first, alone: it paints the page header; the lists follow once it is on screen.
    api.node(id).then(
      (n) => {
        if (!n) return setMissing(true);
        add([n]);
        listsRequested.current = true;
        void readFirstPages();
      },
      (err) => setError(errorText(err)),
    );
    return () => batcher.stop();
  }, [id]);

  const live: LiveStatus = useNodeStream(
    (ev) => {
      // Other revisions' checkouts are never ours; any other node may be (the batch look-up decides).
      if (ev.kind === 'checkout' && ev.id !== id) return;
      batcher.add(ev.id);
    },
    () => {
      // (Re)connected after the page was read: what changed before the stream was open is read again.
      batcher.add(id);
      if (!listsRequested.current) return;
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
      refreshTimer.current = setTimeout(() => void readFirstPages(), 100);
    },
  );

  const checkout = nodes.get(id);
  if (missing)
    return (
      <>
        <h1 tabIndex={-1}>No such revision</h1>
        <p>
          No node has the id <code>{id}</code>. <a href={href.trees()}>Back to the trees</a>
        </p>
      </>
    );
  const byKind = (kind: string) =>
    [...nodes.values()].filter((n) => n.kind === kind).sort((a, b) => a.created.localeCompare(b.created));
  const builds = byKind('kbuild');
  const jobs = byKind('job');
  const tests = byKind('test');
  const regressions = byKind('regression');
  const more = (kind: Kind, shown: number) => {
    const k = kinds[kind];
    if (!k || k.read >= k.total) return null;
    return (
      <button
        type="button"
        class="more"
        onClick={() => void readPage(kind, k.read).catch((e) => setError(errorText(e)))}
      >
        Load more ({shown} of {Math.max(k.total, shown)} shown)
      </button>
    );
  };

  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href={href.trees()}>Trees</a>
        {checkout?.data?.kernel_revision && (
          <>
            {' › '}
            <a href={href.tree(checkout.data.kernel_revision.tree, checkout.data.kernel_revision.branch)}>
              {checkout.data.kernel_revision.tree}/{checkout.data.kernel_revision.branch}
            </a>
          </>
        )}
      </nav>
      <div class="title-row">
        <h1 tabIndex={-1}>
          {checkout
            ? (checkout.data?.kernel_revision?.describe ??
              checkout.data?.kernel_revision?.commit ??
              checkout.name)
            : 'Revision'}
        </h1>
        <LiveIndicator status={live} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!checkout && !error && (
        <p class="muted" role="status">
          Loading the revision…
        </p>
      )}
      {checkout && <CheckoutSummary checkout={checkout} workflow={workflowLink(config, checkout)} />}

      <section aria-labelledby="builds-h">
        <h2 id="builds-h">
          Builds <span class="muted small">({builds.length})</span>
        </h2>
        {builds.length ? (
          <BuildTable builds={builds} />
        ) : (
          <p class="muted">{kinds.kbuild ? 'No builds yet.' : 'Loading…'}</p>
        )}
        {more('kbuild', builds.length)}
      </section>

      <section aria-labelledby="tests-h">
        <h2 id="tests-h">
          Tests <span class="muted small">(by job and platform)</span>
        </h2>
        {jobs.length ? (
          <TestGroups jobs={jobs} tests={tests} builds={builds} />
        ) : (
          <p class="muted">{kinds.job ? 'No test jobs yet.' : 'Loading…'}</p>
        )}
        {more('job', jobs.length)}
        {more('test', tests.length)}
      </section>

      <section aria-labelledby="regressions-h">
        <h2 id="regressions-h">Regressions</h2>
        <Regressions regressions={regressions} />
        {more('regression', regressions.length)}
      </section>
    </>
  );
}

function LiveIndicator({ status }: { status: LiveStatus }) {
  const text = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' }[status];
  return (
    <span class={`live live-${status}`} role="status" aria-live="polite">
      <span aria-hidden="true" class="dot" /> {text}
    </span>
  );
}

/** User-timing mark of the revision's first paint (read by the browser test, and by anyone profiling). */
export const PAINT_MARK = 'maestro:revision-painted';

function CheckoutSummary({ checkout, workflow }: { checkout: Node; workflow: string | null }) {
  const rev = checkout.data?.kernel_revision ?? {};
  useEffect(() => {
    if (!performance.getEntriesByName(PAINT_MARK).length) performance.mark(PAINT_MARK);
  }, []);
  return (
    <dl class="facts">
      <dt>Tree</dt>
      <dd>
        {rev.tree ?? '—'} / {rev.branch ?? '—'}
        {rev.url && (
          <>
            {' '}
            <span class="muted small">({rev.url})</span>
          </>
        )}
      </dd>
      <dt>Commit</dt>
      <dd class="mono break">{rev.commit ?? '—'}</dd>
      <dt>Describe</dt>
      <dd class="mono">{rev.describe ?? '—'}</dd>
      <dt>State</dt>
      <dd>
        <StateBadge state={checkout.state} /> <ResultBadge result={checkout.result} state={checkout.state} />
      </dd>
      <dt>Started</dt>
      <dd>
        <Time iso={checkout.created} />
      </dd>
      <dt>Tarball</dt>
      <dd>
        {checkout.artifacts?.tarball ? (
          <ExternalLink url={checkout.artifacts.tarball}>
            {checkout.artifacts.tarball.split('/').pop()}
          </ExternalLink>
        ) : (
          '—'
        )}
      </dd>
      <dt>Workflow</dt>
      <dd>{workflow ? <ExternalLink url={workflow}>open in the Temporal UI</ExternalLink> : '—'}</dd>
      <dt>Node</dt>
      <dd>
        <a href={href.node(checkout.id)} class="mono">
          {checkout.id}
        </a>
      </dd>
    </dl>
  );
}

function BuildTable({ builds }: { builds: Node[] }) {
  return (
    <TableWrap label="Builds">
      <table>
        <thead>
          <tr>
            <th scope="col">Build</th>
            <th scope="col">Result</th>
            <th scope="col">State</th>
            <th scope="col">Arch</th>
            <th scope="col">Config</th>
            <th scope="col">Compiler</th>
            <th scope="col">Duration</th>
            <th scope="col">Log</th>
            <th scope="col">Artifacts</th>
          </tr>
        </thead>
        <tbody>
          {builds.map((b) => (
            <tr key={b.id} data-node={b.id}>
              <th scope="row">
                <a href={href.node(b.id)}>{b.name}</a>
              </th>
              <td>
                <ResultBadge result={b.result} state={b.state} />
                {b.data?.error_code && <div class="small error-code">{b.data.error_code}</div>}
              </td>
              <td>
                <StateBadge state={b.state} />
              </td>
              <td>{b.data?.arch ?? '—'}</td>
              <td class="mono">{b.data?.config_full ?? b.data?.defconfig ?? '—'}</td>
              <td>{b.data?.compiler ?? '—'}</td>
              <td>{nodeDuration(b)}</td>
              <td>
                <LogLink node={b} />
              </td>
              <td>
                <ArtifactLinks artifacts={b.artifacts} skip={['build_log']} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Upstream regression nodes stay `fail` while the regression lasts and become `pass` when fixed. */
function Regressions({ regressions }: { regressions: Node[] }) {
  if (!regressions.length) return <p class="muted">No regressions recorded for this revision.</p>;
  const fixed = regressions.filter((r) => r.result === 'pass');
  const open = regressions.filter((r) => r.result !== 'pass');
  const table = (list: Node[], caption: string) => (
    <TableWrap label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Regression</th>
            <th scope="col">Result</th>
            <th scope="col">Platform</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <a href={href.node(r.id)}>{r.path.slice(1).join(' › ') || r.name}</a>
              </th>
              <td>
                <ResultBadge result={r.result} state={r.state} />
              </td>
              <td>{r.data?.platform ?? '—'}</td>
              <td>
                <Time iso={r.created} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
  return (
    <>
      {open.length > 0 && table(open, `New regressions (${open.length})`)}
      {fixed.length > 0 && table(fixed, `Fixed regressions (${fixed.length})`)}
    </>
  );
}
