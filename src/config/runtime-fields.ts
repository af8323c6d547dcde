// The fields each runtime type accepts in `runtimes.<name>`. One entry per type: the compiler refuses a
// runtime type without a validator here (and without an implementation in src/runtimes/table.ts), so
// validation never accepts something a lab worker cannot run.
import { Checker, describe, type Obj } from './checker';
import type { ConfigPath } from './source-map';
import { LAVA_FIELDS, lavaRuntimeProblems } from '../runtimes/lava/settings';
import type { RuntimeFieldsByType, RuntimeType } from './types';

type FieldValidator<T extends RuntimeType> = (c: Checker, r: Obj, path: ConfigPath) => RuntimeFieldsByType[T];

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?$/i;
const SIZE_UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** "512m", "4g", "4Gi" or a number of bytes → bytes (Docker's -m takes binary units: m = MiB). */
export function parseMemory(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw > 0 ? raw : null;
  if (typeof raw !== 'string') return null;
  const m = SIZE.exec(raw.trim());
  if (!m) return null;
  // Docker reads "512m" as 512 MiB; so do we ("512Mi" too).
  const unit = (m[2] ?? '').toLowerCase().replace('i', '');
  const bytes = Math.round(Number(m[1]) * SIZE_UNITS[unit]);
  return bytes > 0 ? bytes : null;
}

/** Kubernetes resource quantity: "2", "500m", "4Gi", "1.5". */
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

function quantity(c: Checker, r: Obj, key: string, path: ConfigPath): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !QUANTITY.test(s)) {
    c.fail([...path, key], `must be a Kubernetes quantity like "2", "500m" or "4Gi", got ${describe(v)}`);
    return undefined;
  }
  return s;
}

export const RUNTIME_FIELDS: {
  [T in RuntimeType]: { fields: readonly string[]; validate: FieldValidator<T> };
} = {
  shell: { fields: [], validate: () => ({}) },
  docker: {
    fields: ['image', 'cpus', 'memory', 'network', 'env'],
    validate: (c, r, path) => {
      let memoryBytes: number | undefined;
      if (r.memory !== undefined) {
        memoryBytes = parseMemory(r.memory) ?? undefined;
        if (memoryBytes === undefined)
          c.fail([...path, 'memory'], `must be a size like "512m" or "4g", got ${describe(r.memory)}`);
      }
      return {
        image: c.string(r, 'image', path, false),
        cpus: c.positiveNumber(r, 'cpus', path),
        memoryBytes,
        network: c.string(r, 'network', path, false),
        env: c.stringMap(r, 'env', path),
      };
    },
  },
  kubernetes: {
    fields: [
      'image',
      'namespace',
      'service_account',
      'cpu',
      'memory',
      'node_selector',
      'storage_token_secret',
      'context',
      'env',
    ],
    validate: (c, r, path) => {
      let secret: { name: string; key: string } | undefined;
      if (r.storage_token_secret !== undefined) {
        const s = c.map(r.storage_token_secret, [...path, 'storage_token_secret']);
        c.unknownKeys(s, ['name', 'key'], [...path, 'storage_token_secret']);
        const name = c.string(s, 'name', [...path, 'storage_token_secret']);
        const key = c.string(s, 'key', [...path, 'storage_token_secret']);
        if (name && key) secret = { name, key };
      } else c.fail([...path, 'storage_token_secret'], 'required (the pod uploads its artifacts)');
      return {
        image: c.string(r, 'image', path, false),
        namespace: c.string(r, 'namespace', path, false) ?? 'default',
        service_account: c.string(r, 'service_account', path, false),
        cpu: quantity(c, r, 'cpu', path),
        memory: quantity(c, r, 'memory', path),
        node_selector: c.stringMap(r, 'node_selector', path),
        storage_token_secret: secret,
        context: c.string(r, 'context', path, false),
        env: c.stringMap(r, 'env', path),
      };
    },
  },
  lava: {
    fields: LAVA_FIELDS,
    validate: (c, r, path) => {
      const { type: _type, ...fields } = r;
      for (const [p, message] of lavaRuntimeProblems(fields)) c.fail([...path, ...p], message);
      return fields;
    },
  },
};

/** Checks `runtimes.<name>` of a known type: unknown fields and bad values are problems. */
export function validateRuntimeFields<T extends RuntimeType>(
  c: Checker,
  type: T,
  r: Obj,
  path: ConfigPath,
): RuntimeFieldsByType[T] {
  const entry = RUNTIME_FIELDS[type];
  c.unknownKeys(r, ['type', ...entry.fields], path);
  const fields = entry.validate(c, r, path);
  // Leave unset fields out, so the job spec stays small in workflow histories.
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as RuntimeFieldsByType[T];
}

/** Runtime types that run a container image: a job on them needs an image from the runtime or its template. */
export const IMAGE_RUNTIMES: readonly RuntimeType[] = ['docker', 'kubernetes'];
