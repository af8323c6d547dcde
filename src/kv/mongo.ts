// The key/value store on MongoDB: one document per (namespace, key), its id built from both.
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../users/duplicate-key';
import type { KvStore } from './store';

export const KV_COLLECTION = 'kv';

interface KvDoc {
  /** `<namespace>/<key>` (a namespace never contains "/": it is one URL path segment). */
  _id: string;
  namespace: string;
  key: string;
  value: string;
  updated: Date;
}

export class MongoKvStore implements KvStore {
  private readonly docs: Collection<KvDoc>;

  constructor(db: Db) {
    this.docs = db.collection<KvDoc>(KV_COLLECTION);
  }

  async get(namespace: string, key: string): Promise<string | null> {
    const doc = await this.docs.findOne({ _id: `${namespace}/${key}` });
    return doc ? doc.value : null;
  }

  async set(namespace: string, key: string, value: string): Promise<void> {
    const doc: KvDoc = { _id: `${namespace}/${key}`, namespace, key, value, updated: new Date() };
    try {
      await this.docs.replaceOne({ _id: doc._id }, doc, { upsert: true });
    } catch (err) {
      // Two first writes raced on the upsert: the key exists now, so replace it.
      if (!isDuplicateKey(err)) throw err;
      await this.docs.replaceOne({ _id: doc._id }, doc);
    }
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.docs.deleteOne({ _id: `${namespace}/${key}` });
  }
}
