// Entry point: the pipeline worker process (checkout, job and trigger workflows and their activities).
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import { connectDatabase } from '../db/client';
import { ensureIndexes } from '../db/indexes';
import { ensureTriggerLoop } from '../workflows/pipeline/client';
import { loadSettings } from '../settings';
import { storageToken } from '../storage/token';
import { connectClient, connectWorkerConnection } from '../temporal/connection';
import { createPipelineDeps } from './pipeline-deps';
import { createPipelineWorker } from './pipeline-worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.mongodbUri || !settings.temporalAddress) {
    throw new Error('MONGODB_URI and TEMPORAL_ADDRESS must be set for the pipeline worker');
  }
  const { config, files } = loadConfig(settings.pipelineConfig);
  const dataDir = path.resolve(settings.dataDir);
  const database = await connectDatabase(settings.mongodbUri, settings.dbName);
  await ensureIndexes(database.db);
  const pipeline = await createPipelineDeps({
    db: database.db,
    settings,
    config,
    dataDir,
    storageToken: storageToken(dataDir, settings.storageToken),
  });
  const connection = await connectWorkerConnection(settings.temporalAddress);
  const worker = await createPipelineWorker({
    connection,
    namespace: settings.temporalNamespace,
    db: database.db,
    maxConcurrentActivityTaskExecutions: settings.workerConcurrency,
    pipeline: pipeline.deps,
  });
  const client = await connectClient(settings.temporalAddress, settings.temporalNamespace);
  const trigger = await ensureTriggerLoop(client, {
    intervalMs: config.pipeline.triggerIntervalMs,
    taskQueue: worker.options.taskQueue,
  });
  await client.connection.close();
  console.log(
    `pipeline worker polling task queue "${worker.options.taskQueue}" (config ${files.join(', ')}; trigger loop ${trigger.workflowId})`,
  );
  // The SDK shuts workers down gracefully on SIGINT/SIGTERM; run() then resolves.
  await worker.run();
  await pipeline.close();
  await connection.close();
  await database.close();
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`pipeline worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
