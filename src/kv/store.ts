// A namespaced key/value store of short strings (upstream's `/kv/{namespace}/{key}`: pipeline services keep
// small state there, e.g. the last commit seen). Tiny on purpose, so each storage backend provides one:
// `mongo.ts` for MongoDB.

export interface KvStore {
  /** The value, or null when the key is not set. */
  get(namespace: string, key: string): Promise<string | null>;
  /** Sets (creates or replaces) the value. */
  set(namespace: string, key: string, value: string): Promise<void>;
  /** Removes the key; removing a key that is not set is not an error. */
  delete(namespace: string, key: string): Promise<void>;
}
