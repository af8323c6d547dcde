// The collecting checker every part of config validation uses: each problem recorded with its path.
import { parseDuration } from './duration';
import { RULE_DIMENSIONS, type Rules } from './types';
import type { ConfigPath } from './source-map';

export interface ConfigProblem {
  path: ConfigPath;
  message: string;
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const describe = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : JSON.stringify(v);

export class Checker {
  readonly problems: ConfigProblem[] = [];

  fail(path: ConfigPath, message: string): void {
    this.problems.push({ path, message });
  }

  map(value: unknown, path: ConfigPath, required = true): Obj {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'required');
      return {};
    }
    if (!isObj(value)) {
      this.fail(path, `must be a map, got ${describe(value)}`);
      return {};
    }
    return value;
  }

  string(obj: Obj, key: string, path: ConfigPath, required = true): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) this.fail([...path, key], 'required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.fail([...path, key], `must be a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  stringList(obj: Obj, key: string, path: ConfigPath): string[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.fail([...path, key], `must be a list of strings, got ${describe(v)}`);
      return undefined;
    }
    return v as string[];
  }

  duration(obj: Obj, key: string, path: ConfigPath, fallback: string | number): number {
    const raw = obj[key] ?? fallback;
    const ms = parseDuration(raw);
    if (ms === null || ms <= 0) {
      this.fail([...path, key], `must be a duration like "90s", "10m" or "3h", got ${describe(raw)}`);
      return 0;
    }
    return ms;
  }

  unknownKeys(obj: Obj, allowed: readonly string[], path: ConfigPath): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  rules(value: unknown, path: ConfigPath): Rules {
    const obj = this.map(value, path, false);
    this.unknownKeys(obj, RULE_DIMENSIONS, path);
    const out: Rules = {};
    for (const dim of RULE_DIMENSIONS) {
      const raw = obj[dim];
      if (raw === undefined) continue;
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
        this.fail([...path, dim], `must be a string or a list of strings, got ${describe(raw)}`);
        continue;
      }
      out[dim] = list.map(String);
    }
    return out;
  }

  positiveNumber(obj: Obj, key: string, path: ConfigPath): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !(v > 0)) {
      this.fail([...path, key], `must be a positive number, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** A map of strings to strings (environment, node selectors); numbers and booleans are turned into text. */
  stringMap(obj: Obj, key: string, path: ConfigPath): Record<string, string> | undefined {
    if (obj[key] === undefined || obj[key] === null) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.map(obj[key], [...path, key]))) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else this.fail([...path, key, k], `must be a string, got ${describe(v)}`);
    }
    return out;
  }
}
