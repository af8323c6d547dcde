// A node row ↔ the stored-node shape the shared write logic works on (../nodes/document.ts).
import { ObjectId } from 'mongodb';
import type { NodeDocument } from '../nodes/document';

/** Columns in the order `nodeParams` lists their values. */
export const NODE_WRITE_COLUMNS = [
  'id',
  'rev',
  'kind',
  'name',
  'path',
  '"group"',
  'parent',
  'state',
  'result',
  'artifacts',
  'data',
  'debug',
  'jobfilter',
  'platform_filter',
  'created',
  'updated',
  'timeout',
  'holdoff',
  'owner',
  'submitter',
  'treeid',
  'user_groups',
  'retry_counter',
  'processed_by_kcidb_bridge',
] as const;

export const NODE_COLUMNS_SQL = NODE_WRITE_COLUMNS.join(', ');

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** Parameter values of one node, aligned with NODE_WRITE_COLUMNS. */
export function nodeParams(d: NodeDocument): unknown[] {
  return [
    d._id.toHexString(),
    d._rev,
    d.kind,
    d.name,
    d.path ?? [],
    d.group ?? null,
    d.parent ? d.parent.toHexString() : null,
    d.state,
    d.result ?? null,
    json(d.artifacts ?? {}),
    json(d.data ?? {}),
    json(d.debug),
    json(d.jobfilter),
    json(d.platform_filter),
    d.created,
    d.updated,
    d.timeout,
    d.holdoff ?? null,
    d.owner,
    d.submitter ?? null,
    d.treeid ?? null,
    d.user_groups ?? [],
    d.retry_counter ?? 0,
    d.processed_by_kcidb_bridge ?? false,
  ];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a row as pg returns it
export function nodeRowToDocument(r: any): NodeDocument {
  return {
    _id: new ObjectId(r.id),
    _rev: r.rev,
    kind: r.kind,
    name: r.name,
    path: r.path,
    group: r.group,
    parent: r.parent ? new ObjectId(r.parent) : null,
    state: r.state,
    result: r.result,
    artifacts: r.artifacts ?? {},
    data: r.data ?? {},
    debug: r.debug,
    jobfilter: r.jobfilter,
    platform_filter: r.platform_filter,
    created: r.created,
    updated: r.updated,
    timeout: r.timeout,
    holdoff: r.holdoff,
    owner: r.owner,
    submitter: r.submitter,
    treeid: r.treeid,
    user_groups: r.user_groups ?? [],
    retry_counter: r.retry_counter,
    processed_by_kcidb_bridge: r.processed_by_kcidb_bridge,
  };
}
