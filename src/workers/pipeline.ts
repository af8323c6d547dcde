// Entry point: the pipeline worker process (checkout, job and trigger workflows and their activities).
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/load';
import { openStorage } from '../db/open';
import { componentLogger } from '../logger';
import { ensureTriggerLoop } from '../workflows/pipeline/client';
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
  if (!settings.temporalAddress) throw new Error('TEMPORAL_ADDRESS must be set for the pipeline worker');
  const { config, files } = loadConfig(settings.pipelineConfig);
  const dataDir = path.resolve(settings.dataDir);
  const storage = await openStorage(settings);
  const pipeline = await createPipelineDeps({
    storage,
    settings,
    config,
    dataDir,
    storageToken: storageToken(dataDir, settings.storageToken),
  });
  const connection = await connectWorkerConnection(settings.temporalAddress);
  const worker = await createPipelineWorker({
    connection,
    namespace: settings.temporalNamespace,
    storage,
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
  await storage.close();
}

main().catch((err) => {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, `pipeline worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
