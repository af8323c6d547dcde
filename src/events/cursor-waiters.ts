// Waiters on a feed's cursor: a listen resolves when the cursor passes its position, after its wait, on
// abort, or when the feed closes. Each feed (MongoDB poller, PostgreSQL notifications) calls `wake()`
// whenever its cursor moves or it closes.
export class CursorWaiters {
  private readonly waiters = new Set<() => void>();

  /** `passed(after)`: the cursor is beyond `after`, or the feed is closed. */
  constructor(private readonly passed: (after: number) => boolean) {}

  /** Resolves when the cursor passes `after`, after `timeoutMs`, on abort or on close. */
  waitBeyond(after: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.passed(after) || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(check);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const check = () => {
        if (this.passed(after)) done();
      };
      const t = setTimeout(done, timeoutMs);
      this.waiters.add(check);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Lets every waiter re-check (the cursor moved, or the feed closed). */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
