// The public HTTP API as the dashboard reads it: one-page node queries (always with a limit), counts,
// the event history and the dashboard's own settings. Nothing here ever asks for "all nodes".
import { apiBase } from './routes';
import type { DashboardConfig, EventRecord, Node, Page } from './types';

export type { DashboardConfig, EventRecord, Node, NodeEventData, Page } from './types';

export type Filters = Record<string, string | number | undefined>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const BASE = apiBase(location.pathname);

function query(filters: Filters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`${BASE}${path}`, { signal, headers: { accept: 'application/json' } });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below by status
  }
  if (!res.ok) {
    const detail = (body as { detail?: unknown } | null)?.detail;
    throw new ApiError(res.status, typeof detail === 'string' ? detail : `${res.status} ${res.statusText}`);
  }
  return body as T;
}

export interface PageOptions {
  limit: number;
  offset?: number;
  sort?: string;
}

export const api = {
  /** One node, or null when unknown (404 here, 200 `null` upstream: both mean "no such node"). */
  async node(id: string, signal?: AbortSignal): Promise<Node | null> {
    try {
      return await getJson<Node | null>(`/node/${encodeURIComponent(id)}`, signal);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },

  nodes(filters: Filters, page: PageOptions, signal?: AbortSignal): Promise<Page<Node>> {
    return getJson(`/nodes${query({ ...filters, ...page })}`, signal);
  },

  /** A plain list (no total): for id look-ups of live updates. */
  nodesFast(filters: Filters, page: PageOptions, signal?: AbortSignal): Promise<Node[]> {
    return getJson(`/nodes/fast${query({ ...filters, ...page })}`, signal);
  },

  count(filters: Filters, signal?: AbortSignal): Promise<number> {
    return getJson(`/count${query(filters)}`, signal);
  },

  /** Event history of one node, oldest first (the API may answer a list or a page). */
  async nodeEvents(nodeId: string, signal?: AbortSignal): Promise<EventRecord[]> {
    const body = await getJson<EventRecord[] | { items: EventRecord[] }>(
      `/events${query({ node_id: nodeId, channel: 'node', limit: 200 })}`,
      signal,
    );
    return Array.isArray(body) ? body : body.items;
  },

  async config(): Promise<DashboardConfig> {
    const res = await fetch('./config.json');
    if (!res.ok) throw new ApiError(res.status, 'dashboard settings unavailable');
    return (await res.json()) as DashboardConfig;
  },

  streamUrl(): string {
    return `${BASE}/events/stream?channel=node`;
  },
};

/** Runs `task`s at most `limit` at a time (counts of many rows must not flood one origin's connections). */
export function limiter(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
