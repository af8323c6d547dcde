// JSON schemas every route family shares: ids, pages, the error body and the bearer security scheme.
import { OBJECT_ID_PATTERN } from '../../object-id';

export const OBJECT_ID = { type: 'string', pattern: OBJECT_ID_PATTERN } as const;

export const ID_PARAMS = {
  type: 'object',
  properties: { id: OBJECT_ID },
  required: ['id'],
} as const;

export const PAGE_QUERY_PROPS = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

export const DETAIL = { type: 'object', properties: { detail: { type: 'string' } } } as const;

export function page(items: object) {
  return {
    type: 'object',
    properties: {
      items: { type: 'array', items },
      total: { type: 'integer' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
    },
  } as const;
}

export interface PageQuery {
  limit: number;
  offset: number;
}

export const BEARER = [{ bearer: [] }];
