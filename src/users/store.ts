// Users: accounts, credentials and invites. Group names on a user must name existing groups.
import { createHash, randomBytes } from 'node:crypto';
import { ObjectId, type Db, type Filter } from 'mongodb';
import { invalid, conflict, notFound } from '../errors';
import { isObjectId } from '../object-id';
import { userCollections } from './collections';
import { duplicateKeyField, isDuplicateKey } from './duplicate-key';
import { hashPassword, verifyPassword } from './password';
import type { TokenService } from './tokens';
import type { UserDoc } from './types';

export interface NewUser {
  username: string;
  email: string;
  /** null: cannot log in (service users, pending invites). */
  password: string | null;
  groups?: string[];
  is_superuser?: boolean;
  is_verified?: boolean;
  is_active?: boolean;
  is_service?: boolean;
}

export interface UserUpdate {
  username?: string;
  email?: string;
  password?: string;
  groups?: string[];
  is_active?: boolean;
  is_superuser?: boolean;
  is_verified?: boolean;
}

export interface UserListFilter {
  username?: string;
  email?: string;
  group?: string;
}

export interface Invite {
  user: UserDoc;
  token: string;
  expires_at: Date;
}

export function parseObjectId(id: string, field = 'id'): ObjectId {
  if (!isObjectId(id)) throw invalid(`${field}: must be a 24-hex id, got "${id}"`);
  return new ObjectId(id);
}

/** Users: accounts, credentials and invites, on any storage backend. */
export interface UserStore {
  create(input: NewUser): Promise<UserDoc>;
  get(id: ObjectId): Promise<UserDoc | null>;
  getOr404(id: string): Promise<UserDoc>;
  findByUsername(username: string): Promise<UserDoc | null>;
  authenticate(login: string, password: string): Promise<UserDoc | null>;
  list(filter: UserListFilter, limit: number, offset: number): Promise<{ items: UserDoc[]; total: number }>;
  update(id: ObjectId, patch: UserUpdate): Promise<UserDoc>;
  delete(id: ObjectId): Promise<void>;
  invite(input: Omit<NewUser, 'password' | 'is_verified'>, lifetimeSeconds: number): Promise<Invite>;
  /** A new single-use invite token for an existing user (an invite sent again). */
  issueInvite(user: UserDoc, lifetimeSeconds: number): Promise<Invite>;
  peekInvite(token: string): Promise<{ user: UserDoc; expires_at: Date }>;
  acceptInvite(token: string, password: string): Promise<UserDoc>;
  setPassword(id: ObjectId, password: string): Promise<UserDoc>;
  revokeAllTokens(id: ObjectId): Promise<void>;
  countSuperusers(): Promise<number>;
  checkGroups(names: string[]): Promise<string[]>;
}

