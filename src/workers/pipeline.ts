// Entry point: the pipeline worker process (checkout, job and trigger workflows and their activities).
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import { connectDatabase } from '../db/client';
import { ensureIndexes } from '../db/indexes';
import { ensureTriggerLoop } from '../workflows/pipeline/client';
import { componentLogger } from '../logger';
import { loadSettings } from '../settings';
import { storageToken } from '../storage/token';
import { connectClient, connectWorkerConnection } from '../temporal/connection';
import { installTemporalLogger } from '../temporal/logging';
import { createPipelineDeps } from './pipeline-deps';
import { createPipelineWorker } from './pipeline-worker';

const log = componentLogger('pipeline-worker');

async function main(): Promise<void> {
  const settings = loadSettings();
  installTemporalLogger('pipeline-worker');
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
  log.info(
    { taskQueue: worker.options.taskQueue, config: files, triggerLoop: trigger.workflowId },
    `pipeline worker polling task queue "${worker.options.taskQueue}"`,
  );
  // The SDK shuts workers down gracefully on SIGINT/SIGTERM; run() then resolves.
  await worker.run();
  await pipeline.close();
  await connection.close();
  await database.close();
}

main().catch((err) => {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'pipeline worker failed');
  process.exit(1);
});
