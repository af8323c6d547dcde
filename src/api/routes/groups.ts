// User groups (admin CRUD; listing for any user) and membership housekeeping: join requests that an
// admin approves or rejects, and leaving a group.
import type { GroupRequestState } from '../../users/types';
import { toPublicGroup, toPublicGroupRequest, toPublicUser } from '../../users/types';
import { parseObjectId } from '../../users/store';
import { hasAdminScope, requireAdmin, requireUser } from '../auth';
import { forbidden } from '../errors';
import { BEARER, ID_PARAMS, PAGE_QUERY_PROPS, page, type PageQuery } from '../schemas/common';
import { GROUP, GROUP_NAME, GROUP_REQUEST, USER } from '../schemas/users';
import type { RoutePlugin } from './plugin';

const GROUP_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: 'group id (24 hex) or name' } },
} as const;

export const groupRoutes: RoutePlugin = async (app, { ctx }) => {
  // Upstream's spellings (`/groups`, `/group/{id}`, `POST /group`, as kernelci-core's client calls them)
  // are served beside ours.
  for (const path of ['/user-groups', '/groups'])
    app.get<{ Querystring: PageQuery & { name?: string } }>(
      path,
      {
        schema: {
          summary: 'List user groups',
          tags: ['groups'],
          security: BEARER,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...PAGE_QUERY_PROPS, name: { type: 'string' } },
          },
          response: { 200: page(GROUP) },
        },
      },
      async (request) => {
        requireUser(request);
        const { limit, offset, name } = request.query;
        const { items, total } = await ctx.groups.list({ name }, limit, offset);
        return { items: items.map(toPublicGroup), total, limit, offset };
      },
    );

  app.post<{ Body: { name: string } }>(
    '/group',
    {
      schema: {
        summary: "Create a user group (admin; upstream's spelling: answers 200)",
        tags: ['groups'],
        security: BEARER,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: GROUP_NAME },
        },
        response: { 200: GROUP },
      },
    },
    async (request) => {
      requireAdmin(request);
      return toPublicGroup(await ctx.groups.create(request.body.name));
    },
  );

  app.post<{ Body: { name: string } }>(
    '/user-groups',
    {
      schema: {
        summary: 'Create a user group (admin)',
        tags: ['groups'],
        security: BEARER,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: GROUP_NAME },
        },
        response: { 201: GROUP },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      return reply.code(201).send(toPublicGroup(await ctx.groups.create(request.body.name)));
    },
  );

  for (const path of ['/user-groups/:id', '/group/:id'])
    app.get<{ Params: { id: string } }>(
      path,
      {
        schema: {
          summary: 'One user group',
          tags: ['groups'],
          security: BEARER,
          params: GROUP_PARAMS,
          response: { 200: GROUP },
        },
      },
      async (request) => {
        requireUser(request);
        return toPublicGroup(await ctx.groups.get(request.params.id));
      },
    );

  for (const path of ['/user-groups/:id', '/group/:id'])
    app.delete<{ Params: { id: string } }>(
      path,
      {
        schema: {
          summary: 'Delete a user group (admin); 409 while users are members or nodes list it',
          tags: ['groups'],
          security: BEARER,
          params: GROUP_PARAMS,
        },
      },
      async (request, reply) => {
        requireAdmin(request);
        await ctx.groups.delete(request.params.id);
        return reply.code(204).send();
      },
    );

  app.post<{ Params: { id: string } }>(
    '/user-groups/:id/join',
    {
      schema: {
        summary: 'Ask to join a group: a pending request until an admin approves or rejects it',
        tags: ['groups'],
        security: BEARER,
        params: GROUP_PARAMS,
        response: { 200: GROUP_REQUEST, 201: GROUP_REQUEST },
      },
    },
    async (request, reply) => {
      const user = await ctx.users.getOr404(requireUser(request).id);
      const { request: joinRequest, created } = await ctx.groups.requestJoin(user, request.params.id);
      return reply.code(created ? 201 : 200).send(toPublicGroupRequest(joinRequest));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/user-groups/:id/leave',
    {
      schema: {
        summary: 'Leave a group',
        tags: ['groups'],
        security: BEARER,
        params: GROUP_PARAMS,
        response: { 200: USER },
      },
    },
    async (request) => {
      const user = await ctx.users.getOr404(requireUser(request).id);
      return toPublicUser(await ctx.groups.leave(user, request.params.id));
    },
  );

  app.get<{ Querystring: PageQuery & { state?: GroupRequestState; group?: string; user_id?: string } }>(
    '/group-requests',
    {
      schema: {
        summary: 'Join requests: an admin-scope token sees all, anyone else only their own',
        tags: ['groups'],
        security: BEARER,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...PAGE_QUERY_PROPS,
            state: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
            group: { type: 'string' },
            user_id: ID_PARAMS.properties.id,
          },
        },
        response: { 200: page(GROUP_REQUEST) },
      },
    },
    async (request) => {
      const principal = requireUser(request);
      const { limit, offset, state, group, user_id } = request.query;
      const admin = hasAdminScope(principal);
      if (user_id && !admin && user_id !== principal.id)
        throw forbidden("user_id: only admins see other users' requests");
      const own = admin ? user_id : principal.id;
      const userId = own ? parseObjectId(own, 'user_id') : undefined;
      const { items, total } = await ctx.groups.listRequests({ state, group, userId }, limit, offset);
      return { items: items.map(toPublicGroupRequest), total, limit, offset };
    },
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/group-requests/:id/${action}`,
      {
        schema: {
          summary: `${approve ? 'Approve' : 'Reject'} a pending join request (admin)`,
          tags: ['groups'],
          security: BEARER,
          params: ID_PARAMS,
          response: { 200: GROUP_REQUEST },
        },
      },
      async (request) => {
        const admin = requireAdmin(request);
        const decided = await ctx.groups.decide(parseObjectId(request.params.id), approve, admin.username);
        return toPublicGroupRequest(decided);
      },
    );
  }
};
