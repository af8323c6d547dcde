// Entry point of a lab worker process: `node dist/workers/lab-main.js --runtime shell`.
// Settings come from the environment (MAESTRO_API_URL, MAESTRO_API_TOKEN, MAESTRO_STORAGE_TOKEN, …).
import path from 'node:path';
import { loadSettings } from '../settings';
import { storageToken } from '../storage/token';
import { runLabWorker } from './lab';

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
    dockerHost: settings.dockerHost,
    kubeconfig: settings.kubeconfig,
  });
}

main().catch((err) => {
  console.error(`lab worker failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
