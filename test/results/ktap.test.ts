// KTAP parsing against real kernel output: the KUnit tool's own test data (fixtures/README.md).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KtapError, looksLikeKtap, parseKtap } from '../../src/results/ktap';
import { parseResults } from '../../src/results';

const read = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('KTAP parser', () => {
  it('nested suites with skips (KTAP/TAP 14, four-space indentation)', () => {
    expect(parseKtap(read('kunit-skip_tests.log'))).toEqual([
      {
        name: 'string-stream-test',
        tests: [
          { name: 'string_stream_test_empty_on_creation', result: 'pass' },
          { name: 'string_stream_test_analt_empty_after_add', result: 'pass' },
          { name: 'string_stream_test_get_string', result: 'pass' },
        ],
      },
      {
        name: 'example',
        tests: [
          { name: 'example_simple_test', result: 'pass' },
          { name: 'example_skip_test', result: 'skip' },
        ],
      },
    ]);
  });

  it('three levels, tab indentation and stray kernel lines between results', () => {
    const tests = parseKtap(read('kunit-all_passed_nested.log'));
    expect(tests.map((t) => t.name)).toEqual(['sysctl_test', 'example']);
    const sysctl = tests[0].tests!;
    expect(sysctl.map((t) => t.name)).toEqual([
      'sysctl_test_dointvec_null_tbl_data',
      'example',
      'sysctl_test_dointvec_table_len_is_zero',
      'sysctl_test_dointvec_table_read_but_position_set',
    ]);
    expect(sysctl[1].tests).toEqual([
      { name: 'example_simple_test', result: 'pass' },
      { name: 'example_mock_test', result: 'pass' },
    ]);
    expect(tests[1].tests).toHaveLength(2);
  });

  it('kselftest output nested behind "# " (TAP 13)', () => {
    const tests = parseKtap(read('kunit-kselftest.log'));
    expect(tests.map((t) => t.name)).toEqual([
      'selftests: membarrier: membarrier_test_single_thread',
      'selftests: membarrier: membarrier_test_multi_thread',
    ]);
    expect(tests[0].tests!.map((t) => [t.name, t.result])).toEqual([
      ['sys_membarrier available', 'pass'],
      [
        'sys membarrier invalid command test: command = -1, flags = 0, errno = 22. Failed as expected',
        'pass',
      ],
    ]);
  });

  it('failures, including a nested block whose parent line comes first', () => {
    const tests = parseKtap(read('kunit-failure-nested.log'));
    expect(tests[0]).toEqual({ name: 'subtest 1', result: 'fail' });
    expect(tests[1].name).toBe('subtest 2');
    expect(tests[1].tests).toEqual([{ name: 'subsubtest 1', result: 'fail' }]);
  });

  it('console prefixes (dmesg timestamps) and a panic after the results', () => {
    const text = read('kunit-output_with_prefix_isolated_correctly.log');
    expect(looksLikeKtap(text)).toBe(true);
    const tests = parseKtap(text);
    expect(tests.map((t) => [t.name, t.tests?.length])).toEqual([
      ['kunit-resource-test', 5],
      ['kunit-try-catch-test', 2],
      ['string-stream-test', 3],
    ]);
  });

  it('a suite line that fails with no failing case keeps the failure', () => {
    const tests = parseKtap('KTAP version 1\n1..1\n    KTAP version 1\n    1..1\n    ok 1 a\nnot ok 1 s\n');
    expect(tests[0].tests).toEqual([
      { name: 'a', result: 'pass' },
      { name: 'result', result: 'fail' },
    ]);
  });

  it('refuses text without a version line', () => {
    expect(() => parseKtap('ok 1 x\n')).toThrow(KtapError);
    expect(looksLikeKtap('{"tests": []}')).toBe(false);
  });

  it('a results file is KTAP or the JSON summary', () => {
    expect(parseResults(read('kunit-skip_tests.log'))).toHaveLength(2);
    expect(parseResults('{"tests": [{"name": "boot", "result": "pass"}]}')).toEqual([
      { name: 'boot', result: 'pass' },
    ]);
  });
});
