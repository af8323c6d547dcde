// Trees: the latest checkouts grouped by tree/branch (one page of checkouts at a time, newest first),
// and one tree/branch with all its revisions page by page. Result counts load per visible row.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, limiter, type Node } from '../api';
import { href, ResultBadge, RevisionHeader, StateBadge, Status, TableWrap, Time, useLoad } from '../ui';

const CHECKOUTS_PER_PAGE = 100;
const REVISIONS_PER_TREE = 5;
const REVISIONS_PER_PAGE = 20;

// Six counts a row: at most four requests at a time.
const countSlot = limiter(4);

interface Counts {
  builds: Record<'pass' | 'fail' | 'incomplete', number>;
  tests: Record<'pass' | 'fail' | 'incomplete', number>;
}

async function revisionCounts(id: string, signal: AbortSignal): Promise<Counts> {
  const results = ['pass', 'fail', 'incomplete'] as const;
  const count = (kind: string, result: string) =>
    countSlot(() => (signal.aborted ? Promise.resolve(0) : api.count({ treeid: id, kind, result }, signal)));
  const [b, t] = await Promise.all(
    ['kbuild', 'test'].map((kind) => Promise.all(results.map((r) => count(kind, r)))),
  );
  const pick = (n: number[]) => ({ pass: n[0], fail: n[1], incomplete: n[2] });
  return { builds: pick(b), tests: pick(t) };
}

/** Counts, loaded once the row scrolls into view (a long page does not ask for every row at once). */
function CountCells({ id }: { id: string }) {
  const ref = useRef<HTMLTableCellElement>(null);
  const [counts, setCounts] = useState<Counts | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      revisionCounts(id, abort.signal).then(setCounts, () => undefined);
    });
    if (ref.current) observer.observe(ref.current);
    return () => {
      observer.disconnect();
      abort.abort();
    };
  }, [id]);
  const cell = (c: Counts['builds'] | undefined, label: string) =>
    c ? (
      <span
        class="counts"
        aria-label={`${label}: ${c.pass} pass, ${c.fail} fail, ${c.incomplete} incomplete`}
      >
        <span class="count-pass">{c.pass}</span> / <span class="count-fail">{c.fail}</span> /{' '}
        <span class="count-incomplete">{c.incomplete}</span>
      </span>
    ) : (
      <span class="muted">…</span>
    );
  return (
    <>
      <td ref={ref}>{cell(counts?.builds, 'builds')}</td>
      <td>{cell(counts?.tests, 'tests')}</td>
    </>
  );
}

function RevisionRows({ checkouts }: { checkouts: Node[] }) {
  return (
    <>
      {checkouts.map((c) => (
        <tr key={c.id}>
          <RevisionHeader checkout={c} />
          <td>
            <StateBadge state={c.state} /> <ResultBadge result={c.result} state={c.state} />
          </td>
          <td>
            <Time iso={c.created} />
          </td>
          <CountCells id={c.id} />
        </tr>
      ))}
    </>
  );
}

function RevisionTable({ caption, checkouts }: { caption: string; checkouts: Node[] }) {
  return (
    <TableWrap label={caption}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">State</th>
            <th scope="col">Started</th>
            <th scope="col">
              Builds <span class="muted small">pass / fail / incomplete</span>
            </th>
            <th scope="col">
              Tests <span class="muted small">pass / fail / incomplete</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <RevisionRows checkouts={checkouts} />
        </tbody>
      </table>
    </TableWrap>
  );
}

export function TreesPage() {
  const [offset, setOffset] = useState(0);
  const loaded = useLoad(`trees:${offset}`, (signal) =>
    api.nodes({ kind: 'checkout' }, { limit: CHECKOUTS_PER_PAGE, offset, sort: '-created' }, signal),
  );
  const groups = new Map<string, { tree: string; branch: string; checkouts: Node[] }>();
  if (loaded.status === 'ok') {
    for (const c of loaded.value.items) {
      const rev = c.data?.kernel_revision ?? {};
      const tree = String(rev.tree ?? '?');
      const branch = String(rev.branch ?? '?');
      const key = `${tree}/${branch}`;
      if (!groups.has(key)) groups.set(key, { tree, branch, checkouts: [] });
      groups.get(key)!.checkouts.push(c);
    }
  }
  return (
    <>
      <h1 tabIndex={-1}>Trees</h1>
      <p class="muted">
        Every tree and branch among the {CHECKOUTS_PER_PAGE} most recent revisions
        {offset ? ` (from the ${offset + 1}th)` : ''}, newest first.
      </p>
      <Status loaded={loaded} what="revisions" />
      {loaded.status === 'ok' && !loaded.value.items.length && <p>No revision has been checked out yet.</p>}
      {[...groups.values()].map((g) => (
        <section
          key={`${g.tree}/${g.branch}`}
          class="tree-group"
          aria-labelledby={`tree-${g.tree}-${g.branch}`}
        >
          <h2 id={`tree-${g.tree}-${g.branch}`}>
            <a href={href.tree(g.tree, g.branch)}>
              {g.tree} <span class="muted">/ {g.branch}</span>
            </a>
          </h2>
          <RevisionTable
            caption={`Latest revisions of ${g.tree}/${g.branch}`}
            checkouts={g.checkouts.slice(0, REVISIONS_PER_TREE)}
          />
          {g.checkouts.length > REVISIONS_PER_TREE && (
            <p>
              <a href={href.tree(g.tree, g.branch)}>
                All revisions of {g.tree}/{g.branch}
              </a>
            </p>
          )}
        </section>
      ))}
      {loaded.status === 'ok' && (
        <Pager
          offset={offset}
          limit={CHECKOUTS_PER_PAGE}
          total={loaded.value.total}
          onChange={setOffset}
          what="revisions"
        />
      )}
    </>
  );
}

export function TreePage({ tree, branch }: { tree: string; branch: string }) {
  const [offset, setOffset] = useState(0);
  const loaded = useLoad(`tree:${tree}:${branch}:${offset}`, (signal) =>
    api.nodes(
      { kind: 'checkout', 'data.kernel_revision.tree': tree, 'data.kernel_revision.branch': branch },
      { limit: REVISIONS_PER_PAGE, offset, sort: '-created' },
      signal,
    ),
  );
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href={href.trees()}>Trees</a> › {tree}/{branch}
      </nav>
      <h1 tabIndex={-1}>
        {tree} <span class="muted">/ {branch}</span>
      </h1>
      <Status loaded={loaded} what="revisions" />
      {loaded.status === 'ok' && (
        <>
          <RevisionTable caption={`Revisions of ${tree}/${branch}`} checkouts={loaded.value.items} />
          <Pager
            offset={offset}
            limit={REVISIONS_PER_PAGE}
            total={loaded.value.total}
            onChange={setOffset}
            what="revisions"
          />
        </>
      )}
    </>
  );
}

export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  what: string;
  onChange: (offset: number) => void;
}) {
  const { offset, limit, total, what, onChange } = props;
  if (total <= limit && offset === 0) return null;
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={`Pages of ${what}`}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        Newer
      </button>
      <span>
        {offset + 1}–{last} of {total}
      </span>
      <button type="button" disabled={last >= total} onClick={() => onChange(offset + limit)}>
        Older
      </button>
    </nav>
  );
}
