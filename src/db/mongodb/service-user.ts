// Service users on MongoDB: an upsert keyed by username, groups added with $addToSet.
import { ObjectId, type Db } from 'mongodb';
import type { Actor } from '../nodes/types';
import { userCollections } from '../../users/collections';
import { isDuplicateKey } from '../../users/duplicate-key';
import { MongoGroupStore } from '../../users/groups';

/**
 * A service user (no password: it cannot log in) in the given groups, created when missing; its groups
 * are added (never removed). Returns the Actor internal writers pass to the node write path.
 */
export async function ensureMongoServiceUser(db: Db, username: string, groups: string[]): Promise<Actor> {
  const { users } = userCollections(db);
  await new MongoGroupStore(db).ensure(groups);
  const now = new Date();
  await users
    .updateOne(
      { username },
      {
        $setOnInsert: {
          _id: new ObjectId(),
          email: `${username}@service.invalid`,
          hashed_password: null,
          is_active: true,
          is_superuser: false,
          is_verified: true,
          token_generation: 0,
          is_service: true,
          created: now,
          updated: now,
        },
        $addToSet: { groups: { $each: groups } },
      },
      { upsert: true },
    )
    .catch((err) => {
      if (!isDuplicateKey(err)) throw err; // created concurrently: fine
    });
  const user = await users.findOne({ username });
  if (!user) throw new Error(`service user ${username} could not be created`);
  if (groups.some((g) => !user.groups.includes(g))) {
    await users.updateOne({ _id: user._id }, { $addToSet: { groups: { $each: groups } } });
    user.groups = [...new Set([...user.groups, ...groups])];
  }
  return {
    id: user._id.toHexString(),
    username: user.username,
    groups: user.groups,
    isSuperuser: user.is_superuser,
  };
}
