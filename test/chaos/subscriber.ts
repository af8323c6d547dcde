// A durable subscriber that survives API replicas dying: it long-polls /listen with an explicit `ack` of
// the last event it processed and fails over to another replica when its replica stops answering.
import { listenedEvent } from '../../src/client/api-client';
import type { ListenMessage } from '../../src/client/types';

export interface ReceivedEvent {
  seq: number;
  id: string;
}

export class DurableSubscriber {
  readonly received: ReceivedEvent[] = [];
  duplicates = 0;
  outOfOrder = 0;
  failovers = 0;
  private subId: number | null = null;
  private replica = 0;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    readonly subscriberId: string,
    private readonly urls: string[],
    private readonly token: string,
    startReplica = 0,
  ) {
    this.replica = startReplica % urls.length;
  }

  get lastSeq(): number {
    return this.received.at(-1)?.seq ?? 0;
  }

  private get url(): string {
    return this.urls[this.replica];
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async subscribe(): Promise<void> {
    const res = await fetch(
      `${this.url}/subscribe/node?promisc=true&subscriber_id=${encodeURIComponent(this.subscriberId)}`,
      {
        method: 'POST',
        headers: this.headers(),
      },
    );
    if (!res.ok) throw new Error(`subscribe ${this.subscriberId}: ${res.status} ${await res.text()}`);
    this.subId = ((await res.json()) as { id: number }).id;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private failover(): void {
    this.failovers++;
    this.replica = (this.replica + 1) % this.urls.length;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.subId === null) await this.subscribe();
        const ack = this.received.length ? `&ack=${this.lastSeq}` : '';
        const res = await fetch(`${this.url}/listen/${this.subId}?wait=2${ack}`, {
          headers: this.headers(),
          signal: AbortSignal.timeout(15_000),
        });
        if (res.status === 404) {
          this.subId = null;
          continue;
        }
        if (res.status >= 500) throw new Error(`listen answered ${res.status}`);
        if (!res.ok) throw new Error(`listen: ${res.status} ${await res.text()}`);
        const event = listenedEvent((await res.json()) as ListenMessage);
        if (!event) continue; // keep-alive
        const msg = { sequence_id: event.sequence_id! };
        if (this.received.some((e) => e.id === event.id)) this.duplicates++;
        else if (msg.sequence_id <= this.lastSeq) this.outOfOrder++;
        else this.received.push({ seq: msg.sequence_id, id: String(event.id) });
      } catch (err) {
        if (this.stopped) break;
        if (/listen: 4\d\d/.test((err as Error).message)) throw err;
        this.failover();
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}
