// Any node: where it sits (path, parent, revision), its fields and data, artifacts, the history of its
// state from the event history, and its children page by page.
import { useState } from 'preact/hooks';
import { api, type EventRecord, type Node } from '../api';
import {
  ArtifactLinks,
  href,
  nodeDuration,
  ResultBadge,
  StateBadge,
  Status,
  TableWrap,
  Time,
  useLoad,
} from '../ui';
import { Pager } from './trees';

const CHILDREN_PER_PAGE = 50;

function value(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function NodePage({ id }: { id: string }) {
  const loaded = useLoad(`node:${id}`, (signal) => api.node(id, signal));
  if (loaded.status !== 'ok') return <Status loaded={loaded} what="the node" />;
  const node = loaded.value;
  if (!node)
    return (
      <>
        <h1 tabIndex={-1}>No such node</h1>
        <p>
          No node has the id <code>{id}</code>.
        </p>
      </>
    );
  return <NodeView node={node} />;
}

function NodeView({ node }: { node: Node }) {
  const rev = node.data?.kernel_revision;
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href={href.trees()}>Trees</a> › {node.treeid && <a href={href.revision(node.treeid)}>revision</a>}
        {node.parent && (
          <>
            {' › '}
            <a href={href.node(node.parent)}>parent</a>
          </>
        )}
      </nav>
      <h1 tabIndex={-1}>
        <span class="muted">{node.kind}</span> {node.name}
      </h1>
      <p class="path" aria-label="Path">
        {node.path.map((p, i) => (
          <span key={i}>
            {i > 0 && <span aria-hidden="true"> › </span>}
            {p}
          </span>
        ))}
      </p>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <StateBadge state={node.state} /> <ResultBadge result={node.result} state={node.state} />
        </dd>
        {node.kind === 'checkout' && (
          <>
            <dt>Revision page</dt>
            <dd>
              <a href={href.revision(node.id)}>{rev?.describe ?? rev?.commit ?? node.id}</a>
            </dd>
          </>
        )}
        <dt>Id</dt>
        <dd class="mono">{node.id}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={node.created} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time iso={node.updated} /> <span class="muted small">({nodeDuration(node)})</span>
        </dd>
        <dt>Timeout</dt>
        <dd>
          <Time iso={node.timeout} />
        </dd>
        <dt>Holdoff</dt>
        <dd>
          <Time iso={node.holdoff} />
        </dd>
        <dt>Owner</dt>
        <dd>{node.owner}</dd>
      </dl>

      <section aria-labelledby="artifacts-h">
        <h2 id="artifacts-h">Artifacts</h2>
        <ArtifactLinks artifacts={node.artifacts} />
      </section>

      <section aria-labelledby="data-h">
        <h2 id="data-h">Data</h2>
        <TableWrap label="Node data">
          <table class="kv">
            <tbody>
              {Object.entries(node.data ?? {}).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td class="mono break">{value(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>

      <History nodeId={node.id} />
      <Children nodeId={node.id} />
    </>
  );
}

function History({ nodeId }: { nodeId: string }) {
  const loaded = useLoad(`history:${nodeId}`, (signal) => api.nodeEvents(nodeId, signal));
  return (
    <section aria-labelledby="history-h">
      <h2 id="history-h">State history</h2>
      <Status loaded={loaded} what="the history" />
      {loaded.status === 'ok' &&
        (loaded.value.length ? (
          <TableWrap label="State history">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Change</th>
                  <th scope="col">State</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {loaded.value.map((e: EventRecord) => (
                  <tr key={e.id}>
                    <td>
                      <Time iso={e.timestamp} />
                    </td>
                    <td>{e.data.op}</td>
                    <td>
                      {e.data.previous_state && e.data.previous_state !== e.data.state && (
                        <span class="muted">{e.data.previous_state} → </span>
                      )}
                      <StateBadge state={e.data.state} />
                    </td>
                    <td>
                      <ResultBadge result={e.data.result} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : (
          <p class="muted">No events kept for this node (the history keeps the last days only).</p>
        ))}
    </section>
  );
}

function Children({ nodeId }: { nodeId: string }) {
  const [offset, setOffset] = useState(0);
  const loaded = useLoad(`children:${nodeId}:${offset}`, (signal) =>
    api.nodes({ parent: nodeId }, { limit: CHILDREN_PER_PAGE, offset, sort: 'created' }, signal),
  );
  return (
    <section aria-labelledby="children-h">
      <h2 id="children-h">
        Children {loaded.status === 'ok' && <span class="muted small">({loaded.value.total})</span>}
      </h2>
      <Status loaded={loaded} what="the children" />
      {loaded.status === 'ok' &&
        (loaded.value.items.length ? (
          <>
            <TableWrap label="Children">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">State</th>
                    <th scope="col">Result</th>
                    <th scope="col">Duration</th>
                  </tr>
                </thead>
                <tbody>
                  {loaded.value.items.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        <a href={href.node(c.id)}>{c.name}</a>
                      </th>
                      <td>{c.kind}</td>
                      <td>
                        <StateBadge state={c.state} />
                      </td>
                      <td>
                        <ResultBadge result={c.result} state={c.state} />
                      </td>
                      <td>{nodeDuration(c)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <Pager
              offset={offset}
              limit={CHILDREN_PER_PAGE}
              total={loaded.value.total}
              onChange={setOffset}
              what="children"
            />
          </>
        ) : (
          <p class="muted">No children.</p>
        ))}
    </section>
  );
}
