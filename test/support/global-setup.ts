import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startFerretDb, type RunningFerretDb } from '../../src/stack/ferretdb';
import { freePort } from '../../src/stack/ports';
import { startPostgres, type RunningPostgres } from '../../src/stack/postgres';
import { startTemporalDevServer, type RunningTemporal } from '../../src/stack/temporal-dev-server';
import { resolveTool } from '../../src/stack/tools';
import './context';

/**
 * Starts a private Temporal dev server, PostgreSQL (every test file gets a database of its own) and
 * FerretDB (the MongoDB backend's tests) on free ports in a temp dir for the whole run, bundles the
 * workflows once, and tears everything down however the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'maestro-test-'));
  const serverLog = createWriteStream(path.join(tmpDir, 'servers.log'));
  const log = (line: string) => serverLog.write(line + '\n');
  const [temporalBin, ferretBin] = [await resolveTool('temporal'), await resolveTool('ferretdb')];

  let ferret: RunningFerretDb | undefined;
  let temporal: RunningTemporal | undefined;
  let postgres: RunningPostgres | undefined;
  const teardown = async () => {
    await Promise.allSettled([temporal?.stop(), ferret?.stop(), postgres?.stop()]);
    serverLog.end();
    if (!process.env.MAESTRO_KEEP_TEST_DIR) await fs.rm(tmpDir, { recursive: true, force: true });
  };
  const onSignal = () => void teardown().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    [ferret, temporal, postgres] = await Promise.all([
      startFerretDb({ bin: ferretBin, port: await freePort(), dataDir: path.join(tmpDir, 'ferretdb'), log }),
      startTemporalDevServer({ bin: temporalBin, port: await freePort(), uiPort: null, dbFile: null, log }),
      // Test data need not survive a power cut: no fsync keeps the shared machine's disk free.
      startPostgres({
        port: await freePort(),
        dataDir: path.join(tmpDir, 'postgres'),
        log,
        settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
      }),
    ]);
    const bundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'test-workflows.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
    });
    const workflowBundlePath = path.join(tmpDir, 'workflow-bundle.js');
    await fs.writeFile(workflowBundlePath, bundle.code);

    project.provide('temporalAddress', temporal.address);
    project.provide('mongoUri', ferret.uri);
    project.provide('postgresUrl', postgres.url);
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('tmpDir', tmpDir);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
