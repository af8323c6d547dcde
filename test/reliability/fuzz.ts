// Deterministic generators of bad input for the bad-input suite (seeded, so a failure is reproducible).

/** mulberry32: a tiny seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rand: () => number, n: number) => Math.floor(rand() * n);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Hand-written malformed JSON documents. */
export const MALFORMED_JSON: string[] = [
  '',
  '{',
  '}',
  '[',
  '{"kind": "test",',
  '{"kind": "test", "name": }',
  '{"kind": "test" "name": "x"}',
  '{"kind": "test", "name": "x",}',
  "{'kind': 'test'}",
  '{kind: "test"}',
  '{"kind": "test", "name": "x"} trailing',
  '{"kind": "test", "name": "x"}{}',
  '{"kind": "test", "name": "\\x41"}',
  '{"kind": "test", "name": "unterminated}',
  '{"kind": NaN}',
  '{"kind": Infinity}',
  '{"kind": undefined}',
  '{"kind": 0x10}',
  '{"kind": .5}',
  '{"kind": 01}',
  '{"kind": tru}',
  '{"kind": "test", /* comment */ "name": "x"}',
  '// comment\n{"kind": "test"}',
  'nul',
  '\u0000',
  '{"a":"\u0001"',
  '[[[[[[[[[[',
  '{"kind":"test","name":"x","data":{"a":[1,2,}}',
  '\uFEFF\uFEFF{}',
  '{"__proto__": ',
];

/** Random bytes and mutations of a valid body that no longer parse as JSON. */
export function randomMalformedJson(seed: number, count: number, valid: string): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  const alphabet = '{}[]:,"\\ \nabc019-.eE+tfn\u00e9\u2603';
  while (out.length < count) {
    let text: string;
    if (rand() < 0.4) {
      text = Array.from({ length: 1 + int(rand, 80) }, () => alphabet[int(rand, alphabet.length)]).join('');
    } else {
      const chars = [...valid];
      for (let m = 1 + int(rand, 3); m > 0; m--) {
        const at = int(rand, chars.length);
        const op = int(rand, 3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[int(rand, alphabet.length)]);
        else chars.length = at;
      }
      text = chars.join('');
    }
    if (!parses(text)) out.push(text);
  }
  return out;
}

/** Valid JSON whose shape cannot be a node: wrong top-level types, missing kind, wrong field types. */
export function randomWrongShapes(seed: number, count: number): unknown[] {
  const rand = prng(seed);
  const scalar = (): unknown =>
    [null, true, false, int(rand, 1e6) - 5e5, rand(), 'x'.repeat(int(rand, 10)), ''][int(rand, 7)];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 2 || r < 0.5) return scalar();
    if (r < 0.75) return Array.from({ length: int(rand, 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: int(rand, 4) }, () => [`k${int(rand, 1000)}`, value(depth + 1)]),
    );
  };
  const fields = [
    'name',
    'parent',
    'state',
    'result',
    'artifacts',
    'data',
    'path',
    'timeout',
    'holdoff',
    'user_groups',
    'retry_counter',
  ];
  const out: unknown[] = [];
  while (out.length < count) {
    const kind = int(rand, 4);
    if (kind === 0) out.push(scalar());
    else if (kind === 1) out.push(Array.from({ length: int(rand, 3) }, () => value(1)));
    else if (kind === 2) {
      // an object without `kind`, with random keys
      out.push(
        Object.fromEntries(Array.from({ length: int(rand, 5) }, () => [`f${int(rand, 100)}`, value(1)])),
      );
    } else {
      // a plausible node with one field of a wrong type or value
      const field = fields[int(rand, fields.length)];
      const wrong: Record<string, unknown> = {
        name: [42, null, {}, ['a'], true][int(rand, 5)],
        parent: ['not-an-id', 12, {}, 'zzzzzzzzzzzzzzzzzzzzzzzz'][int(rand, 4)],
        state: ['finished', 1, null, 'RUNNING'][int(rand, 4)],
        result: ['ok', 1, {}, 'PASS'][int(rand, 4)],
        artifacts: ['url', [1], { a: 1 }, { 'a.b': 'x' }][int(rand, 4)],
        data: ['x', 1, [1, 2], { $x: 1 }][int(rand, 4)],
        path: ['a/b', 3, { a: 1 }, [[1]]][int(rand, 4)],
        timeout: ['yesterday', -1, {}, '2026-13-45T99:00:00Z'][int(rand, 4)],
        holdoff: ['soon', [], {}, 'not a date'][int(rand, 4)],
        user_groups: ['admin', 5, [1], { g: 1 }][int(rand, 4)],
        retry_counter: ['1', -1, 1.5, {}][int(rand, 4)],
      };
      out.push({
        kind: ['test', 'checkout', 'nonsense', 5][int(rand, 4)],
        name: 'fuzz',
        [field]: wrong[field],
      });
    }
  }
  return out;
}

/** `{"data": {"a": {"a": …}}}` nested `depth` levels deep. */
export function deeplyNested(depth: number, arrays = false): string {
  return arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
