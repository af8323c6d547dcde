// Maestro processes (API, workers, storage) spawned from the compiled sources, as in production.
import path from 'node:path';
import { ManagedProcess } from '../../src/stack/managed-process';
import { freePort, waitForPort } from '../../src/stack/ports';
import { ApiClient } from '../../src/client/api-client';

/** The project's build output (`npm run build`), run as in production; bench/run.sh builds it first. */
export const COMPILED_SRC = path.resolve(__dirname, '..', '..', '..', '..', '..', 'dist');

export function spawnEntry(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): ManagedProcess {
  return new ManagedProcess({
    name,
    command: process.execPath,
    args: [path.join(COMPILED_SRC, entry)],
    env: { MAESTRO_LOG_LEVEL: 'warn', ...env },
    log,
  });
}

export interface RunningApi {
  url: string;
  port: number;
  process: ManagedProcess;
  admin: ApiClient;
}

export const BENCH_ADMIN = { username: 'admin', password: 'bench-admin-password' };

export async function startApi(
  common: { databaseUrl: string; temporalAddress: string; dbName: string; log: (line: string) => void },
  extraEnv: NodeJS.ProcessEnv = {},
  port?: number,
): Promise<RunningApi> {
  const apiPort = port ?? (await freePort());
  const proc = spawnEntry(
    `api:${apiPort}`,
    'api/main.js',
    {
      DATABASE_URL: common.databaseUrl,
      TEMPORAL_ADDRESS: common.temporalAddress,
      MAESTRO_DB_NAME: common.dbName,
      MAESTRO_API_PORT: String(apiPort),
      MAESTRO_API_HOST: '127.0.0.1',
      MAESTRO_SECRET_KEY: 'bench-secret-key-0123456789abcdef0123456789abcdef',
      MAESTRO_ADMIN_USERNAME: BENCH_ADMIN.username,
      MAESTRO_ADMIN_PASSWORD: BENCH_ADMIN.password,
      ...extraEnv,
    },
    common.log,
  );
  await waitForPort(apiPort, '127.0.0.1', 60_000, () => proc.isAlive);
  const url = `http://127.0.0.1:${apiPort}/latest`;
  const admin = new ApiClient({ baseUrl: url });
  await admin.login(BENCH_ADMIN.username, BENCH_ADMIN.password);
  return { url, port: apiPort, process: proc, admin };
}
