// LAVA callback bodies recorded from the real LAVA 2023.01 server of scripts/lava/ (Debian packages),
// for a job that completed, one cancelled while it ran and one that failed on an infrastructure error.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupResult } from '../../src/runtimes/test-summary';
import {
  LAVA_ERROR_CODES,
  LavaCallbackError,
  lavaConsoleLog,
  lavaErrorStatus,
  parseLavaCallback,
} from '../../src/runtimes/lava/results';

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as Record<string, unknown>;

describe('LAVA callback results', () => {
  it('a completed job: its test suite and LAVA steps as setup', () => {
    const out = parseLavaCallback(fixture('callback-complete.json'));
    expect(out.lavaJobId).toBe(3);
    expect(out.status).toBe('pass');
    expect(out.errorCode).toBeUndefined();
    const smoke = out.tests.find((t) => t.name === 'smoke')!;
    expect(smoke.tests).toEqual([
      { name: 'uname', result: 'pass' },
      { name: 'proc-mounted', result: 'pass' },
      { name: 'expected-fail', result: 'fail' },
    ]);
    const setup = out.tests.find((t) => t.name === 'setup')!;
    expect(groupResult(setup)).toBe('pass');
    const names = setup.tests!.map((t) => t.name);
    // The job case carries the verdict, not a step; repeated names get a suffix.
    expect(names).not.toContain('job');
    expect(names).toContain('http-download');
    expect(names).toContain('http-download-2');
    expect(new Set(names).size).toBe(names.length);
    expect(out.consoleLog).toContain('Linux version');
    expect(out.consoleLog).not.toContain('start: 1.1');
  });

  it('an infrastructure error: incomplete with error_code Infrastructure and LAVA message', () => {
    const out = parseLavaCallback(fixture('callback-incomplete-infrastructure.json'));
    expect(out.status).toBe('incomplete');
    expect(out.errorCode).toBe('Infrastructure');
    expect(out.errorMsg).toBe('Unable to start libguestfs');
    const setup = out.tests.find((t) => t.name === 'setup')!;
    expect(groupResult(setup)).toBe('fail');
  });

  it('a cancelled job: incomplete with error_code Canceled', () => {
    const out = parseLavaCallback(fixture('callback-canceled.json'));
    expect(out.lavaJobId).toBe(2);
    expect(out.status).toBe('incomplete');
    expect(out.errorCode).toBe('Canceled');
  });

  it('maps each LAVA error type to fail (the kernel or test) or incomplete (the lab)', () => {
    const mapped = Object.fromEntries(LAVA_ERROR_CODES.map((c) => [c, lavaErrorStatus(c)]));
    expect(mapped).toEqual({
      Infrastructure: 'incomplete',
      Job: 'fail',
      Test: 'fail',
      Bug: 'incomplete',
      Configuration: 'incomplete',
      Canceled: 'incomplete',
      LAVATimeout: 'fail',
    });
  });

  it('keeps the error type of the lava suite job case as error_code', () => {
    const body = fixture('callback-incomplete-infrastructure.json');
    const results = body.results as Record<string, string>;
    for (const code of LAVA_ERROR_CODES.filter((c) => c !== 'Canceled')) {
      const lava = results.lava.replace('error_type: Infrastructure', `error_type: ${code}`);
      const out = parseLavaCallback({ ...body, results: { ...results, lava } });
      expect(out.errorCode).toBe(code);
      expect(out.status).toBe(lavaErrorStatus(code));
    }
  });

  it('rejects bodies that are not LAVA callbacks, naming the field', () => {
    expect(() => parseLavaCallback(null)).toThrow(LavaCallbackError);
    expect(() => parseLavaCallback({ results: {} })).toThrow(/body\.id/);
    expect(() => parseLavaCallback({ id: 1, results: { '0_x': 5 } })).toThrow(/body\.results\.0_x/);
    expect(() => parseLavaCallback({ id: 1, results: { '0_x': 'a: [' } })).toThrow(/results\.0_x: not YAML/);
  });

  it('reads only the target console lines of a LAVA log', () => {
    const log = (fixture('callback-complete.json').log as string) ?? '';
    const text = lavaConsoleLog(log);
    expect(text.split('\n').length).toBeGreaterThan(10);
    expect(lavaConsoleLog(undefined)).toBe('');
  });
});

describe('KTAP on a LAVA console', () => {
  // The completed job's real log, with the kernel's KUnit test data printed on the device's console
  // (as a test definition running kunit or kselftest would print it).
  const body = fixture('callback-complete.json');
  const ktap = fs.readFileSync(path.join(__dirname, '../results/fixtures/kunit-skip_tests.log'), 'utf8');
  const lines = ktap
    .trimEnd()
    .split('\n')
    .map(
      (msg, i) =>
        `- {"dt": "2026-11-30T11:56:40.${String(i).padStart(6, '0')}", "lvl": "target", "msg": ${JSON.stringify(msg)}}`,
    );
  const withKtap = { ...body, log: `${String(body.log).trimEnd()}\n${lines.join('\n')}\n` };

  it('adds the KTAP tests when the job asks for it (params.ktap)', () => {
    const out = parseLavaCallback(withKtap, { ktap: true });
    expect(out.tests.map((t) => t.name)).toEqual(['setup', 'smoke', 'string-stream-test', 'example']);
    expect(out.tests[3].tests).toContainEqual({ name: 'example_skip_test', result: 'skip' });
  });

  it('ignores console KTAP otherwise', () => {
    expect(parseLavaCallback(withKtap).tests.map((t) => t.name)).toEqual(['setup', 'smoke']);
  });
});
