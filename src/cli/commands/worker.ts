// `kci worker --runtime NAME`: a lab's Temporal worker. It needs Temporal, its own API token and the
// storage upload token; never database access.
import path from 'node:path';
import type { Command } from 'commander';
import { examples, intOption, selectedApi } from '../context';
import { CliError } from '../errors';
import { printLine } from '../output';

interface WorkerOptions {
  runtime: string;
  concurrency?: number;
  workDir?: string;
}

export function registerWorker(program: Command): void {
  examples(
    program
      .command('worker')
      .description(
        'run a lab worker polling the task queue runtime/<NAME> (needs TEMPORAL_ADDRESS; the API URL and token come from ' +
          'MAESTRO_API_URL/MAESTRO_API_TOKEN or the selected kci API instance; uploads use MAESTRO_STORAGE_TOKEN)',
      )
      .requiredOption(
        '-r, --runtime <name>',
        'runtime name from the pipeline configuration (runtimes.<name>)',
      )
      .option('--concurrency <n>', 'jobs run at once on this host', intOption('concurrency', 1))
      .option(
        '--work-dir <dir>',
        'scratch directory for job work trees (default MAESTRO_LAB_WORK_DIR or the temp dir)',
      )
      .action(async (opts: WorkerOptions, cmd: Command) => {
        // Loaded lazily: only this command needs the Temporal worker.
        const { loadSettings } = await import('../../settings.js');
        const { storageToken } = await import('../../storage/token.js');
        const { lavaWorkerOptions, runLabWorker } = await import('../../workers/lab.js');
        const { installTemporalLogger } = await import('../../temporal/logging.js');
        const settings = loadSettings();
        if (!settings.temporalAddress)
          throw new CliError('TEMPORAL_ADDRESS must be set (the Temporal frontend host:port)');
        const api = settings.labApiUrl
          ? { url: settings.labApiUrl, token: settings.labApiToken }
          : selectedApi(cmd);
        const apiToken = settings.labApiToken ?? api.token;
        if (!apiToken)
          throw new CliError('no API token: set MAESTRO_API_TOKEN or run `kci login` as the lab user');
        installTemporalLogger('lab-worker');
        await runLabWorker(
          {
            temporalAddress: settings.temporalAddress,
            namespace: settings.temporalNamespace,
            runtime: opts.runtime,
            apiUrl: api.url,
            apiToken,
            storageToken: storageToken(path.resolve(settings.dataDir), settings.storageToken),
            storagePublicUrl: settings.storagePublicUrl,
            storageUploadUrl: settings.storageUploadUrl,
            workDir: opts.workDir ?? settings.labWorkDir,
            maxConcurrentJobs: opts.concurrency,
            lava: lavaWorkerOptions(settings, opts.runtime),
            dockerHost: settings.dockerHost,
            kubeconfig: settings.kubeconfig,
          },
          (taskQueue) => printLine(`lab worker polling task queue "${taskQueue}"`),
        );
      }),
    [
      'TEMPORAL_ADDRESS=temporal.example:7233 MAESTRO_STORAGE_TOKEN=… kci worker --runtime lab-a-shell',
      'kci --api production worker --runtime lava-collabora --concurrency 20',
    ],
  );
}
