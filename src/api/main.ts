// Entry point: the API server process.
import { connectDatabase } from '../db/client';
import { ensureIndexes } from '../db/indexes';
import { componentLogger } from '../logger';
import { loadSettings } from '../settings';
import { ensureFirstAdmin } from '../users/bootstrap';
import { connectWebhookTarget } from '../webhook/connect';
import { createApiContext } from './context';
import { buildApiServer } from './server';

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.mongodbUri) throw new Error('MONGODB_URI must be set for the API');
  const database = await connectDatabase(settings.mongodbUri, settings.dbName);
  await ensureIndexes(database.db);
  const ctx = await createApiContext(database.db, settings);
  const webhook = await connectWebhookTarget(settings);
  if (webhook) {
    ctx.webhook = webhook.target;
    ctx.cleanup.push(webhook.close);
  }
  const app = await buildApiServer({ ctx });
  await ensureFirstAdmin(
    database.db,
    { username: settings.adminUsername, password: settings.adminPassword, email: settings.adminEmail },
    (message) => app.log.warn(message),
  );
  const stop = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await app.listen({ host: settings.apiHost, port: settings.apiPort });
}

main().catch((err) => {
  componentLogger('api').fatal({ err }, 'API failed');
  process.exit(1);
});
