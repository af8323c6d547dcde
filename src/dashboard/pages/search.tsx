// Search by node id (24 hex digits), commit (a full hash, or a prefix of at least 7 hex digits) or
// `git describe` string (exact, else as a prefix). Every query is on checkouts, with a limit.
import { api, type Node } from '../api';
import { href, ResultBadge, RevisionHeader, StateBadge, Status, TableWrap, Time, useLoad } from '../ui';

const LIMIT = 50;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Found {
  node: Node | null;
  checkouts: Node[];
  how: string;
}

export async function search(q: string, signal: AbortSignal): Promise<Found> {
  const text = q.trim();
  const page = { limit: LIMIT, sort: '-created' };
  if (/^[0-9a-fA-F]{24}$/.test(text)) {
    const node = await api.node(text.toLowerCase(), signal);
    if (node) return { node, checkouts: [], how: 'node id' };
  }
  if (/^[0-9a-fA-F]{7,40}$/.test(text)) {
    const commit = text.toLowerCase();
    const filter =
      commit.length === 40
        ? { 'data.kernel_revision.commit': commit }
        : { 'data.kernel_revision.commit__re': `^${commit}` };
    const found = await api.nodes({ kind: 'checkout', ...filter }, page, signal);
    if (found.items.length) return { node: null, checkouts: found.items, how: 'commit' };
  }
  const exact = await api.nodes({ kind: 'checkout', 'data.kernel_revision.describe': text }, page, signal);
  if (exact.items.length) return { node: null, checkouts: exact.items, how: 'describe' };
  const prefix = await api.nodes(
    { kind: 'checkout', 'data.kernel_revision.describe__re': `^${escapeRegex(text)}` },
    page,
    signal,
  );
  return { node: null, checkouts: prefix.items, how: 'describe prefix' };
}

export function SearchPage({ q }: { q: string }) {
  const loaded = useLoad(`search:${q}`, (signal) =>
    q.trim() ? search(q, signal) : Promise.resolve({ node: null, checkouts: [], how: '' }),
  );
  return (
    <>
      <h1 tabIndex={-1}>Search{q && <span class="muted">: {q}</span>}</h1>
      {!q.trim() && <p>Type a commit, a describe string (like v6.9-rc1-12-gabc) or a node id above.</p>}
      <Status loaded={loaded} what="results" />
      {loaded.status === 'ok' && q.trim() && <Results found={loaded.value} />}
    </>
  );
}

function Results({ found }: { found: Found }) {
  if (found.node) {
    const n = found.node;
    const target = n.kind === 'checkout' ? href.revision(n.id) : href.node(n.id);
    return (
      <p>
        Node <a href={target}>{`${n.kind} ${n.name}`}</a> <StateBadge state={n.state} />{' '}
        <ResultBadge result={n.result} state={n.state} />
      </p>
    );
  }
  if (!found.checkouts.length) return <p>No revision matches.</p>;
  return (
    <TableWrap label="Matching revisions">
      <table>
        <caption>
          Revisions matching by {found.how}
          {found.checkouts.length === LIMIT ? ` (the ${LIMIT} newest)` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Tree</th>
            <th scope="col">State</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {found.checkouts.map((c) => {
            const rev = c.data?.kernel_revision ?? {};
            return (
              <tr key={c.id}>
                <RevisionHeader checkout={c} />
                <td>
                  {rev.tree}/{rev.branch}
                </td>
                <td>
                  <StateBadge state={c.state} /> <ResultBadge result={c.result} state={c.state} />
                </td>
                <td>
                  <Time iso={c.created} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
