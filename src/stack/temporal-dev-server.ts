import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_NAMES } from '../temporal/search-attributes';
import { ManagedProcess } from './managed-process';
import { waitForPort } from './ports';

export interface TemporalDevServerOptions {
  bin: string;
  port: number;
  /** Web UI port, or null for headless. */
  uiPort: number | null;
  /** SQLite file for persistence, or null for in-memory. */
  dbFile: string | null;
  namespace?: string;
  /** WAL journal + synchronous=normal: much faster workflow starts, slightly less durable on power loss. */
  fastSync?: boolean;
  log?: ((line: string) => void) | null;
}

export interface RunningTemporal {
  address: string;
  uiUrl: string | null;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<RunningTemporal> {
  const host = '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', host, '--port', String(opts.port), '--log-level', 'error'];
  args.push('--namespace', opts.namespace ?? 'default');
  if (opts.uiPort === null) args.push('--headless');
  else args.push('--ui-ip', host, '--ui-port', String(opts.uiPort));
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.dbFile && opts.fastSync) {
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  for (const name of SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=Keyword`);

  const proc = new ManagedProcess({ name: 'temporal', command: opts.bin, args, log: opts.log });
  const address = `${host}:${opts.port}`;
  try {
    await waitForPort(opts.port, host, 60_000, () => proc.isAlive);
    await waitForFrontend(address, 60_000);
  } catch (err) {
    await proc.stop(2000);
    throw new Error(`Temporal dev server did not start on ${address}: ${(err as Error).message}`);
  }
  return {
    address,
    uiUrl: opts.uiPort === null ? null : `http://${host}:${opts.uiPort}`,
    process: proc,
    stop: () => proc.stop(),
  };
}

/** The port opens before the frontend serves; wait until a real RPC answers. */
export async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`Temporal frontend at ${address} not ready: ${(lastErr as Error)?.message}`);
}
