// "Sent once": each mail or report the system sends is keyed (e.g. `tree-report:<checkout id>`). A key
// marked sent is never sent again, whatever retries, restarts or replays happen; a key left `sending` by
// a crash is sent again (with the same Message-ID). Each storage backend provides one.
export interface DeliveryLog {
  /** True once the key was marked sent. */
  isSent(key: string): Promise<boolean>;
  /** Records that sending the key has started (idempotent). */
  markSending(key: string): Promise<void>;
  /** Records that the key was sent, with what the server answered. */
  markSent(key: string, detail?: Record<string, unknown>): Promise<void>;
}
