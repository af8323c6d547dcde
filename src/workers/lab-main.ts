// Entry point of a lab worker process: `node dist/workers/lab-main.js --runtime shell`.
// Settings come from the environment (MAESTRO_API_URL, MAESTRO_API_TOKEN, MAESTRO_STORAGE_TOKEN, …).
import path from 'node:path';
import fs from 'node:fs';
import { loadConfig } from '../config/load';
import { loadSettings, type Settings } from '../settings';
import { storageToken } from '../storage/token';
import { runLabWorker, type LavaWorkerOptions } from './lab';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const runtime = argValue('--runtime');
  const missing = [
    !runtime && '--runtime NAME',
    !settings.temporalAddress && 'TEMPORAL_ADDRESS',
    !settings.labApiUrl && 'MAESTRO_API_URL',
    !settings.labApiToken && 'MAESTRO_API_TOKEN',
  ].filter(Boolean);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
  await runLabWorker({
    temporalAddress: settings.temporalAddress!,
    namespace: settings.temporalNamespace,
    runtime: runtime!,
    apiUrl: settings.labApiUrl!,
    apiToken: settings.labApiToken!,
    storageToken: storageToken(path.resolve(settings.dataDir), settings.storageToken),
    storagePublicUrl: settings.storagePublicUrl,
    storageUploadUrl: settings.storageUploadUrl,
    workDir: settings.labWorkDir,
    lava: lavaOptions(settings, runtime!),
  });
}

/** A runtime of type `lava` in the pipeline configuration (MAESTRO_CONFIG) makes this a LAVA lab worker. */
function lavaOptions(settings: Settings, runtime: string): LavaWorkerOptions | undefined {
  const paths = settings.pipelineConfig.split(/[,:]/).filter(Boolean);
  if (!paths.some((p) => fs.existsSync(p))) return undefined;
  const { config } = loadConfig(settings.pipelineConfig);
  const entry = config.runtimes[runtime];
  if (entry?.type !== 'lava') return undefined;
  // Required only for a LAVA runtime (so not among the lab worker's always-required settings).
  const token = settings.lavaToken;
  if (!token) throw new Error(`runtime "${runtime}" is a LAVA runtime: set MAESTRO_LAVA_TOKEN`);
  return {
    params: entry.params,
    platforms: config.platforms,
    token,
    stateDir: settings.lavaStateDir ?? path.join(settings.dataDir, 'lava', runtime),
    listenHost: settings.lavaCallbackHost,
    listenPort: settings.lavaCallbackPort,
    callbackUrl: settings.lavaCallbackUrl,
  };
}

main().catch((err) => {
  console.error(`lab worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
