// Every route plugin, registered once per API version prefix (/latest, /v0). Unprefixed paths are
// rewritten to /latest before routing (see ../versioning.ts).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { API_VERSIONS } from '../versioning';
import { accountRoutes } from './account';
import { dashboardRoutes } from './dashboard';
import { eventRoutes } from './events';
import { groupRoutes } from './groups';
import { inviteRoutes } from './invites';
import { kvRoutes } from './kv';
import { metaRoutes } from './meta';
import { nodeRoutes } from './nodes';
import type { RoutePlugin } from './plugin';
import { queueRoutes } from './queues';
import { telemetryRoutes } from './telemetry';
import { userRoutes } from './users';
import { webhookRoutes } from './webhook';

/** Add a route plugin here (one line) and it is served under every version prefix. */
export const ROUTE_PLUGINS: RoutePlugin[] = [
  metaRoutes,
  userRoutes,
  inviteRoutes,
  accountRoutes,
  groupRoutes,
  nodeRoutes,
  eventRoutes,
  queueRoutes,
  kvRoutes,
  telemetryRoutes,
  webhookRoutes,
  dashboardRoutes,
];

export async function registerRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  for (const version of API_VERSIONS) {
    await app.register(
      async (scope) => {
        for (const plugin of ROUTE_PLUGINS) await scope.register(plugin, { ctx });
      },
      { prefix: `/${version}` },
    );
  }
}
