// Entry point: the pipeline worker process.
import { connectDatabase } from '../db/client';
import { ensureIndexes } from '../db/indexes';
import { loadSettings } from '../settings';
import { connectWorkerConnection } from '../temporal/connection';
import { createPipelineWorker } from './pipeline-worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.mongodbUri || !settings.temporalAddress) {
    throw new Error('MONGODB_URI and TEMPORAL_ADDRESS must be set for the pipeline worker');
  }
  const database = await connectDatabase(settings.mongodbUri, settings.dbName);
  await ensureIndexes(database.db);
  const connection = await connectWorkerConnection(settings.temporalAddress);
  const worker = await createPipelineWorker({
    connection,
    namespace: settings.temporalNamespace,
    db: database.db,
    maxConcurrentActivityTaskExecutions: settings.workerConcurrency,
  });
  console.log(`pipeline worker polling task queue "${worker.options.taskQueue}"`);
  // The SDK shuts workers down gracefully on SIGINT/SIGTERM; run() then resolves.
  await worker.run();
  await connection.close();
  await database.close();
}

main().catch((err) => {
  console.error(`pipeline worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
