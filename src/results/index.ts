// A job's results file ($KCI_RESULTS) is either KTAP (kunit/kselftest output, written as is) or the
// JSON summary of src/runtimes/test-summary.ts; this tells them apart.
import type { TestOutcome } from '../runtimes/runtime';
import { parseTestSummary } from '../runtimes/test-summary';
import { looksLikeKtap, parseKtap } from './ktap';

export * from './ktap';

export function parseResults(text: string): TestOutcome[] {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[' && looksLikeKtap(text)) return parseKtap(text);
  return parseTestSummary(text);
}
