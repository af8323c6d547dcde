// Entry point: the built-in HTTP storage service (`npm start` runs it as a child process).
import path from 'node:path';
import { componentLogger } from '../logger';
import { loadSettings } from '../settings';
import { startStorageServer } from './server';
import { storageToken } from './token';

const log = componentLogger('storage');

async function main(): Promise<void> {
  const settings = loadSettings();
  const dataDir = path.resolve(settings.dataDir);
  const server = await startStorageServer({
    dir: path.join(dataDir, 'storage'),
    token: storageToken(dataDir, settings.storageToken),
    host: settings.storageHost,
    port: settings.storagePort,
  });
  log.info({ url: server.url, dir: path.join(dataDir, 'storage') }, 'storage service listening');
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  log.fatal({ err }, `storage service failed: ${(err as Error).message}`);
  process.exit(1);
});