export const hashInviteToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class MongoUserStore implements UserStore {
  private readonly c;

  constructor(
    db: Db,
    private readonly tokens: TokenService,
  ) {
    this.c = userCollections(db);
  }

  async create(input: NewUser): Promise<UserDoc> {
    const groups = await this.checkGroups(input.groups ?? []);
    const now = new Date();
    const doc: UserDoc = {
      _id: new ObjectId(),
      username: input.username,
      email: input.email.toLowerCase(),
      hashed_password: input.password === null ? null : await hashPassword(input.password),
      is_active: input.is_active ?? true,
      is_superuser: input.is_superuser ?? false,
      is_verified: input.is_verified ?? false,
      groups,
      token_generation: 0,
      is_service: input.is_service ?? false,
      created: now,
      updated: now,
    };
    try {
      await this.c.users.insertOne(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const field = duplicateKeyField(err) ?? (await this.takenField(doc));
      throw conflict(`${field}: a user with this ${field} already exists`);
    }
    return doc;
  }

  get(id: ObjectId): Promise<UserDoc | null> {
    return this.c.users.findOne({ _id: id });
  }

  async getOr404(id: string): Promise<UserDoc> {
    const user = await this.get(parseObjectId(id));
    if (!user) throw notFound(`user ${id} not found`);
    return user;
  }

  findByUsername(username: string): Promise<UserDoc | null> {
    return this.c.users.findOne({ username });
  }

  /** The active user with these credentials (username or e-mail), or null. Constant work either way. */
  async authenticate(login: string, password: string): Promise<UserDoc | null> {
    const user =
      (await this.c.users.findOne({ username: login })) ??
      (login.includes('@') ? await this.c.users.findOne({ email: login.toLowerCase() }) : null);
    const ok = await verifyPassword(password, user?.hashed_password);
    return ok && user && user.is_active ? user : null;
  }

  async list(
    filter: UserListFilter,
    limit: number,
    offset: number,
  ): Promise<{ items: UserDoc[]; total: number }> {
    const query: Filter<UserDoc> = {};
    if (filter.username !== undefined) query.username = filter.username;
    if (filter.email !== undefined) query.email = filter.email.toLowerCase();
    if (filter.group !== undefined) query.groups = filter.group;
    const [items, total] = await Promise.all([
      this.c.users.find(query).sort({ _id: 1 }).skip(offset).limit(limit).toArray(),
      this.c.users.countDocuments(query),
    ]);
    return { items, total };
  }

  async update(id: ObjectId, patch: UserUpdate): Promise<UserDoc> {
    const set: Partial<UserDoc> = { updated: new Date() };
    if (patch.username !== undefined) set.username = patch.username;
    if (patch.email !== undefined) set.email = patch.email.toLowerCase();
    if (patch.is_active !== undefined) set.is_active = patch.is_active;
    if (patch.is_superuser !== undefined) set.is_superuser = patch.is_superuser;
    if (patch.is_verified !== undefined) set.is_verified = patch.is_verified;
    if (patch.groups !== undefined) set.groups = await this.checkGroups(patch.groups);
    if (patch.password !== undefined) set.hashed_password = await hashPassword(patch.password);
    if (patch.is_superuser === false || patch.is_active === false) await this.keepOneAdmin(id);
    try {
      const updated = await this.c.users.findOneAndUpdate(
        { _id: id },
        { $set: set, ...(patch.password !== undefined ? { $inc: { token_generation: 1 } } : {}) },
        { returnDocument: 'after' },
      );
      if (!updated) throw notFound(`user ${id.toHexString()} not found`);
      this.tokens.forgetUser(id.toHexString());
      return updated;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const field = duplicateKeyField(err) ?? (await this.takenField({ _id: id, ...set }));
      throw conflict(`body.${field}: a user with this ${field} already exists`);
    }
  }

  async delete(id: ObjectId): Promise<void> {
    await this.keepOneAdmin(id);
    const res = await this.c.users.deleteOne({ _id: id });
    if (!res.deletedCount) throw notFound(`user ${id.toHexString()} not found`);
    this.tokens.forgetUser(id.toHexString());
    await Promise.all([
      this.c.invites.deleteMany({ user_id: id }),
      this.c.requests.deleteMany({ user_id: id }),
    ]);
  }

  /** Creates an unverified user without a password and a single-use invite token for it. */
  async invite(input: Omit<NewUser, 'password' | 'is_verified'>, lifetimeSeconds: number): Promise<Invite> {
    const user = await this.create({ ...input, password: null, is_verified: false });
    return this.issueInvite(user, lifetimeSeconds);
  }

  /** A new single-use invite token for an existing user (an invite sent again). */
  async issueInvite(user: UserDoc, lifetimeSeconds: number): Promise<Invite> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expires_at = new Date(now.getTime() + lifetimeSeconds * 1000);
    await this.c.invites.insertOne({
      _id: hashInviteToken(token),
      user_id: user._id,
      expires_at,
      used_at: null,
      created: now,
    });
    return { user, token, expires_at };
  }

  /** The user an unused, unexpired invite token is for (the token is not consumed). */
  async peekInvite(token: string): Promise<{ user: UserDoc; expires_at: Date }> {
    const invite = await this.c.invites.findOne({
      _id: hashInviteToken(token),
      used_at: null,
      expires_at: { $gt: new Date() },
    });
    const user = invite ? await this.get(invite.user_id) : null;
    if (!invite || !user) throw invalid('token: invalid, expired or already used invite token');
    return { user, expires_at: invite.expires_at };
  }

  /** Consumes the invite atomically (single use), sets the password and marks the user verified. */
  async acceptInvite(token: string, password: string): Promise<UserDoc> {
    const now = new Date();
    const invite = await this.c.invites.findOneAndUpdate(
      { _id: hashInviteToken(token), used_at: null, expires_at: { $gt: now } },
      { $set: { used_at: now } },
    );
    if (!invite) throw invalid('token: invalid, expired or already used invite token');
    const user = await this.c.users.findOneAndUpdate(
      { _id: invite.user_id },
      { $set: { hashed_password: await hashPassword(password), is_verified: true, updated: now } },
      { returnDocument: 'after' },
    );
    if (!user) throw invalid('token: the invited user no longer exists');
    return user;
  }

  /** Changing a password cuts off every token issued before. */
  async setPassword(id: ObjectId, password: string): Promise<UserDoc> {
    return this.update(id, { password });
  }

  revokeAllTokens(id: ObjectId): Promise<void> {
    return this.tokens.revokeAll(id);
  }

  countSuperusers(): Promise<number> {
    return this.c.users.countDocuments({ is_superuser: true, is_active: true });
  }

  /** Unknown group names are a 400 naming the group; returns the de-duplicated list. */
  async checkGroups(names: string[]): Promise<string[]> {
    const unique = [...new Set(names)];
    if (!unique.length) return unique;
    const found = await this.c.groups.find({ name: { $in: unique } }, { projection: { name: 1 } }).toArray();
    const known = new Set(found.map((g) => g.name));
    const missing = unique.filter((n) => !known.has(n));
    if (missing.length) throw invalid(`groups: unknown group ${missing.map((m) => `"${m}"`).join(', ')}`);
    return unique;
  }

  /** Which unique field of `doc` another user already holds. */
  private async takenField(doc: Partial<UserDoc> & { _id: ObjectId }): Promise<string> {
    if (
      doc.username !== undefined &&
      (await this.c.users.findOne({ username: doc.username, _id: { $ne: doc._id } }))
    ) {
      return 'username';
    }
    return 'email';
  }

  /** Refuses to remove, demote or deactivate the last active superuser (nobody could administer). */
  private async keepOneAdmin(id: ObjectId): Promise<void> {
    const user = await this.get(id);
    if (!user?.is_superuser || !user.is_active) return;
    if ((await this.countSuperusers()) <= 1)
      throw conflict(`user ${user.username} is the last active superuser`);
  }
}
