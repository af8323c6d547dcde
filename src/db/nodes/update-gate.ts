// FerretDB 1.24 (SQLite) can hang for good when many update commands run at once next to other writes
// (its update holds a pooled SQLite connection for the read cursor while it waits for another for the
// write transaction; measured with multi-statement bulk updates). The node write path sends only
// single-statement updates, and at most a few at a time per process; inserts and reads are not limited.

const MAX_CONCURRENT_UPDATES = 4;
let active = 0;
const waiting: (() => void)[] = [];

export async function withUpdateSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= MAX_CONCURRENT_UPDATES) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await fn();
  } finally {
    active--;
    waiting.shift()?.();
  }
}
