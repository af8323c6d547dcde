// `kci storage upload FILE [PATH]`: put a file on the built-in HTTP storage service and print its URL.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { examples } from '../context';
import { CliError } from '../errors';
import { printJson, printLine } from '../output';

interface UploadOptions {
  config?: string[];
  json?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerStorage(program: Command): void {
  const storage = program.command('storage').description('artifact storage');
  examples(storage, ['kci storage upload build.log job-65a1f0c2e4b0a1b2c3d4e5f6/build_log']);

  examples(
    storage
      .command('upload <file> [path]')
      .description(
        'upload a file (default path: its name) and print its public URL; the storage URL comes from MAESTRO_STORAGE_UPLOAD_URL/' +
          'MAESTRO_STORAGE_URL or the pipeline configuration, the token from MAESTRO_STORAGE_TOKEN (or the local data dir)',
      )
      .option(
        '-c, --config <path>',
        'pipeline configuration file or directory (repeatable; default $MAESTRO_CONFIG)',
        collect,
      )
      .option('--json', 'print JSON {url}')
      .action(async (file: string, key: string | undefined, opts: UploadOptions) => {
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliError(`${file}: no such file`);
        const { loadSettings } = await import('../../settings.js');
        const { HttpStorageBackend, storageToken } = await import('../../storage/index.js');
        const settings = loadSettings();
        let publicUrl = settings.storagePublicUrl;
        let uploadUrl = settings.storageUploadUrl;
        if (!publicUrl && !uploadUrl) {
          const { loadConfig } = await import('../../config/index.js');
          const { storage: cfg } = loadConfig(
            opts.config?.length ? opts.config : settings.pipelineConfig,
          ).config;
          if (cfg.type !== 'http')
            throw new CliError(
              `storage type "${cfg.type}" is not supported by kci storage upload (only http)`,
            );
          publicUrl = cfg.base_url;
          uploadUrl = cfg.upload_url;
        }
        const backend = new HttpStorageBackend({
          baseUrl: (publicUrl ?? uploadUrl)!,
          uploadUrl,
          token: storageToken(path.resolve(settings.dataDir), settings.storageToken),
        });
        let url: string;
        try {
          url = await backend.upload(key ?? path.basename(file), file);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        if (opts.json) return printJson({ url });
        printLine(url);
      }),
    [
      'kci storage upload linux.tar.gz',
      'MAESTRO_STORAGE_URL=http://storage.example:8010 kci storage upload build.log kbuild-x86-65a1f0c2e4b0a1b2c3d4e5f6/build_log',
    ],
  );
}
