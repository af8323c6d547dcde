import { describe, expect, it } from 'vitest';
import { aggregateResults, groupResult, jobResult, parseTestSummary } from '../../src/runtimes/test-summary';

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

  it("a job's result: its tests decide unless the command failed, could not run, or its setup failed", () => {
    const pass = { name: 'boot', result: 'pass' };
    const fail = { name: 'boot', result: 'fail' };
    const skip = { name: 'boot', result: 'skip' };
    expect(jobResult('pass', [])).toBe('pass');
    expect(jobResult('fail', [])).toBe('fail');
    expect(jobResult('pass', [pass, skip])).toBe('pass');
    expect(jobResult('pass', [pass, fail])).toBe('fail');
    expect(jobResult('pass', [skip])).toBe('skip');
    expect(jobResult('fail', [pass])).toBe('fail');
    expect(jobResult('incomplete', [pass])).toBe('incomplete');
    expect(jobResult('pass', [{ name: 'setup', result: 'fail' }, pass])).toBe('incomplete');
  });
});
