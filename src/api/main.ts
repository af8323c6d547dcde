// Entry point: the API server process.
import { openStorage } from '../db/open';
import { componentLogger } from '../logger';
import { loadSettings } from '../settings';
import { ensureFirstAdmin } from '../users/bootstrap';
import { connectWebhookTarget } from '../webhook/connect';
import { createApiContext } from './context';
import { buildApiServer } from './server';

const log = componentLogger('api');

async function main(): Promise<void> {
  const settings = loadSettings();
  const storage = await openStorage(settings);
  const ctx = await createApiContext(storage, settings);
  const webhook = await connectWebhookTarget(settings);
  if (webhook) {
    ctx.webhook = webhook.target;
    ctx.cleanup.push(webhook.close);
  }
  const app = await buildApiServer({ ctx });
  await ensureFirstAdmin(
    storage,
    { username: settings.adminUsername, password: settings.adminPassword, email: settings.adminEmail },
    (message) => app.log.warn(message),
  );
  const stop = async () => {
    await app.close();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ host: settings.apiHost, port: settings.apiPort });
}

main().catch((err) => {
  log.fatal({ err }, `API failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
