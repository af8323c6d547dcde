// Node routes (SPEC §3): reads are public, writes go through the one node write path (ctx.nodes) as the
// calling user. Query strings of list routes are parsed by the node filter parser, not by Ajv, so that
// `data.*` paths and `field__op` names work and nothing reaches the database as an operator.
import type { FastifyRequest } from 'fastify';
import { parseNodeQuery } from '../../db/nodes/filters';
import type { NodeInput, NodePatch, NodeTreeInput } from '../../db/nodes/types';
import { requireUser, toActor } from '../auth';
import {
  BATCH_NODESET_BODY,
  NODE,
  NODE_CREATE_BODY,
  NODE_FILTER_QUERY,
  NODE_ID_PARAMS,
  NODE_LIST,
  NODE_PAGE,
  NODE_PATCH_BODY,
  NODE_REPLACE_BODY,
  NODE_TREE_BODY,
  NOEVENT_QUERY,
} from '../schemas/nodes';
import { BEARER } from '../schemas/common';
import type { RoutePlugin } from './plugin';

const rawQuery = (request: FastifyRequest) => {
  const i = request.url.indexOf('?');
  return i < 0 ? '' : request.url.slice(i + 1);
};

type IdParams = { Params: { id: string } };
type Noevent = { Querystring: { noevent?: boolean } };

export const nodeRoutes: RoutePlugin = async (app, { ctx }) => {
  const nodes = ctx.nodes;

  app.get<IdParams>(
    '/node/:id',
    {
      schema: {
        summary: 'One node; an unknown id answers 200 null, as upstream (clients test `if not node`)',
        tags: ['nodes'],
        params: NODE_ID_PARAMS,
        response: { 200: { anyOf: [NODE, { type: 'null' }] } },
      },
    },
    async (request, reply) => {
      const node = await nodes.get(request.params.id);
      // A null body must be sent as JSON text, not as an empty reply.
      if (!node) return reply.type('application/json').send('null');
      return node;
    },
  );

  app.get(
    '/nodes',
    {
      schema: {
        summary: 'Nodes matching the filters, one page with the total',
        tags: ['nodes'],
        querystring: NODE_FILTER_QUERY,
        response: { 200: NODE_PAGE },
      },
    },
    async (request) => {
      const { query, options } = parseNodeQuery(rawQuery(request));
      return nodes.find(query, options);
    },
  );

  app.get(
    '/nodes/fast',
    {
      schema: {
        summary: 'Nodes matching the filters, as a plain list (no total)',
        tags: ['nodes'],
        querystring: NODE_FILTER_QUERY,
        response: { 200: NODE_LIST },
      },
    },
    async (request) => {
      const { query, options } = parseNodeQuery(rawQuery(request));
      return nodes.findFast(query, options);
    },
  );

  app.get(
    '/count',
    {
      schema: {
        summary: 'How many nodes match the filters',
        tags: ['nodes'],
        querystring: NODE_FILTER_QUERY,
        response: { 200: { type: 'integer' } },
      },
    },
    async (request) => {
      const { query } = parseNodeQuery(rawQuery(request));
      return nodes.count(query);
    },
  );

  app.post<{ Body: NodeInput } & Noevent>(
    '/node',
    {
      schema: {
        summary: 'Create a node (owner := caller; the parent must exist)',
        tags: ['nodes'],
        security: BEARER,
        querystring: NOEVENT_QUERY,
        body: NODE_CREATE_BODY,
        // 200 as upstream KernelCI, which existing clients expect.
        response: { 200: NODE },
      },
    },
    async (request) => {
      const actor = toActor(requireUser(request));
      return nodes.create(actor, request.body, { noevent: request.query.noevent === true });
    },
  );

  app.put<IdParams & { Body: NodeInput } & Noevent>(
    '/node/:id',
    {
      schema: {
        summary: 'Replace a node (owner, submitter, user_groups, parent immutable; state transition checked)',
        tags: ['nodes'],
        security: BEARER,
        params: NODE_ID_PARAMS,
        querystring: NOEVENT_QUERY,
        body: NODE_REPLACE_BODY,
        response: { 200: NODE },
      },
    },
    async (request) => {
      const actor = toActor(requireUser(request));
      return nodes.replace(actor, request.params.id, request.body, {
        noevent: request.query.noevent === true,
      });
    },
  );

  app.patch<IdParams & { Body: NodePatch } & Noevent>(
    '/node/:id',
    {
      schema: {
        summary: 'Change some fields of a node (data is merged key by key)',
        tags: ['nodes'],
        security: BEARER,
        params: NODE_ID_PARAMS,
        querystring: NOEVENT_QUERY,
        body: NODE_PATCH_BODY,
        response: { 200: NODE },
      },
    },
    async (request) => {
      const actor = toActor(requireUser(request));
      return nodes.update(actor, request.params.id, request.body, {
        noevent: request.query.noevent === true,
      });
    },
  );

  app.put<IdParams & { Body: NodeTreeInput } & Noevent>(
    '/nodes/:id',
    {
      schema: {
        summary:
          'Submit a hierarchy under an existing root (retry-safe: children are matched by parent and name)',
        tags: ['nodes'],
        security: BEARER,
        params: NODE_ID_PARAMS,
        querystring: NOEVENT_QUERY,
        body: NODE_TREE_BODY,
        response: { 200: NODE_LIST },
      },
    },
    async (request) => {
      const actor = toActor(requireUser(request));
      return nodes.submitHierarchy(actor, request.params.id, request.body, {
        noevent: request.query.noevent === true,
      });
    },
  );

  app.put<{ Body: { nodes: string[]; field: 'processed_by_kcidb_bridge'; value: boolean | string } }>(
    '/batch/nodeset',
    {
      schema: {
        summary:
          'Set processed_by_kcidb_bridge on many nodes; answers how many were updated (others are skipped)',
        tags: ['nodes'],
        security: BEARER,
        body: BATCH_NODESET_BODY,
        response: { 200: { type: 'integer' } },
      },
    },
    async (request) => {
      const actor = toActor(requireUser(request));
      const { nodes: ids, field, value } = request.body;
      const flag = typeof value === 'boolean' ? value : value.toLowerCase() === 'true';
      return nodes.setField(actor, ids, field, flag);
    },
  );
};
