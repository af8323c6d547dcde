// FerretDB (and MongoDB field-path semantics) cannot store keys containing "." or starting with "$", nor
// arrays directly inside arrays. Node bodies are checked up front, on every backend, so a client gets a
// 400 naming the key instead of a storage error.
import { invalid } from '../../errors';

const MAX_DEPTH = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws a 400 naming the first offending key or nested array found under `path`. */
export function assertStorableValue(value: unknown, path: string, depth = 0): void {
  if (depth > MAX_DEPTH) throw invalid(`${path}: nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (Array.isArray(item)) throw invalid(`${path}[${i}]: nested arrays are not supported`);
      assertStorableValue(item, `${path}[${i}]`, depth + 1);
    });
    return;
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw invalid(`${path}: not valid Unicode (lone surrogate)`);
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('.')) throw invalid(`${path}.${key}: keys must not contain "." (use "_" instead)`);
    if (key.startsWith('$')) throw invalid(`${path}.${key}: keys must not start with "$"`);
    if (key === '') throw invalid(`${path}: empty keys are not allowed`);
    if (LONE_SURROGATE.test(key)) throw invalid(`${path}: key is not valid Unicode (lone surrogate)`);
    assertStorableValue(item, `${path}.${key}`, depth + 1);
  }
}
