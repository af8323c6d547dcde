// JSON schemas of the user, group and token routes (validation, serialisation and OpenAPI docs).

export const USERNAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$' } as const;
export const EMAIL = { type: 'string', format: 'email', maxLength: 254 } as const;
/** A new password: at least `minLength` characters (MAESTRO_PASSWORD_MIN_LENGTH), at most 256. */
export function newPassword(minLength: number) {
  return { type: 'string', minLength, maxLength: 256 } as const;
}
/** A one-time token (invite, password reset) with the new password it sets. */
export function tokenWithPassword(minLength: number) {
  return {
    type: 'object',
    required: ['token', 'password'],
    additionalProperties: false,
    properties: { token: { type: 'string', minLength: 1 }, password: newPassword(minLength) },
  } as const;
}
export const GROUP_NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$' } as const;
/** `admin`: a short-lived admin token; `user`: a superuser's token narrowed to ordinary powers. */
export const SCOPE = { type: 'string', enum: ['', 'admin', 'user'] } as const;

/** Keys in upstream's order (its e2e tests compare the key tuple); the serializer follows this order. */
export const USER = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    is_active: { type: 'boolean' },
    is_superuser: { type: 'boolean' },
    is_verified: { type: 'boolean' },
    username: { type: 'string' },
    groups: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
  },
} as const;

export const GROUP = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' } },
} as const;

export const GROUP_REQUEST = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    user_id: { type: 'string' },
    username: { type: 'string' },
    group: { type: 'string' },
    state: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
    created: { type: 'string' },
    decided: { type: ['string', 'null'] },
    decided_by: { type: ['string', 'null'] },
  },
} as const;

export const TOKEN = {
  type: 'object',
  properties: {
    access_token: { type: 'string' },
    token_type: { type: 'string' },
    expires_at: { type: 'string' },
    scope: { type: 'string' },
  },
} as const;
