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
  /** Mail the invite (server default: yes, when it has a mail server). */
  send_email?: boolean;
  /** Answer the token and its URL (server default: no; this client asks for them). */
  return_token?: boolean;
  /** Invite a user again who has not accepted yet, instead of a 409. */
  resend_if_exists?: boolean;
}

/** `POST /user/invite` (upstream shape): the (unverified) user and its single-use invite token. */
export interface InviteResponse {
  user: User;
  email_sent: boolean;
  public_base_url: string;
  accept_invite_url: string;
  token: string;
  invite_url: string;
  expires_at: string;
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

/** `GET /stats/subscriptions`: one active subscription (upstream's keys). */
export interface SubscriptionStats {
  id: number;
  channel: string;
  user: string;
  created: string;
  last_poll: string | null;
}

/**
 * `GET /listen/{sub_id}`: one message `{type, channel, data, pattern}` (upstream shape); `data` is the
 * CloudEvent as a JSON string, with its sequence number in `_sequence_id`. A wait that ended without an
 * event answers a keep-alive CloudEvent whose data is "BEEP" (and which has no sequence number).
 */
export interface ListenMessage {
  type: 'message' | string;
  channel: string;
  data: string | null;
  pattern?: null;
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
  /** Your own queue of this name instead of the shared one (names are shared by default, as upstream). */
  private?: boolean;
  /** Accepted for older callers: queues are shared by default. */
  shared?: boolean;
  /** Another user's private queue (admins). */
  owner?: string;
}

export interface PopOptions extends QueueAddress {
  /** Seconds to wait for an item (default 0). */
  wait?: number;
  /** `auto` (server default): popping removes the item (upstream); `explicit`: ack with the receipt. */
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
