// A revision's nodes as a KCIDB report, schema v5.3 (kcidb-io `kcidb_io/schema/v05_03.py`). The mapping
// follows KernelCI's own bridge (kernelci-pipeline `src/send_kcidb.py`): checkout → checkouts, kbuild →
// builds, job and test → tests under their nearest kbuild (or a placeholder build when a job hangs
// straight from the checkout), ids `<origin>:<node id>`. Pure functions: no I/O.
import type { PlatformConfig } from '../config/types';
import type { Node } from '../db/nodes/types';

export const KCIDB_VERSION = { major: 5, minor: 3 } as const;

export type KcidbStatus = 'FAIL' | 'ERROR' | 'MISS' | 'PASS' | 'DONE' | 'SKIP';
type Obj = Record<string, unknown>;

export interface KcidbReport {
  version: { major: number; minor: number };
  checkouts?: Obj[];
  builds?: Obj[];
  tests?: Obj[];
}

/** Error codes that mean the test never ran (harness or submission trouble): KCIDB `MISS`. */
export const MISSED_ERROR_CODES = [
  'Bug',
  'Configuration',
  'Infrastructure',
  'invalid_job_params',
  'Job',
  'job_generation_error',
  'submit_error',
  'kbuild_internal_error',
  'git_checkout_failure',
];

/**
 * `pass/fail/skip` map one to one; `incomplete` is `MISS` when the error code says the test never ran,
 * else `ERROR` (it started and did not complete: `node_timeout`, LAVA's `Test`, `LAVATimeout`, …).
 */
export function kcidbStatus(node: Pick<Node, 'result' | 'data'>): KcidbStatus | undefined {
  switch (node.result) {
    case 'pass':
      return 'PASS';
    case 'fail':
      return 'FAIL';
    case 'skip':
      return 'SKIP';
    case 'incomplete':
      return MISSED_ERROR_CODES.includes(String(node.data.error_code)) ? 'MISS' : 'ERROR';
    default:
      return undefined;
  }
}

/** KCIDB forbids nulls in typed fields: drop null/undefined values everywhere. */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value as Obj))
      if (v !== null && v !== undefined) out[k] = withoutNulls(v);
    return out as T;
  }
  return value;
}

export interface ReportOptions {
  origin: string;
  platforms?: Record<string, PlatformConfig>;
}

const kid = (origin: string, id: string) => `${origin}:${id}`;
const seconds = (n: Node) => Math.max(0, (Date.parse(n.updated) - Date.parse(n.created)) / 1000);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Dotted test path: the names below the build, each limited to KCIDB's `[a-zA-Z0-9_-]`. */
export function testPath(node: Node, buildDepth: number): string {
  return node.path
    .slice(buildDepth + 1)
    .map((s) => s.replace(/[^a-zA-Z0-9_-]/g, '_') || '_')
    .join('.');
}

