// What the public API answers, as far as the dashboard reads it.

export interface Node {
  id: string;
  kind: string;
  name: string;
  path: string[];
  group: string | null;
  parent: string | null;
  state: string;
  result: string | null;
  artifacts: Record<string, string>;
  // Node data is free-form per kind (SPEC §2).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: Record<string, any>;
  created: string;
  updated: string;
  timeout: string | null;
  holdoff: string | null;
  owner: string;
  treeid: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface NodeEventData {
  op: 'created' | 'updated';
  id: string;
  kind: string;
  name: string;
  path: string[];
  state: string;
  result: string | null;
  previous_state?: string;
  previous_result?: string | null;
}

export interface EventRecord {
  id: string;
  sequence_id: number;
  channel: string;
  timestamp: string;
  data: NodeEventData;
}

export interface DashboardConfig {
  temporal_ui_url: string;
  temporal_namespace: string;
}
