// The shape of a route plugin, in its own module so route files and the registry do not import each other.
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context';

export type RoutePlugin = FastifyPluginAsync<{ ctx: ApiContext }>;
