// Shapes the API returns for users, groups, subscriptions and events (SPEC §3). Node shapes live in
// src/db/nodes/types.ts and user shapes in src/users/types.ts; both are re-exported here so clients import
// from one place (type-only: nothing of the server is loaded).
export type { Node, NodeInput, NodePatch, NodeTreeInput, Page } from '../db/nodes/types';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_at?: string;
  scope?: string;
}

export interface TokenOptions {
  /** `admin`: a superuser's admin-scope token, needed by admin-only routes. */
  scope?: string;
  /** Lifetime in seconds (capped by the server). */
  expiresIn?: number;
}

import type { PublicGroup, PublicUser } from '../users/types';

export type User = PublicUser;
export type UserGroup = PublicGroup;

export interface InviteRequest {
  username: string;
  email: string;
  groups?: string[];
  is_superuser?: boolean;
}

/** `POST /user/invite`: the created (unverified) user and its single-use invite token. */
export interface InviteResponse {
  user: User;
  token: string;
  invite_url: string;
  expires_at: string;
  email_sent?: boolean;
}

export interface UserProfileUpdate {
  username?: string;
  email?: string;
  password?: string;
}

/** Admin edits of another user. */
export interface UserAdminUpdate extends UserProfileUpdate {
  groups?: string[];
  is_superuser?: boolean;
  is_active?: boolean;
  is_verified?: boolean;
}

export interface Subscription {
  id: number;
  subscriber_id?: string | null;
  channel: string;
  user: string;
  promiscuous: boolean;
  [key: string]: unknown;
}

/**
 * `GET /listen/{sub_id}`: one message; `data` is the CloudEvent as a JSON string (upstream shape).
 * `type: "keep-alive"` (and `data: null`) when the wait ended without an event.
 */
export interface ListenMessage {
  type: 'message' | 'keep-alive' | string;
  channel: string;
  data: string | null;
  sequence_id?: number;
  [key: string]: unknown;
}

export interface ListenOptions {
  /** Longest wait in seconds (server default otherwise). */
  wait?: number;
  /** Acknowledge up to this sequence id instead of the previous delivery. */
  ack?: number;
  signal?: AbortSignal;
}

/** `POST /publish/{channel}` answer. */
export interface Published {
  id: string;
  sequence_id: number;
  channel: string;
}

/** Which queue a name means: the caller's own (default), the shared one, or (admins) another user's. */
export interface QueueAddress {
  shared?: boolean;
  owner?: string;
}

export interface PopOptions extends QueueAddress {
  /** Seconds to wait for an item (default 0). */
  wait?: number;
  /** `auto`: popping acknowledges (upstream); `explicit` (server default): ack with the receipt. */
  ack?: 'auto' | 'explicit';
  signal?: AbortSignal;
}

export interface QueueInfo {
  name: string;
  owner: string;
  shared: boolean;
  created: string;
  size?: number;
}

/** A CloudEvents 1.0 envelope as published on a channel. */
export interface CloudEvent<D = unknown> {
  specversion?: string;
  id?: string;
  source?: string;
  type?: string;
  time?: string;
  owner?: string;
  data: D;
  sequence_id?: number;
  [key: string]: unknown;
}

/** `POST /publish/{channel}` and `POST /push/{queue}` body. */
export interface PublishRequest {
  data: unknown;
  type?: string;
  source?: string;
  attributes?: Record<string, unknown>;
}

/** One entry of the event history (`GET /events`). */
export interface EventRecord {
  id?: string;
  owner?: string | null;
  sequence_id?: number;
  channel?: string;
  timestamp?: string;
  data: Record<string, unknown>;
  node?: unknown;
  [key: string]: unknown;
}

/** A value in a query filter: arrays become comma lists (for `__in` / `__nin`). */
export type FilterValue = string | number | boolean | null | Date | ReadonlyArray<string | number>;

/** Query filters in the API's syntax: `{ kind: 'test', 'data.arch': 'x86_64', created__gt: '…' }`. */
export type Filters = Record<string, FilterValue | undefined>;

export interface PageOptions {
  limit?: number;
  offset?: number;
  /** `-created` style fields. */
  sort?: string | string[];
}
