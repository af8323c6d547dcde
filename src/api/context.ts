// Everything a route plugin needs, built once per API process and handed to every route plugin.
import { nodeStoreSettings } from '../db/open';
import type { NodeStoreHandle } from '../db/nodes/store';
import type { Storage } from '../db/storage';
import type { EventBus } from '../events/bus';
import type { QueueStorage } from '../events/backend';
import type { Settings } from '../settings';
import type { GroupStore } from '../users/groups';
import type { UserStore } from '../users/store';
import { TokenService } from '../users/tokens';
import type { WebhookTarget } from '../webhook/target';

export interface ApiContext {
  storage: Storage;
  settings: Settings;
  users: UserStore;
  groups: GroupStore;
  tokens: TokenService;
  /** Pub/sub, subscriptions and the event history. */
  events: EventBus;
  /** Unicast queues (push/pop). */
  queues: QueueStorage;
  /** The node write path; its changes are published as events. */
  nodes: NodeStoreHandle;
  /** What POST /webhook/git starts; unset = the webhook is off (404). */
  webhook?: WebhookTarget;
  /** Run in reverse order when the server closes (stop background loops, flush). */
  cleanup: Array<() => Promise<void>>;
}

export async function createApiContext(storage: Storage, settings: Settings): Promise<ApiContext> {
  const tokens = new TokenService(storage.tokenStorage, settings.secretKey, settings.authCacheMs);
  const events = storage.createEventBus(settings);
  const nodes = storage.createNodeStore(nodeStoreSettings(settings), events);
  const ctx: ApiContext = {
    storage,
    settings,
    tokens,
    users: storage.createUserStore(tokens),
    groups: storage.createGroupStore(tokens),
    events,
    queues: events.queues,
    nodes,
    cleanup: [],
  };
  ctx.cleanup.push(() => ctx.events.close());
  ctx.cleanup.push(() => nodes.close());
  return ctx;
}
