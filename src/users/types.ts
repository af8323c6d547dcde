// Stored documents and public JSON shapes of users, groups, invites and group membership requests.
import type { ObjectId } from 'mongodb';

export interface UserDoc {
  _id: ObjectId;
  username: string;
  email: string;
  /** null for service users and invited users who have not accepted yet: they cannot log in. */
  hashed_password: string | null;
  is_active: boolean;
  is_superuser: boolean;
  is_verified: boolean;
  /** Group names. */
  groups: string[];
  /** Bumped to cut off every token issued before (admin revoke, password change). */
  token_generation: number;
  /** Internal writer (pipeline, lab worker), not a person. */
  is_service: boolean;
  created: Date;
  updated: Date;
}

/** What `/whoami`, `/users` and `/user/{id}` return (KernelCI shape). */
export interface PublicUser {
  id: string;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  is_verified: boolean;
  groups: { name: string }[];
}

export interface GroupDoc {
  _id: ObjectId;
  name: string;
  created: Date;
}

export interface PublicGroup {
  id: string;
  name: string;
}

export interface InviteDoc {
  /** sha256 of the invite token: the token itself is never stored. */
  _id: string;
  user_id: ObjectId;
  expires_at: Date;
  used_at: Date | null;
  created: Date;
}

export type GroupRequestState = 'pending' | 'approved' | 'rejected';

export interface GroupRequestDoc {
  _id: ObjectId;
  user_id: ObjectId;
  username: string;
  group: string;
  state: GroupRequestState;
  created: Date;
  decided: Date | null;
  decided_by: string | null;
}

export interface PublicGroupRequest {
  id: string;
  user_id: string;
  username: string;
  group: string;
  state: GroupRequestState;
  created: string;
  decided: string | null;
  decided_by: string | null;
}

export function toPublicUser(u: UserDoc): PublicUser {
  return {
    id: u._id.toHexString(),
    username: u.username,
    email: u.email,
    is_active: u.is_active,
    is_superuser: u.is_superuser,
    is_verified: u.is_verified,
    groups: u.groups.map((name) => ({ name })),
  };
}

export function toPublicGroup(g: GroupDoc): PublicGroup {
  return { id: g._id.toHexString(), name: g.name };
}

export function toPublicGroupRequest(r: GroupRequestDoc): PublicGroupRequest {
  return {
    id: r._id.toHexString(),
    user_id: r.user_id.toHexString(),
    username: r.username,
    group: r.group,
    state: r.state,
    created: r.created.toISOString(),
    decided: r.decided ? r.decided.toISOString() : null,
    decided_by: r.decided_by,
  };
}
