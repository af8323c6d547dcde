// Unique-index violations look different per backend: MongoDB (and FerretDB inserts) answer code 11000,
// FerretDB's SQLite backend answers a generic error naming the index on updates and upserts.

const SQLITE_UNIQUE = /UNIQUE constraint failed: index '[^']*?_(\w+)_unique'/;

export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: string } | null;
  return e?.code === 11000 || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/** The field of a `<field>_unique` index violation, when the error says which (FerretDB inserts do not). */
export function duplicateKeyField(err: unknown): string | null {
  if (!isDuplicateKey(err)) return null;
  const e = err as { message?: string; keyPattern?: object; keyValue?: object };
  const sqlite = SQLITE_UNIQUE.exec(e.message ?? '');
  if (sqlite) return sqlite[1];
  return Object.keys(e.keyPattern ?? e.keyValue ?? {})[0] ?? null;
}
