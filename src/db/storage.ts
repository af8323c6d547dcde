// The one storage interface: everything the system persists goes through a Storage, whose backend is
// PostgreSQL (the default, ./postgres) or MongoDB (`MONGODB_URI`, ./mongodb). Processes open one with
// openStorage(); nothing outside the backends knows which one it is talking to.
import type { EventBusSettings, EventBus } from '../events/bus';
import type { Actor } from './nodes/types';
import type { NodeStoreHandle, NodeStoreOptions } from './nodes/store';
import type { GroupStore } from '../users/groups';
import type { UserStore } from '../users/store';
import type { TokenService, TokenStorage } from '../users/tokens';
import type { KvStore } from '../kv/store';
import type { DeliveryLog } from '../mail/deliveries';
import type { TelemetryStore } from '../telemetry/store';
import type { ResetTokenStore } from '../users/password-reset';

export type StorageKind = 'postgres' | 'mongodb';

export interface NodeStoreSettings extends NodeStoreOptions {
  /** CloudEvents `source` of node events. */
  eventSource: string;
  /** How often undelivered node events are re-delivered (MongoDB backend only), ms. */
  nodeEventRecoveryInterval: number;
  /** Statement timeout of filter queries (PostgreSQL backend), ms. */
  queryTimeoutMs: number;
}

export interface Storage {
  readonly kind: StorageKind;
  /** Where the data lives, for messages (`postgres://…/maestro`, `mongodb://…/maestro`). */
  readonly location: string;
  /** The database name (CLI messages). */
  readonly databaseName: string;
  /** Token checks' reads and writes. */
  readonly tokenStorage: TokenStorage;
  /** Upstream's `/kv/{namespace}/{key}`. */
  readonly kv: KvStore;
  /** Records posted to `/telemetry`. */
  readonly telemetry: TelemetryStore;
  /** Single-use password-reset tokens (hashed). */
  readonly resetTokens: ResetTokenStore;
  /** Which mails and reports were sent (sent once). */
  readonly deliveries: DeliveryLog;

  /** Schema migrations (PostgreSQL) or indexes (MongoDB); idempotent, safe in parallel processes. */
  prepare(): Promise<void>;
  /**
   * The node write path. With a bus, node events are published through it (and wake its listeners);
   * without, they are published without the subscriber machinery (pipeline workers).
   */
  createNodeStore(settings: NodeStoreSettings, bus?: EventBus): NodeStoreHandle & { close(): Promise<void> };
  /** The full event bus of an API process (feed, subscriptions, queues, history). */
  createEventBus(settings: EventBusSettings, onError?: (err: unknown) => void): EventBus;
  createUserStore(tokens: TokenService): UserStore;
  createGroupStore(tokens?: TokenService): GroupStore;
  /** A service user (cannot log in) in at least these groups, created when missing. */
  ensureServiceUser(username: string, groups: string[]): Promise<Actor>;
  hasActiveSuperuser(): Promise<boolean>;
  /** Writes a probe and reads it back (worker ↔ database plumbing). */
  healthProbe(probeId: string): Promise<{ probeId: string; storedAt: string }>;
  /** Row or document count per table/collection (tests: "nothing was written"). */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
