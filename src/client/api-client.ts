// Typed client for the Maestro API (SPEC §3) over the global fetch. Shared by `kci`, the lab worker,
// benchmarks and tests; keeps to web-standard globals so it stays light.
import type { Node, NodeInput, NodePatch, NodeTreeInput, Page } from '../db/nodes/types';
import { parseSse } from './sse';
import type {
  CloudEvent,
  EventRecord,
  Filters,
  InviteRequest,
  InviteResponse,
  ListenMessage,
  ListenOptions,
  PageOptions,
  PopOptions,
  Published,
  QueueAddress,
  QueueInfo,
  PublishRequest,
  Subscription,
  SubscriptionStats,
  TokenOptions,
  TokenResponse,
  User,
  UserAdminUpdate,
  UserGroup,
  UserProfileUpdate,
} from './types';

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:8000/latest` (a trailing slash is fine). */
  baseUrl: string;
  token?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** An API answer that was not 2xx; `detail` is the API's own message. */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${detail}`);
    this.name = 'ApiClientError';
  }
}

interface RequestOptions {
  query?: Filters;
  json?: unknown;
  form?: Record<string, string>;
  signal?: AbortSignal;
  /** Return null instead of throwing on these statuses. */
  allow?: number[];
}

export class ApiClient {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly headers: Record<string, string>;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.headers = opts.headers ?? {};
  }

  // ---- users and auth -------------------------------------------------------------------------------

  /**
   * `POST /user/login` (form-encoded); stores the token on this client and returns it. `scope: 'admin'`
   * asks a superuser's short-lived admin-scope token; `expiresIn` (seconds) shortens the lifetime.
   */
  async login(username: string, password: string, opts: TokenOptions = {}): Promise<TokenResponse> {
    const form: Record<string, string> = { username, password };
    if (opts.scope) form.scope = opts.scope;
    if (opts.expiresIn) form.expires_in = String(opts.expiresIn);
    const res = await this.request<TokenResponse>('POST', '/user/login', { form });
    this.token = res.access_token;
    return res;
  }

  /** `POST /user/token`: another token for the caller (shorter, or admin scope for a superuser). */
  mintToken(opts: TokenOptions = {}): Promise<TokenResponse> {
    return this.request('POST', '/user/token', { json: { scope: opts.scope, expires_in: opts.expiresIn } });
  }

  /** `POST /user/logout`: revokes the token of this client. */
  async logout(): Promise<void> {
    await this.request('POST', '/user/logout');
  }

  /** `POST /user/{id}/revoke-tokens` (admin). */
  async revokeTokens(userId: string): Promise<void> {
    await this.request('POST', `/user/${enc(userId)}/revoke-tokens`);
  }

  whoami(): Promise<User> {
    return this.request('GET', '/whoami');
  }

  inviteUser(invite: InviteRequest): Promise<InviteResponse> {
    return this.request('POST', '/user/invite', { json: { return_token: true, ...invite } });
  }

  acceptInvite(token: string, password: string): Promise<User> {
    return this.request('POST', '/user/accept-invite', { json: { token, password } });
  }

  /** `POST /user/update-password` (form-encoded, authenticated by the current credentials). */
  updatePassword(username: string, password: string, newPassword: string): Promise<unknown> {
    return this.request('POST', '/user/update-password', {
      form: { username, password, new_password: newPassword },
    });
  }

  updateMe(update: UserProfileUpdate): Promise<User> {
    return this.request('PATCH', '/user/me', { json: update });
  }

  /** `GET /users`; filters `username`, `email`, `group`. */
  listUsers(filters: Filters = {}, page: PageOptions = {}): Promise<Page<User>> {
    return this.request('GET', '/users', { query: { ...filters, ...pageQuery(page) } });
  }

  getUser(id: string): Promise<User> {
    return this.request('GET', `/user/${enc(id)}`);
  }

  updateUser(id: string, update: UserAdminUpdate): Promise<User> {
    return this.request('PATCH', `/user/${enc(id)}`, { json: update });
  }

  async deleteUser(id: string): Promise<void> {
    await this.request('DELETE', `/user/${enc(id)}`);
  }

  listGroups(filters: Filters = {}, page: PageOptions = {}): Promise<Page<UserGroup>> {
    return this.request('GET', '/user-groups', { query: { ...filters, ...pageQuery(page) } });
  }

  createGroup(name: string): Promise<UserGroup> {
    return this.request('POST', '/user-groups', { json: { name } });
  }

  getGroup(id: string): Promise<UserGroup> {
    return this.request('GET', `/user-groups/${enc(id)}`);
  }

  async deleteGroup(id: string): Promise<void> {
    await this.request('DELETE', `/user-groups/${enc(id)}`);
  }

  // ---- nodes ------------------------------------------------------------------------------------------

  /** `GET /node/{id}`; the API answers `null` for an unknown id (as upstream), turned here into a 404 error. */
  async getNode(id: string): Promise<Node> {
    const node = await this.request<Node | null>('GET', `/node/${enc(id)}`);
    if (node === null) throw new ApiClientError(404, `node ${id} not found`, 'GET', `/node/${id}`);
    return node;
  }

  findNodes(filters: Filters = {}, page: PageOptions = {}): Promise<Page<Node>> {
    return this.request('GET', '/nodes', { query: { ...filters, ...pageQuery(page) } });
  }

  findNodesFast(filters: Filters = {}, page: PageOptions = {}): Promise<Node[]> {
    return this.request('GET', '/nodes/fast', { query: { ...filters, ...pageQuery(page) } });
  }

  async countNodes(filters: Filters = {}): Promise<number> {
    return Number(await this.request<number>('GET', '/count', { query: filters }));
  }

  /** Every node matching the filters, page by page (in id order, so pages neither overlap nor skip). */
  async *iterateNodes(filters: Filters = {}, pageSize = 500): AsyncGenerator<Node> {
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.findNodes(filters, { limit: pageSize, offset, sort: 'id' });
      yield* page.items;
      if (page.items.length < pageSize || offset + page.items.length >= page.total) return;
    }
  }

  createNode(node: NodeInput, opts: { noevent?: boolean } = {}): Promise<Node> {
    return this.request('POST', '/node', { json: node, query: noevent(opts) });
  }

  replaceNode(id: string, node: NodeInput, opts: { noevent?: boolean } = {}): Promise<Node> {
    return this.request('PUT', `/node/${enc(id)}`, { json: node, query: noevent(opts) });
  }

  patchNode(id: string, patch: NodePatch, opts: { noevent?: boolean } = {}): Promise<Node> {
    return this.request('PATCH', `/node/${enc(id)}`, { json: patch, query: noevent(opts) });
  }

  /** `PUT /nodes/{rootId}`: create/update a hierarchy under an existing root. */
  submitHierarchy(rootId: string, tree: NodeTreeInput, opts: { noevent?: boolean } = {}): Promise<Node[]> {
    return this.request('PUT', `/nodes/${enc(rootId)}`, { json: tree, query: noevent(opts) });
  }

  /** `PUT /batch/nodeset`. */
  setNodesField(ids: string[], field: 'processed_by_kcidb_bridge', value: boolean): Promise<unknown> {
    return this.request('PUT', '/batch/nodeset', { json: { nodes: ids, field, value } });
  }

  // ---- events -----------------------------------------------------------------------------------------

  subscribe(channel: string, opts: { promisc?: boolean; subscriberId?: string } = {}): Promise<Subscription> {
    return this.request('POST', `/subscribe/${enc(channel)}`, {
      query: { promisc: opts.promisc ? true : undefined, subscriber_id: opts.subscriberId },
    });
  }

  /** Ends a subscription; `ack` acknowledges up to that sequence id first (durable subscriptions). */
  async unsubscribe(subId: string | number, opts: { ack?: number } = {}): Promise<void> {
    await this.request('POST', `/unsubscribe/${enc(String(subId))}`, { query: { ack: opts.ack } });
  }

  /**
   * `GET /listen/{sub_id}`: long-polls the next message (acknowledging the previous one). A wait that ends
   * without an event answers upstream's keep-alive: a CloudEvent whose data is "BEEP", with no sequence id.
   */
  listen(subId: string | number, opts: ListenOptions = {}): Promise<ListenMessage> {
    return this.request('GET', `/listen/${enc(String(subId))}`, {
      query: { wait: opts.wait, ack: opts.ack },
      signal: opts.signal,
    });
  }

  /** The next event of a subscription with its CloudEvent decoded, or null when the wait ended first. */
  async receive<D = Record<string, unknown>>(
    subId: string | number,
    opts: ListenOptions = {},
  ): Promise<CloudEvent<D> | null> {
    return listenedEvent<D>(await this.listen(subId, opts));
  }

  /** `GET /stats/subscriptions` (admin): the active subscriptions. */
  subscriptionStats(): Promise<SubscriptionStats[]> {
    return this.request('GET', '/stats/subscriptions');
  }

  publish(channel: string, event: PublishRequest): Promise<Published> {
    return this.request('POST', `/publish/${enc(channel)}`, { json: event });
  }

  /** `POST /queue/{queue}`: opens a queue (yours, or with `shared` an admin's shared one). */
  openQueue(queue: string, address: QueueAddress = {}): Promise<QueueInfo> {
    return this.request('POST', `/queue/${enc(queue)}`, { query: addressQuery(address) });
  }

  /** `DELETE /queue/{queue}`: closes a queue, dropping what is left in it. */
  closeQueue(queue: string, address: QueueAddress = {}): Promise<{ name: string; dropped: number }> {
    return this.request('DELETE', `/queue/${enc(queue)}`, { query: addressQuery(address) });
  }

  listQueues(): Promise<QueueInfo[]> {
    return this.request('GET', '/queues');
  }

  /** `POST /push/{queue}` onto an open queue. */
  push(queue: string, item: PublishRequest, address: QueueAddress = {}): Promise<{ id: string }> {
    return this.request('POST', `/push/${enc(queue)}`, { json: item, query: addressQuery(address) });
  }

  /**
   * `GET /pop/{queue}`: the next item, or null when none came within `wait` seconds (default 0). With
   * `ack: 'explicit'` the item carries a `receipt` to acknowledge with `ackQueueItem`; unacknowledged items
   * are delivered again. The server's default is upstream's: popping removes the item.
   */
  pop<D = unknown>(
    queue: string,
    opts: PopOptions = {},
  ): Promise<(CloudEvent<D> & { receipt?: string }) | null> {
    return this.request('GET', `/pop/${enc(queue)}`, {
      query: { ...addressQuery(opts), wait: opts.wait ?? 0, ack: opts.ack },
      signal: opts.signal,
      allow: [204],
    });
  }

  async ackQueueItem(queue: string, receipt: string, address: QueueAddress = {}): Promise<void> {
    await this.request('POST', `/queue/${enc(queue)}/ack/${enc(receipt)}`, { query: addressQuery(address) });
  }

  async releaseQueueItem(queue: string, receipt: string, address: QueueAddress = {}): Promise<void> {
    await this.request('POST', `/queue/${enc(queue)}/release/${enc(receipt)}`, {
      query: addressQuery(address),
    });
  }

  /** `GET /events`: the event history. */
  events(filters: Filters = {}, page: PageOptions = {}): Promise<EventRecord[]> {
    return this.request('GET', '/events', { query: { ...filters, ...pageQuery(page) } });
  }

  /**
   * `GET /events/stream?channel=&from=` as an async iterator of events (Server-Sent Events). Ends when
   * the server closes the stream or `signal` aborts.
   */
  async *streamEvents<D = Record<string, unknown>>(
    channel: string,
    opts: { from?: number; signal?: AbortSignal } = {},
  ): AsyncGenerator<CloudEvent<D>> {
    const path = `/events/stream${queryString({ channel, from: opts.from })}`;
    const res = await this.send('GET', path, { signal: opts.signal }, { accept: 'text/event-stream' });
    if (!res.body) return;
    try {
      for await (const msg of parseSse(res.body)) {
        if (msg.event !== 'message' && msg.event !== 'event') continue;
        const event = decodeEvent<D>(msg.data);
        if (event.sequence_id === undefined && msg.id !== undefined && /^\d+$/.test(msg.id)) {
          event.sequence_id = Number(msg.id);
        }
        yield event;
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
  }

  // ---- plumbing ---------------------------------------------------------------------------------------

  /** Any route: JSON in, JSON out, ApiClientError on a non-2xx answer. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, `${path}${queryString(opts.query)}`, opts);
    if (opts.allow?.includes(res.status)) return null as T;
    const text = await res.text();
    if (!text) return null as T;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json') || /^[[{"\d\-tfn]/.test(text)) {
      try {
        return JSON.parse(text) as T;
      } catch {
        // not JSON after all
      }
    }
    return text as T;
  }

  private async send(
    method: string,
    pathWithQuery: string,
    opts: RequestOptions,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...extraHeaders };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const url = `${this.baseUrl}${pathWithQuery}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ApiClientError(0, `cannot reach ${this.baseUrl}: ${reason}`, method, pathWithQuery);
    }
    if (!res.ok && !opts.allow?.includes(res.status)) {
      throw new ApiClientError(res.status, await errorDetail(res), method, pathWithQuery.split('?')[0]);
    }
    return res;
  }
}

/** The API's message from an error answer: `{detail}` (string or FastAPI-style list), else the body. */
async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { detail?: unknown; message?: unknown };
    const detail = body.detail ?? body.message;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail
        .map((d: { msg?: string; loc?: unknown[] }) =>
          d?.msg ? `${(d.loc ?? []).join('.')}: ${d.msg}` : JSON.stringify(d),
        )
        .join('; ');
    }
    if (detail !== undefined) return JSON.stringify(detail);
  } catch {
    // plain-text error
  }
  return text || res.statusText || `HTTP ${res.status}`;
}

