// KTAP (the kernel's test output: kunit, kselftest) → test outcomes. Follows the KTAP v1 layout:
//   KTAP version 1          (or "TAP version 13" from kselftest)
//   1..N
//       KTAP version 1      nested tests are indented four more spaces and precede their result line
//       # Subtest: suite
//       ok 1 case_a
//       not ok 2 case_b
//   ok 1 suite # SKIP reason
// Console prefixes (dmesg timestamps, LAVA's serial noise) before the version line are cut off every line.
import type { TestOutcome, TestResult } from '../runtimes/runtime';

const VERSION_LINE = /(K?TAP version \d+)/;
const RESULT_LINE = /^(not ok|ok)\s+\d+\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$/;
const TAP_LINE = /^(K?TAP version \d+|\d+\.\.\d+|ok\b|not ok\b|# )/;
const MAX_TESTS = 50_000;

interface Line {
  indent: number;
  text: string;
}

export class KtapError extends Error {}

/** True when the text carries a KTAP/TAP version line (how a results file is told apart from JSON). */
export function looksLikeKtap(text: string): boolean {
  return VERSION_LINE.test(text);
}

/** Parses KTAP output; lines before the first version line and unparsable lines are ignored. */
export function parseKtap(text: string): TestOutcome[] {
  const raw = text.split(/\r?\n/);
  const start = raw.findIndex((l) => VERSION_LINE.test(l));
  if (start < 0) throw new KtapError('KTAP: no "KTAP version" or "TAP version" line');
  const prefixLength = raw[start].search(VERSION_LINE);
  const lines: Line[] = [];
  for (const l of raw.slice(start)) {
    const body = l.slice(prefixLength).replace(/\s+$/, '');
    if (!body) continue;
    let text = body.trimStart();
    let indent = body.length - text.length;
    // kselftest nests a test's own TAP output behind "# " instead of indenting it.
    while (text.startsWith('# ') && TAP_LINE.test(text.slice(2).trimStart())) {
      text = text.slice(2).trimStart();
      indent += 4;
    }
    lines.push({ indent, text });
  }
  const counter = { n: 0 };
  return parseBlock(lines, 0, lines.length, lines[0].indent, counter);
}

function parseBlock(
  lines: Line[],
  from: number,
  to: number,
  indent: number,
  counter: { n: number },
): TestOutcome[] {
  const out: TestOutcome[] = [];
  let pendingStart = -1;
  for (let i = from; i < to; i++) {
    const line = lines[i];
    if (line.indent > indent) {
      if (pendingStart < 0) pendingStart = i;
      continue;
    }
    if (line.indent < indent) continue;
    const m = RESULT_LINE.exec(line.text);
    if (!m) continue;
    if (++counter.n > MAX_TESTS) throw new KtapError(`KTAP: more than ${MAX_TESTS} tests`);
    const [, status, rawName, directive] = m;
    const name = rawName.trim() || `test-${counter.n}`;
    const result = lineResult(status, directive);
    const children =
      pendingStart >= 0 ? parseBlock(lines, pendingStart, i, lines[pendingStart].indent, counter) : [];
    pendingStart = -1;
    if (children.length) {
      // A group whose own line failed although no child did (a crash between cases) keeps the failure.
      const failed = result === 'fail' && !children.some(hasFailure);
      out.push({ name, tests: failed ? [...children, { name: 'result', result: 'fail' }] : children });
    } else {
      out.push({ name, result });
    }
  }
  // Deeper results with no parent line after them (output cut short, or a parent printed first).
  if (pendingStart >= 0)
    out.push(...parseBlock(lines, pendingStart, to, lines[pendingStart].indent, counter));
  return out;
}

function lineResult(status: string, directive: string | undefined): TestResult {
  if (directive && /^skip\b/i.test(directive.trim())) return 'skip';
  return status === 'ok' ? 'pass' : 'fail';
}

function hasFailure(t: TestOutcome): boolean {
  return t.tests ? t.tests.some(hasFailure) : t.result === 'fail';
}
