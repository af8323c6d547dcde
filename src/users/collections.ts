// Collections of the users module and the indexes they need (registered in src/db/indexes.ts).
import type { Db, IndexDescription } from 'mongodb';
import type { GroupDoc, GroupRequestDoc, InviteDoc, UserDoc } from './types';

export const USERS = 'users';
export const USER_GROUPS = 'user_groups';
export const INVITES = 'user_invites';
export const GROUP_REQUESTS = 'group_requests';
export const REVOKED_TOKENS = 'revoked_tokens';
export const API_SECRETS = 'api_secrets';

export interface RevokedTokenDoc {
  /** The token's jti. */
  _id: string;
  user_id: string;
  /** When the token would have expired anyway; older entries are purged. */
  expires_at: Date;
}

export const USER_INDEXES: Record<string, IndexDescription[]> = {
  [USERS]: [
    { key: { username: 1 }, name: 'username_unique', unique: true },
    { key: { email: 1 }, name: 'email_unique', unique: true },
    { key: { groups: 1 }, name: 'groups' },
    { key: { is_superuser: 1 }, name: 'is_superuser' },
  ],
  [USER_GROUPS]: [{ key: { name: 1 }, name: 'name_unique', unique: true }],
  [INVITES]: [{ key: { user_id: 1 }, name: 'user_id' }],
  [GROUP_REQUESTS]: [
    { key: { state: 1, created: 1 }, name: 'state_created' },
    { key: { user_id: 1, group: 1 }, name: 'user_group' },
  ],
  [REVOKED_TOKENS]: [{ key: { expires_at: 1 }, name: 'expires_at' }],
};

export function userCollections(db: Db) {
  return {
    users: db.collection<UserDoc>(USERS),
    groups: db.collection<GroupDoc>(USER_GROUPS),
    invites: db.collection<InviteDoc>(INVITES),
    requests: db.collection<GroupRequestDoc>(GROUP_REQUESTS),
    revoked: db.collection<RevokedTokenDoc>(REVOKED_TOKENS),
    secrets: db.collection<{ _id: string; key: string; created: Date }>(API_SECRETS),
  };
}