/** The CloudEvent inside a listen message or an SSE `data:` line. */
/** Name of the CloudEvent attribute carrying the sequence number in `/listen` answers. */
export const LISTEN_SEQUENCE_ATTRIBUTE = '_sequence_id';

/**
 * The event of a `/listen` answer with `sequence_id` set from its CloudEvent, or null for a keep-alive
 * (a CloudEvent without a sequence number, whose data is "BEEP").
 */
export function listenedEvent<D = Record<string, unknown>>(msg: ListenMessage): CloudEvent<D> | null {
  if (typeof msg.data !== 'string') return null;
  const event = decodeEvent<D>(msg.data);
  const seq = event[LISTEN_SEQUENCE_ATTRIBUTE];
  if (typeof seq !== 'number') return null;
  delete event[LISTEN_SEQUENCE_ATTRIBUTE];
  event.sequence_id = seq;
  return event;
}

function decodeEvent<D>(json: string): CloudEvent<D> {
  try {
    return JSON.parse(json) as CloudEvent<D>;
  } catch {
    return { data: json as D };
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function addressQuery(address: QueueAddress): Filters {
  return { private: address.private ? true : undefined, owner: address.owner };
}

function noevent(opts: { noevent?: boolean }): Filters {
  return opts.noevent ? { noevent: true } : {};
}

function pageQuery(page: PageOptions): Filters {
  const sort = Array.isArray(page.sort) ? page.sort.join(',') : page.sort;
  return { limit: page.limit, offset: page.offset, sort };
}

/** `?a=1&b=x,y` from filters; undefined values are left out, arrays become comma lists. */
export function queryString(query: Filters | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(key, formatFilterValue(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function formatFilterValue(value: Exclude<Filters[string], undefined>): string {
  if (value === null) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
