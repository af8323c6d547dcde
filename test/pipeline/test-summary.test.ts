import { describe, expect, it } from 'vitest';
import { aggregateResults, groupResult, parseTestSummary } from '../../src/runtimes/test-summary';

describe('test summaries and result aggregation', () => {
  it('parses nested groups and aggregates them (any fail → fail, else any pass → pass, else skip)', () => {
    const tests = parseTestSummary(
      JSON.stringify({
        tests: [
          { name: 'boot', result: 'pass' },
          {
            name: 'kselftest',
            tests: [
              { name: 'a', result: 'skip' },
              { name: 'b', result: 'fail' },
            ],
          },
        ],
      }),
    );
    expect(tests.map(groupResult)).toEqual(['pass', 'fail']);
    expect(aggregateResults(['skip', 'skip'])).toBe('skip');
    expect(aggregateResults(['skip', 'pass'])).toBe('pass');
    expect(aggregateResults(['pass', 'fail', null])).toBe('fail');
    expect(parseTestSummary('[{"name": "x", "result": "skip"}]')).toEqual([{ name: 'x', result: 'skip' }]);
  });

  it('rejects malformed summaries with a message naming the entry', () => {
    expect(() => parseTestSummary('{"tests": [{"name": "x", "result": "ok"}]}')).toThrow(
      'test summary: tests[0].result must be one of pass, fail, skip',
    );
    expect(() => parseTestSummary('{"tests": [{"name": "g", "tests": [{"result": "pass"}]}]}')).toThrow(
      'test summary: tests[0].tests[0].name must be a non-empty string',
    );
    expect(() => parseTestSummary('{"results": []}')).toThrow('expected {"tests": [...]} or a list');
  });
});
