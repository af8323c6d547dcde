// Everything a route plugin needs, built once per API process and handed to every route plugin.
import type { Db } from 'mongodb';
import { createEventBus, type EventBus } from '../events/bus';
import type { Settings } from '../settings';
import { GroupStore } from '../users/groups';
import { UserStore } from '../users/store';
import { TokenService } from '../users/tokens';

export interface ApiContext {
  db: Db;
  settings: Settings;
  users: UserStore;
  groups: GroupStore;
  tokens: TokenService;
  // Owners add their stores here, e.g.:
  //   nodes: NodeStore;   (src/db/nodes/store.ts)
  //   events: EventBus;   (src/events/bus.ts)
  events: EventBus;
  /** Run in reverse order when the server closes (stop background loops, flush). */
  cleanup: Array<() => Promise<void>>;
}

export async function createApiContext(db: Db, settings: Settings): Promise<ApiContext> {
  const tokens = new TokenService(db, settings.secretKey, settings.authCacheMs);
  const ctx: ApiContext = {
    db,
    settings,
    tokens,
    users: new UserStore(db, tokens),
    groups: new GroupStore(db, tokens),
    events: createEventBus(db, settings),
    cleanup: [],
  };
  ctx.cleanup.push(() => ctx.events.close());
  // Owners construct their parts here, e.g.:
  //   ctx.events = createEventBus(db, settings); ctx.cleanup.push(() => ctx.events.close());
  //   ctx.nodes = createNodeStore(db, ctx.events);
  return ctx;
}
