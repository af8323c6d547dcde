// The `results:` section of the pipeline configuration: KCIDB origin and batch size, regression rules,
// report recipients per tree. Optional as a whole; every field has a default. Types are pure (safe in
// workflow code); validation collects problems with their paths, like the rest of src/config.
import type { ConfigPath } from './source-map';

export interface ResultsConfig {
  kcidb: {
    /** `<origin>:` prefixes every KCIDB id; KCIDB allows `[a-z0-9_]+`. */
    origin: string;
    /** Objects per submission. */
    batchSize: number;
  };
  regressions: {
    /** How many earlier revisions a new failure is compared with to tell flaky from regressed. */
    flakyWindow: number;
    /** A test whose result changed this often within the window is flaky, not regressed. */
    flakyChanges: number;
  };
  report: {
    /** tree name → addresses of the tree's closing report and regression mails. */
    recipients: Record<string, string[]>;
    /** Addresses for trees without an entry of their own. */
    defaultRecipients: string[];
    /** Base URL of the Temporal Web UI for links in mails; unset = no link. */
    temporalUiUrl?: string;
    temporalNamespace: string;
  };
}

export const RESULTS_DEFAULTS: ResultsConfig = {
  kcidb: { origin: 'maestro', batchSize: 500 },
  regressions: { flakyWindow: 5, flakyChanges: 3 },
  report: { recipients: {}, defaultRecipients: [], temporalNamespace: 'default' },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ADDRESS = /^[^@\s<>]+@[^@\s<>]+$|^[^<>]*<[^@\s<>]+@[^@\s<>]+>$/;

export function validateResults(
  raw: unknown,
  knownTrees: string[],
): { results: ResultsConfig; problems: { path: ConfigPath; message: string }[] } {
  const problems: { path: ConfigPath; message: string }[] = [];
  const fail = (path: ConfigPath, message: string) => problems.push({ path, message });
  const results: ResultsConfig = structuredClone(RESULTS_DEFAULTS);
  if (raw === undefined || raw === null) return { results, problems };
  const section = (v: unknown, path: ConfigPath, allowed: string[]): Obj => {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      fail(path, 'must be a map');
      return {};
    }
    for (const k of Object.keys(v))
      if (!allowed.includes(k)) fail([...path, k], `unknown field (allowed: ${allowed.join(', ')})`);
    return v;
  };
  const positive = (o: Obj, key: string, path: ConfigPath, fallback: number): number => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || (v as number) < 1) {
      fail([...path, key], `must be a positive integer, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as number;
  };
  const addresses = (v: unknown, path: ConfigPath): string[] => {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) {
      fail(path, 'must be an address or a list of addresses');
      return [];
    }
    list.forEach((a: string, i) => {
      if (!ADDRESS.test(a.trim())) fail([...path, i], `not an e-mail address: ${JSON.stringify(a)}`);
    });
    return list as string[];
  };

  const top = section(raw, ['results'], ['kcidb', 'regressions', 'report']);
  const k = section(top.kcidb, ['results', 'kcidb'], ['origin', 'batch_size']);
  if (k.origin !== undefined) {
    if (typeof k.origin !== 'string' || !/^[a-z0-9_]+$/.test(k.origin))
      fail(['results', 'kcidb', 'origin'], 'must match [a-z0-9_]+ (KCIDB origin)');
    else results.kcidb.origin = k.origin;
  }
  results.kcidb.batchSize = positive(k, 'batch_size', ['results', 'kcidb'], results.kcidb.batchSize);

  const r = section(top.regressions, ['results', 'regressions'], ['flaky_window', 'flaky_changes']);
  results.regressions.flakyWindow = positive(r, 'flaky_window', ['results', 'regressions'], 5);
  results.regressions.flakyChanges = positive(r, 'flaky_changes', ['results', 'regressions'], 3);

  const m = section(
    top.report,
    ['results', 'report'],
    ['recipients', 'default_recipients', 'temporal_ui_url', 'temporal_namespace'],
  );
  for (const [tree, list] of Object.entries(
    section(m.recipients, ['results', 'report', 'recipients'], knownTrees),
  )) {
    results.report.recipients[tree] = addresses(list, ['results', 'report', 'recipients', tree]);
  }
  if (m.default_recipients !== undefined)
    results.report.defaultRecipients = addresses(m.default_recipients, [
      'results',
      'report',
      'default_recipients',
    ]);
  for (const key of ['temporal_ui_url', 'temporal_namespace'] as const) {
    const v = m[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') fail(['results', 'report', key], 'must be a non-empty string');
    else if (key === 'temporal_ui_url') results.report.temporalUiUrl = v.replace(/\/+$/, '');
    else results.report.temporalNamespace = v;
  }
  return { results, problems };
}

/** Who gets a tree's mails. */
export function recipientsFor(results: ResultsConfig, tree: string): string[] {
  return results.report.recipients[tree] ?? results.report.defaultRecipients;
}
