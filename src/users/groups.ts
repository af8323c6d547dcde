// User groups and membership housekeeping: a user asks to join (pending), an admin approves or rejects,
// a user may leave. Group names are immutable, so users and nodes refer to groups by name.
import { ObjectId, type Db, type Filter } from 'mongodb';
import { conflict, notFound } from '../errors';
import { isObjectId } from '../object-id';
import { NODES_COLLECTION } from '../db/nodes/document';
import { userCollections } from './collections';
import { isDuplicateKey } from './duplicate-key';
import type { TokenService } from './tokens';
import type { GroupDoc, GroupRequestDoc, GroupRequestState, UserDoc } from './types';

/** User groups and membership requests, on any storage backend. */
export interface GroupStore {
  list(
    filter: { name?: string },
    limit: number,
    offset: number,
  ): Promise<{ items: GroupDoc[]; total: number }>;
  create(name: string): Promise<GroupDoc>;
  ensure(names: string[]): Promise<void>;
  get(idOrName: string): Promise<GroupDoc>;
  delete(idOrName: string): Promise<void>;
  requestJoin(user: UserDoc, idOrName: string): Promise<{ request: GroupRequestDoc; created: boolean }>;
  leave(user: UserDoc, idOrName: string): Promise<UserDoc>;
  listRequests(
    filter: { state?: GroupRequestState; group?: string; userId?: ObjectId },
    limit: number,
    offset: number,
  ): Promise<{ items: GroupRequestDoc[]; total: number }>;
  decide(requestId: ObjectId, approve: boolean, decidedBy: string): Promise<GroupRequestDoc>;
}

export class MongoGroupStore implements GroupStore {
  private readonly c;

  constructor(
    private readonly db: Db,
    private readonly tokens?: TokenService,
  ) {
    this.c = userCollections(db);
  }

  async list(
    filter: { name?: string },
    limit: number,
    offset: number,
  ): Promise<{ items: GroupDoc[]; total: number }> {
    const query: Filter<GroupDoc> = filter.name !== undefined ? { name: filter.name } : {};
    const [items, total] = await Promise.all([
      this.c.groups.find(query).sort({ name: 1 }).skip(offset).limit(limit).toArray(),
      this.c.groups.countDocuments(query),
    ]);
    return { items, total };
  }

  async create(name: string): Promise<GroupDoc> {
    const doc: GroupDoc = { _id: new ObjectId(), name, created: new Date() };
    try {
      await this.c.groups.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`name: group "${name}" already exists`);
      throw err;
    }
    return doc;
  }

  /** Creates the groups that do not exist yet (service users, bootstrap). */
  async ensure(names: string[]): Promise<void> {
    for (const name of names) {
      await this.c.groups
        .updateOne(
          { name },
          { $setOnInsert: { _id: new ObjectId(), name, created: new Date() } },
          { upsert: true },
        )
        .catch((err) => {
          if (!isDuplicateKey(err)) throw err;
        });
    }
  }

  /** By 24-hex id or by name. */
  async get(idOrName: string): Promise<GroupDoc> {
    const query: Filter<GroupDoc> = isObjectId(idOrName)
      ? { $or: [{ _id: new ObjectId(idOrName) }, { name: idOrName }] }
      : { name: idOrName };
    const group = await this.c.groups.findOne(query);
    if (!group) throw notFound(`user group ${idOrName} not found`);
    return group;
  }

  /**
   * 409 while any user is a member or any node names the group in `user_groups` (deleting it would let a
   * later group of the same name inherit edit rights on those nodes).
   */
  async delete(idOrName: string): Promise<void> {
    const group = await this.get(idOrName);
    const [members, nodes] = await Promise.all([
      this.c.users.countDocuments({ groups: group.name }, { limit: 1 }),
      this.db.collection(NODES_COLLECTION).countDocuments({ user_groups: group.name }, { limit: 1 }),
    ]);
    if (members) throw conflict(`user group "${group.name}" is in use: users are members of it`);
    if (nodes) throw conflict(`user group "${group.name}" is in use: nodes list it in user_groups`);
    await this.c.groups.deleteOne({ _id: group._id });
    await this.c.requests.deleteMany({ group: group.name, state: 'pending' });
  }

  /** A pending join request; asking again returns the pending one. */
  async requestJoin(
    user: UserDoc,
    idOrName: string,
  ): Promise<{ request: GroupRequestDoc; created: boolean }> {
    const group = await this.get(idOrName);
    if (user.groups.includes(group.name)) throw conflict(`already a member of group "${group.name}"`);
    const pending = await this.c.requests.findOne({ user_id: user._id, group: group.name, state: 'pending' });
    if (pending) return { request: pending, created: false };
    const request: GroupRequestDoc = {
      _id: new ObjectId(),
      user_id: user._id,
      username: user.username,
      group: group.name,
      state: 'pending',
      created: new Date(),
      decided: null,
      decided_by: null,
    };
    await this.c.requests.insertOne(request);
    return { request, created: true };
  }

  async leave(user: UserDoc, idOrName: string): Promise<UserDoc> {
    const group = await this.get(idOrName);
    if (!user.groups.includes(group.name)) throw conflict(`not a member of group "${group.name}"`);
    const updated = await this.c.users.findOneAndUpdate(
      { _id: user._id },
      { $pull: { groups: group.name }, $set: { updated: new Date() } },
      { returnDocument: 'after' },
    );
    if (!updated) throw notFound('user not found');
    this.tokens?.forgetUser(user._id.toHexString());
    return updated;
  }

  async listRequests(
    filter: { state?: GroupRequestState; group?: string; userId?: ObjectId },
    limit: number,
    offset: number,
  ): Promise<{ items: GroupRequestDoc[]; total: number }> {
    const query: Filter<GroupRequestDoc> = {};
    if (filter.state) query.state = filter.state;
    if (filter.group) query.group = filter.group;
    if (filter.userId) query.user_id = filter.userId;
    const [items, total] = await Promise.all([
      this.c.requests.find(query).sort({ created: 1 }).skip(offset).limit(limit).toArray(),
      this.c.requests.countDocuments(query),
    ]);
    return { items, total };
  }

  /** Approve (adds the user to the group) or reject a pending request. */
  async decide(requestId: ObjectId, approve: boolean, decidedBy: string): Promise<GroupRequestDoc> {
    const state: GroupRequestState = approve ? 'approved' : 'rejected';
    const decided = await this.c.requests.findOneAndUpdate(
      { _id: requestId, state: 'pending' },
      { $set: { state, decided: new Date(), decided_by: decidedBy } },
      { returnDocument: 'after' },
    );
    if (!decided) {
      const existing = await this.c.requests.findOne({ _id: requestId });
      if (!existing) throw notFound(`group request ${requestId.toHexString()} not found`);
      throw conflict(`group request ${requestId.toHexString()} is already ${existing.state}`);
    }
    if (approve) {
      await this.get(decided.group); // still exists
      await this.c.users.updateOne(
        { _id: decided.user_id },
        { $addToSet: { groups: decided.group }, $set: { updated: new Date() } },
      );
      this.tokens?.forgetUser(decided.user_id.toHexString());
    }
    return decided;
  }
}
