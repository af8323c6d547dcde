// Everything a route plugin needs, built once per API process and handed to every route plugin.
import type { Db } from 'mongodb';
import { startPendingEventRecovery } from '../db/nodes/pending-events';
import { nodeStoreOptions } from '../db/nodes/settings';
import { createNodeStore, type NodeStoreHandle } from '../db/nodes/store';
import { createEventBus, type EventBus } from '../events/bus';
import { componentLogger } from '../logger';
import type { Settings } from '../settings';
import { GroupStore } from '../users/groups';
import { UserStore } from '../users/store';
import { TokenService } from '../users/tokens';
import type { WebhookTarget } from '../webhook/target';

export interface ApiContext {
  db: Db;
  settings: Settings;
  users: UserStore;
  groups: GroupStore;
  tokens: TokenService;
  /** Pub/sub, queues and the event history. */
  events: EventBus;
  /** The node write path; its changes go to the event bus. */
  nodes: NodeStoreHandle;
  /** What POST /webhook/git starts; unset = the webhook is off (404). */
  webhook?: WebhookTarget;
  /** Run in reverse order when the server closes (stop background loops, flush). */
  cleanup: Array<() => Promise<void>>;
}

export async function createApiContext(db: Db, settings: Settings): Promise<ApiContext> {
  const log = componentLogger('api');
  const tokens = new TokenService(db, settings.secretKey, settings.authCacheMs);
  const events = createEventBus(db, settings, (err) => log.error({ err }, 'event bus'));
  const ctx: ApiContext = {
    db,
    settings,
    tokens,
    users: new UserStore(db, tokens),
    groups: new GroupStore(db, tokens),
    events,
    nodes: createNodeStore(db, events, {
      ...nodeStoreOptions(settings),
      onError: (err) => log.error({ err }, 'node write path'),
    }),
    cleanup: [],
  };
  ctx.cleanup.push(() => ctx.events.close());
  const stopNodeEventRecovery = startPendingEventRecovery(
    db,
    events,
    settings.nodeEventRecoveryInterval,
    (err) => log.error({ err }, 'node event recovery failed'),
  );
  ctx.cleanup.push(async () => {
    await stopNodeEventRecovery();
    await ctx.nodes.flush();
  });
  return ctx;
}
