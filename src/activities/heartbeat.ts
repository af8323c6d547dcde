// Liveness of the worker running an activity: a worker killed mid-attempt stops heartbeating, so
// Temporal retries the attempt after the heartbeat timeout instead of waiting out start-to-close.
import { Context } from '@temporalio/activity';

const BEAT_EVERY_MS = 1000;

/** Runs `work` while heartbeating every second (the SDK throttles what it sends). */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), BEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
