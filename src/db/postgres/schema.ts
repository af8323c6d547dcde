// Version 1 of the schema. Nodes keep KernelCI's fields as columns (`data`, `artifacts`, `debug` as
// jsonb); every filter the pipeline, `kci`, the KCIDB bridge and dashboards use has an index, the data
// paths among them as expression indexes; any other `data.*` equality is served by the GIN index
// (`jsonb_path_ops`). `ord` is the insertion order: the default order of `/nodes`, and the second column
// of the filter indexes so a filtered page is read straight off one index.

const DATA_PATHS: Record<string, string> = {
  tree: '{kernel_revision,tree}',
  branch: '{kernel_revision,branch}',
  commit: '{kernel_revision,commit}',
  arch: '{arch}',
  platform: '{platform}',
  runtime: '{runtime}',
  defconfig: '{defconfig}',
  job_id: '{job_id}',
};

/** `data` paths with an expression index: the SQL expression the query builder must emit to use it. */
export const INDEXED_DATA_PATHS: Record<string, string> = Object.fromEntries(
  Object.values(DATA_PATHS).map((p) => [p.slice(1, -1).replace(/,/g, '.'), `(data #>> '${p}')`]),
);

const dataIndexes = Object.entries(DATA_PATHS)
  .map(([name, p]) => `CREATE INDEX nodes_data_${name} ON nodes ((data #>> '${p}'), ord);`)
  .join('\n');

export const INITIAL_SCHEMA = `
CREATE TABLE nodes (
  id text PRIMARY KEY,
  ord bigint GENERATED ALWAYS AS IDENTITY,
  rev integer NOT NULL DEFAULT 1,
  kind text NOT NULL,
  name text NOT NULL,
  path text[] NOT NULL,
  "group" text,
  parent text,
  state text NOT NULL,
  result text,
  artifacts jsonb NOT NULL DEFAULT '{}',
  data jsonb NOT NULL DEFAULT '{}',
  debug jsonb,
  jobfilter jsonb,
  platform_filter jsonb,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  timeout timestamptz NOT NULL,
  holdoff timestamptz,
  owner text NOT NULL,
  submitter text,
  treeid text,
  user_groups text[] NOT NULL DEFAULT '{}',
  retry_counter integer NOT NULL DEFAULT 0,
  processed_by_kcidb_bridge boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX nodes_ord ON nodes (ord);
CREATE INDEX nodes_kind ON nodes (kind, ord);
CREATE INDEX nodes_state ON nodes (state, ord);
CREATE INDEX nodes_result ON nodes (result, ord);
CREATE INDEX nodes_parent ON nodes (parent, name);
CREATE INDEX nodes_name ON nodes (name, ord);
CREATE INDEX nodes_group ON nodes ("group", ord);
CREATE INDEX nodes_owner ON nodes (owner, ord);
CREATE INDEX nodes_treeid ON nodes (treeid, kind);
CREATE INDEX nodes_created ON nodes (created);
CREATE INDEX nodes_updated ON nodes (updated);
CREATE INDEX nodes_kind_created ON nodes (kind, created);
CREATE INDEX nodes_state_timeout ON nodes (state, timeout);
CREATE INDEX nodes_holdoff ON nodes (holdoff) WHERE holdoff IS NOT NULL;
CREATE INDEX nodes_kcidb_pending ON nodes (processed_by_kcidb_bridge, updated);
CREATE INDEX nodes_path ON nodes USING gin (path);
CREATE INDEX nodes_user_groups ON nodes USING gin (user_groups);
CREATE INDEX nodes_data ON nodes USING gin (data jsonb_path_ops);
${dataIndexes}
CREATE INDEX nodes_tree_branch_created ON nodes
  ((data #>> '{kernel_revision,tree}'), (data #>> '{kernel_revision,branch}'), created);

CREATE SEQUENCE event_seq;
CREATE TABLE events (
  seq bigint PRIMARY KEY,
  id text NOT NULL UNIQUE,
  channel text NOT NULL,
  owner text,
  timestamp timestamptz NOT NULL DEFAULT now(),
  data jsonb,
  ce jsonb NOT NULL,
  dedupe_key text UNIQUE
);
CREATE INDEX events_channel ON events (channel, seq);
CREATE INDEX events_node ON events ((data ->> 'id'), seq);
CREATE INDEX events_kind ON events ((data ->> 'kind'), seq);
CREATE INDEX events_owner ON events (owner, seq);
CREATE INDEX events_timestamp ON events (timestamp);

CREATE TABLE event_subscriptions (
  id serial PRIMARY KEY,
  channel text NOT NULL,
  "user" text NOT NULL,
  promiscuous boolean NOT NULL,
  subscriber_id text,
  durable_key text NOT NULL UNIQUE,
  acked bigint NOT NULL,
  delivered bigint NOT NULL,
  rev integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  created timestamptz NOT NULL DEFAULT now(),
  last_poll timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_subscriptions_idle ON event_subscriptions (last_poll) WHERE subscriber_id IS NULL;

CREATE TABLE event_queues (
  key text PRIMARY KEY,
  owner text NOT NULL,
  name text NOT NULL,
  created timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);
CREATE INDEX event_queues_owner ON event_queues (owner, key);
CREATE TABLE event_queue_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id text NOT NULL UNIQUE,
  queue text NOT NULL,
  event jsonb NOT NULL,
  pushed timestamptz NOT NULL DEFAULT now(),
  visible_at timestamptz NOT NULL DEFAULT now(),
  deliveries integer NOT NULL DEFAULT 0
);
CREATE INDEX event_queue_items_next ON event_queue_items (queue, id);

CREATE TABLE users (
  id text PRIMARY KEY,
  username text NOT NULL,
  email text NOT NULL,
  hashed_password text,
  is_active boolean NOT NULL,
  is_superuser boolean NOT NULL,
  is_verified boolean NOT NULL,
  groups text[] NOT NULL DEFAULT '{}',
  token_generation integer NOT NULL DEFAULT 0,
  is_service boolean NOT NULL DEFAULT false,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL,
  CONSTRAINT users_username_unique UNIQUE (username),
  CONSTRAINT users_email_unique UNIQUE (email)
);
CREATE INDEX users_groups ON users USING gin (groups);
CREATE INDEX users_superuser ON users (is_superuser) WHERE is_superuser;
CREATE TABLE user_groups (
  id text PRIMARY KEY,
  name text NOT NULL CONSTRAINT user_groups_name_unique UNIQUE,
  created timestamptz NOT NULL
);
CREATE TABLE user_invites (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created timestamptz NOT NULL
);
CREATE INDEX user_invites_user ON user_invites (user_id);
CREATE TABLE group_requests (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  username text NOT NULL,
  "group" text NOT NULL,
  state text NOT NULL,
  created timestamptz NOT NULL,
  decided timestamptz,
  decided_by text
);
CREATE INDEX group_requests_state ON group_requests (state, created);
CREATE INDEX group_requests_user ON group_requests (user_id, "group");
CREATE TABLE revoked_tokens (
  jti text PRIMARY KEY,
  user_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
CREATE TABLE api_secrets (
  id text PRIMARY KEY,
  key text NOT NULL,
  created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE health_probes (
  id text PRIMARY KEY,
  at timestamptz NOT NULL
);
`;
