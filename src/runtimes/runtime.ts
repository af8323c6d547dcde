// What every runtime adapter (shell, docker, kubernetes, lava) implements. A runtime runs one job in a
// lab, uploads its artifacts to storage and returns a small outcome: ids, URLs and results only.
import type { JobSpec } from '../config/scheduler';
import type { RuntimeType } from '../config/types';
import type { StorageBackend } from '../storage/backend';

/** Input of the runtime activity (`runJob` on task queue `runtime/<name>`). */
export interface RunJobInput {
  /** The job/kbuild node, created by the pipeline before the job runs. */
  nodeId: string;
  job: JobSpec;
  /** The checkout's source tarball. */
  tarballUrl: string;
  /** Artifacts of the parent kbuild (tests): name → URL, downloaded into $KCI_INPUT_DIR/<name>. */
  inputArtifacts: Record<string, string>;
  /** Where artifacts go in storage: `<job>-<node id>`. */
  storagePrefix: string;
  /** Storage public/upload base from the pipeline config; a lab may override both. */
  storage: { baseUrl: string; uploadUrl?: string };
  /** Data copied onto every test node (platform, runtime, arch…). */
  testData: Record<string, unknown>;
}

export type TestResult = 'pass' | 'fail' | 'skip';

/** One test result from a job's summary; groups nest. */
export interface TestOutcome {
  name: string;
  result?: TestResult;
  tests?: TestOutcome[];
}

export interface RuntimeOutcome {
  /** pass: the command succeeded; fail: it failed (not retried); incomplete: it could not run. */
  status: 'pass' | 'fail' | 'incomplete';
  errorCode?: string;
  errorMsg?: string;
  /** name (no `.`) → public URL */
  artifacts: Record<string, string>;
  tests: TestOutcome[];
}

export interface RuntimeContext {
  storage: StorageBackend;
  /** Scratch directory the runtime may fill; removed afterwards by the caller. */
  workDir: string;
  /** Proves liveness to Temporal; also how cancellation is noticed. */
  heartbeat(details?: unknown): void;
  /** Aborted when the pipeline cancels the job (timeout) or the worker shuts down. */
  signal: AbortSignal;
}

export interface JobRuntime {
  readonly type: RuntimeType;
  run(input: RunJobInput, ctx: RuntimeContext): Promise<RuntimeOutcome>;
}