function outputFiles(artifacts: Record<string, string>, exclude: string[]): Obj[] | undefined {
  const files = Object.entries(artifacts)
    .filter(([name]) => !exclude.includes(name))
    .map(([name, url]) => ({ name: name.replace(/\//g, '_'), url }));
  return files.length ? files : undefined;
}

function checkoutObject(n: Node, o: ReportOptions): Obj {
  const rev = (n.data.kernel_revision ?? {}) as Obj;
  const url = str(rev.url);
  const commit = str(rev.commit);
  return withoutNulls({
    id: kid(o.origin, n.id),
    origin: o.origin,
    tree_name: str(rev.tree),
    // KCIDB accepts only https repository URLs and full SHA-1 hashes; anything else goes to misc.
    git_repository_url: url?.startsWith('https://') ? url : undefined,
    git_commit_hash: commit && /^[0-9a-f]{40}$/.test(commit) ? commit : undefined,
    git_commit_name: str(rev.describe),
    git_repository_branch: str(rev.branch),
    patchset_hash: '',
    start_time: n.created,
    log_url: n.artifacts.tarball,
    valid: n.result === 'pass' ? true : n.result ? false : undefined,
    misc: {
      submitted_by: 'maestro',
      ...(url && !url.startsWith('https://') ? { git_repository_url: url } : {}),
      ...(commit && !/^[0-9a-f]{40}$/.test(commit) ? { git_commit: commit } : {}),
    },
  });
}

function buildObject(n: Node, checkoutId: string, o: ReportOptions): Obj {
  const d = n.data;
  const rev = (d.kernel_revision ?? {}) as Obj;
  const arch = str(d.arch);
  return withoutNulls({
    id: kid(o.origin, n.id),
    checkout_id: kid(o.origin, checkoutId),
    origin: o.origin,
    comment: str(rev.describe),
    start_time: n.created,
    duration: n.state === 'done' ? seconds(n) : undefined,
    architecture: arch && /^[a-z0-9_]*$/.test(arch) ? arch : undefined,
    compiler: str(d.compiler),
    config_name: str(d.defconfig),
    config_url: n.artifacts.config,
    log_url: n.artifacts.build_log,
    output_files: outputFiles(n.artifacts, ['build_log', 'config']),
    status: kcidbStatus(n),
    misc: {
      platform: d.platform,
      runtime: d.runtime,
      job_id: d.job_id,
      config_full: d.config_full,
      error_code: d.error_code,
      error_msg: d.error_msg,
    },
  });
}

/** Tests hanging straight from the checkout (no kbuild) get a placeholder build, as upstream does. */
export function placeholderBuildId(origin: string, checkoutId: string): string {
  return kid(origin, `dummy_${checkoutId}`);
}

function placeholderBuild(checkout: Node, o: ReportOptions): Obj {
  return {
    id: placeholderBuildId(o.origin, checkout.id),
    checkout_id: kid(o.origin, checkout.id),
    origin: o.origin,
    comment: 'Placeholder build for tests run on the checkout itself',
    start_time: checkout.created,
    status: 'PASS',
  };
}

function testObject(n: Node, build: Node, ancestors: Node[], o: ReportOptions): Obj {
  const d = n.data;
  const platform = str(d.platform);
  const pl = platform ? o.platforms?.[platform] : undefined;
  const compatible = Array.isArray(pl?.params.compatible) ? pl.params.compatible.map(String) : undefined;
  // Upstream: a test without its own log uses the nearest ancestor job's.
  const logOwner = [n, ...ancestors].find(
    (a) => a.artifacts.log || a.artifacts.test_log || a.artifacts.lava_log,
  );
  const log =
    logOwner && (logOwner.artifacts.lava_log ?? logOwner.artifacts.test_log ?? logOwner.artifacts.log);
  const failed = n.result !== 'pass';
  const errorSource = failed ? [n, ...ancestors].find((a) => a.data.error_code) : undefined;
  const runtime = str(d.runtime) ?? str(ancestors.find((a) => str(a.data.runtime))?.data.runtime);
  const buildId =
    build.kind === 'checkout' ? placeholderBuildId(o.origin, build.id) : kid(o.origin, build.id);
  return withoutNulls({
    id: kid(o.origin, n.id),
    build_id: buildId,
    origin: o.origin,
    path: testPath(n, build.path.length - 1),
    comment: `${n.name} on ${platform ?? 'unknown platform'} in ${runtime ?? 'unknown runtime'}`,
    start_time: n.created,
    duration: n.state === 'done' ? seconds(n) : undefined,
    status: kcidbStatus(n),
    log_url: log,
    output_files: n.result === 'skip' ? undefined : outputFiles(n.artifacts, ['log', 'test_log', 'lava_log']),
    environment: {
      comment: `Runtime: ${runtime ?? 'unknown'}`,
      compatible,
      misc: { platform, arch: pl?.arch, boot_method: pl?.boot_method, job_id: d.job_id },
    },
    misc: {
      runtime,
      arch: d.arch,
      compiler: d.compiler,
      defconfig: d.defconfig,
      error_code: errorSource?.data.error_code,
      error_msg: errorSource?.data.error_msg,
    },
  });
}

export interface ReportItem {
  /** The node this object stands for; absent for a placeholder build. */
  nodeId?: string;
  section: 'checkouts' | 'builds' | 'tests';
  object: Obj;
}

/**
 * Every KCIDB object of one revision, parents before children. `nodes` is the whole tree (checkout
 * first or anywhere); `include` picks the nodes to report (default: all finished ones).
 */
export function reportItems(
  nodes: Node[],
  o: ReportOptions,
  include: (n: Node) => boolean = (n) => n.state === 'done',
): ReportItem[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const checkout = nodes.find((n) => n.kind === 'checkout');
  if (!checkout) return [];
  const ancestorsOf = (n: Node): Node[] => {
    const out: Node[] = [];
    for (let p = n.parent ? byId.get(n.parent) : undefined; p; p = p.parent ? byId.get(p.parent) : undefined)
      out.push(p);
    return out;
  };
  const items: ReportItem[] = [];
  if (include(checkout))
    items.push({ nodeId: checkout.id, section: 'checkouts', object: checkoutObject(checkout, o) });
  const withRevision = (n: Node): Node => ({
    ...n,
    data: { kernel_revision: checkout.data.kernel_revision, ...n.data },
  });
  for (const n of nodes)
    if (n.kind === 'kbuild' && include(n))
      items.push({ nodeId: n.id, section: 'builds', object: buildObject(withRevision(n), checkout.id, o) });
  let placeholder = false;
  for (const n of nodes) {
    if ((n.kind !== 'job' && n.kind !== 'test') || !include(n)) continue;
    const ancestors = ancestorsOf(n);
    const build = ancestors.find((a) => a.kind === 'kbuild') ?? checkout;
    if (build.kind === 'checkout' && !placeholder) {
      placeholder = true;
      items.push({ section: 'builds', object: placeholderBuild(checkout, o) });
    }
    items.push({ nodeId: n.id, section: 'tests', object: testObject(n, build, ancestors, o) });
  }
  return items;
}

/** One report from a list of items (a batch, or all of them). */
export function toReport(items: ReportItem[]): KcidbReport {
  const report: KcidbReport = { version: { ...KCIDB_VERSION } };
  for (const it of items) (report[it.section] ??= []).push(it.object);
  return report;
}

/** Items in batches of at most `size` objects, in order (checkouts, then builds, then tests). */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
