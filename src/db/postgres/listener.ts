// One LISTEN connection per process. Notifications wake the event feed and waiting queue consumers at
// once; after a lost connection (server restart) it reconnects and reports it, so the feed re-reads
// whatever was committed meanwhile.
import pg from 'pg';
import { componentLogger } from '../../logger';

const log = componentLogger('postgres');

export class PgListener {
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private closed = false;
  private connecting: Promise<void> | null = null;

  constructor(private readonly url: string) {}

  on(channel: string, handler: (payload: string) => void): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.add(handler);
  }

  /** Connects and listens on every channel with a handler; resolves once listening. */
  start(): Promise<void> {
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'maestro-listen' });
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    client.on('error', (err) => log.warn({ err: err.message }, 'LISTEN connection failed'));
    let established = false;
    client.on('end', () => {
      if (this.client === client) this.client = null;
      // Only a connection that was up starts a reconnect loop (a failed attempt belongs to its loop).
      if (established && !this.closed) void this.reconnect();
    });
    await client.connect();
    established = true;
    for (const channel of this.handlers.keys())
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 2000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        await this.start();
        log.info('LISTEN connection restored');
        for (const h of this.reconnectHandlers) h();
        return;
      } catch {
        // server still down: try again
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
