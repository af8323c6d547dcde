// The node model (KernelCI-compatible JSON shape) and the contract of the one node write path.
// Pure types: safe to import (type-only) from workflow code.

export const NODE_KINDS = ['checkout', 'kbuild', 'job', 'test', 'process', 'regression'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const NODE_STATES = ['running', 'available', 'closing', 'done'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export const NODE_RESULTS = ['pass', 'fail', 'skip', 'incomplete'] as const;
export type NodeResult = (typeof NODE_RESULTS)[number];

/** A node as the API returns it. Timestamps are ISO-8601 UTC strings. */
export interface Node {
  id: string;
  kind: NodeKind;
  name: string;
  path: string[];
  group: string | null;
  parent: string | null;
  state: NodeState;
  result: NodeResult | null;
  artifacts: Record<string, string>;
  data: Record<string, unknown>;
  debug: Record<string, unknown> | null;
  jobfilter: string[] | null;
  platform_filter: string[] | null;
  created: string;
  updated: string;
  timeout: string;
  holdoff: string | null;
  owner: string;
  submitter: string | null;
  treeid: string | null;
  user_groups: string[];
  retry_counter: number;
  processed_by_kcidb_bridge: boolean;
}

/** Fields a client may send when creating a node (`id`, `owner`, `created`, `updated` are server-set). */
export interface NodeInput {
  kind: NodeKind;
  name: string;
  parent?: string | null;
  path?: string[];
  group?: string | null;
  state?: NodeState;
  result?: NodeResult | null;
  artifacts?: Record<string, string>;
  data?: Record<string, unknown>;
  debug?: Record<string, unknown> | null;
  jobfilter?: string[] | null;
  platform_filter?: string[] | null;
  timeout?: string;
  holdoff?: string | null;
  submitter?: string | null;
  treeid?: string | null;
  user_groups?: string[];
  retry_counter?: number;
  processed_by_kcidb_bridge?: boolean;
}

/** The fields PATCH /node/{id} may change. */
export const PATCH_FIELDS = [
  'state',
  'result',
  'artifacts',
  'data',
  'debug',
  'jobfilter',
  'platform_filter',
  'timeout',
  'holdoff',
  'processed_by_kcidb_bridge',
] as const;

/** PATCH /node/{id}: the fields that may change in place. `data` is merged key by key at the top level. */
export type NodePatch = Pick<NodeInput, (typeof PATCH_FIELDS)[number]>;

/** Who is writing: an API user, a lab's user, or the pipeline's service user. */
export interface Actor {
  id: string;
  username: string;
  groups: string[];
  isSuperuser: boolean;
}

export interface WriteOptions {
  /** Suppress the node event (`?noevent=true`). */
  noevent?: boolean;
}

export interface CreateOptions extends WriteOptions {
  /**
   * Caller-chosen id (24 hex) for idempotent internal writers (activities): creating an id that already
   * exists returns the stored node unchanged instead of failing. The HTTP API never passes it.
   */
  id?: string;
}

/** One change handed to the event publisher after the node document was written. */
export interface NodeChange {
  op: 'created' | 'updated';
  node: Node;
  /** Per-node write counter: (node.id, revision) identifies the change, for idempotent publishing. */
  revision: number;
  previous_state?: NodeState;
  previous_result?: NodeResult | null;
  is_hierarchy: boolean;
}

/**
 * Receives every node change. Must be idempotent per (node id, revision): the write path re-delivers
 * changes whose publication it cannot confirm (after a crash between the node write and the event).
 */
export interface NodeEventSink {
  nodeChanged(changes: NodeChange[]): Promise<void>;
}

/** A submitted hierarchy: `PUT /nodes/{id}` body. */
export interface NodeTreeInput {
  node: Partial<NodeInput> & { id?: string };
  child_nodes: NodeTreeInput[];
}

export interface FindOptions {
  limit: number;
  offset: number;
  /** e.g. ['-created', 'name'] */
  sort?: string[];
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Parsed query-string filters (SPEC §3 syntax); built by the filter parser, safe to hand to MongoDB. */
export type NodeQuery = Record<string, unknown>;

/** The one write path for nodes. Every writer (API routes, activities) goes through it. */
export interface NodeStore {
  get(id: string): Promise<Node | null>;
  find(query: NodeQuery, opts: FindOptions): Promise<Page<Node>>;
  findFast(query: NodeQuery, opts: FindOptions): Promise<Node[]>;
  count(query: NodeQuery): Promise<number>;
  create(actor: Actor, input: NodeInput, opts?: CreateOptions): Promise<Node>;
  /** PUT: replace; owner/submitter/user_groups immutable; state transition checked. */
  replace(actor: Actor, id: string, input: NodeInput, opts?: WriteOptions): Promise<Node>;
  /** PATCH: partial update; state transition checked. */
  update(actor: Actor, id: string, patch: NodePatch, opts?: WriteOptions): Promise<Node>;
  /** PUT /nodes/{id}: create/update a hierarchy under an existing root; retry-safe with the same body. */
  submitHierarchy(actor: Actor, rootId: string, tree: NodeTreeInput, opts?: WriteOptions): Promise<Node[]>;
  setField(actor: Actor, ids: string[], field: 'processed_by_kcidb_bridge', value: boolean): Promise<number>;
}
