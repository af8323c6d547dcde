// Durable subscribers as KernelCI's services run them: each long-polls GET /listen (one event per request,
// acknowledging the previous one) and records, per event it cares about, when it arrived, so the
// benchmark can check that none was lost or duplicated and measure write → receive latency. Order is
// checked on sequence ids: two writes to one node in flight together commit in either order.
import { ApiClient, listenedEvent } from '../../src/client/api-client';

export interface FleetResult {
  /** Per subscriber: arrival time (performance.now()) per write index, NaN when never received. */
  arrivals: Float64Array[];
  duplicates: number;
  outOfOrder: number;
  lastArrival: number;
}

export class SubscriberFleet {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly arrivals: Float64Array[];
  private readonly received: number[];
  private duplicates = 0;
  private outOfOrder = 0;
  private lastArrival = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly count: number,
    capacity: number,
    /** Where an event (its node, its sequence id) is recorded in `arrivals`; undefined: not counted. */
    private readonly tag: (node: Record<string, unknown>, seq: number) => number | undefined,
  ) {
    this.arrivals = Array.from({ length: count }, () => new Float64Array(capacity).fill(NaN));
    this.received = Array.from({ length: count }, () => 0);
  }

  /** Subscribes every member (before the writes start, so each sees all of them) and starts listening. */
  async start(label: string): Promise<void> {
    for (let s = 0; s < this.count; s++) {
      const client = new ApiClient({ baseUrl: this.url, token: this.token });
      const sub = await client.subscribe('node', { promisc: true, subscriberId: `${label}-${s}` });
      this.loops.push(this.listen(client, sub.id, s));
    }
  }

  private async listen(client: ApiClient, subId: number | string, s: number): Promise<void> {
    const arrivals = this.arrivals[s];
    let lastSeq = 0;
    while (!this.stopping) {
      const event = listenedEvent(await client.listen(subId, { wait: 1 }));
      if (!event) continue; // keep-alive
      const now = performance.now();
      if (event.sequence_id! <= lastSeq) this.outOfOrder++;
      lastSeq = event.sequence_id!;
      const index = this.tag(event.data as Record<string, unknown>, event.sequence_id!);
      if (index === undefined) continue;
      if (!Number.isNaN(arrivals[index])) {
        this.duplicates++;
        continue;
      }
      arrivals[index] = now;
      this.received[s]++;
      this.lastArrival = now;
    }
  }

  /** Waits until every member received `expected` tagged events (or the deadline passes), then stops. */
  async drain(expected: number, deadlineMs: number): Promise<FleetResult> {
    const deadline = Date.now() + deadlineMs;
    while (this.received.some((n) => n < expected) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    this.stopping = true;
    await Promise.allSettled(this.loops);
    return {
      arrivals: this.arrivals,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      lastArrival: this.lastArrival,
    };
  }
}

/** write → receive latencies of every delivered event, and how many acknowledged writes never arrived. */
export function latencies(result: FleetResult, sentAt: Float64Array): { samples: number[]; lost: number } {
  const samples: number[] = [];
  let lost = 0;
  for (const arrivals of result.arrivals) {
    for (let i = 0; i < sentAt.length; i++) {
      if (Number.isNaN(sentAt[i])) continue; // not written (the write failed)
      if (Number.isNaN(arrivals[i])) lost++;
      else samples.push(arrivals[i] - sentAt[i]);
    }
  }
  return { samples, lost };
}
