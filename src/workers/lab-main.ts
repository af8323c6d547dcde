// Entry point of a lab worker process: `node dist/workers/lab-main.js --runtime shell`.
// Settings come from the environment (MAESTRO_API_URL, MAESTRO_API_TOKEN, MAESTRO_STORAGE_TOKEN, …).
import path from 'node:path';
import { componentLogger } from '../logger';
import { loadSettings } from '../settings';
import { storageToken } from '../storage/token';
import { installTemporalLogger } from '../temporal/logging';
import { lavaWorkerOptions, runLabWorker } from './lab';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  installTemporalLogger('lab-worker');
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
    lava: lavaWorkerOptions(settings, runtime!),
    dockerHost: settings.dockerHost,
    kubeconfig: settings.kubeconfig,
  });
}

main().catch((err) => {
  componentLogger('lab-worker').fatal({ err }, 'lab worker failed');
  process.exit(1);
});
