// The dashboard's pure parts, without a browser: routes, the API prefix, grouping tests under jobs.
import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/dashboard/types';
import { groupTestsByJob, tally } from '../../src/dashboard/grouping';
import { apiBase, parseRoute } from '../../src/dashboard/routes';

const ID = 'a'.repeat(24);

function node(id: string, kind: string, parent: string | null, result: string | null = null): Node {
  return {
    id,
    kind,
    name: id,
    path: [],
    group: null,
    parent,
    state: result ? 'done' : 'running',
    result,
    artifacts: {},
    data: {},
    created: '2026-11-30T00:00:00Z',
    updated: '2026-11-30T00:00:00Z',
    timeout: null,
    holdoff: null,
    owner: 'x',
    treeid: 'root',
  };
}

describe('dashboard routes', () => {
  it('parses every view and rejects malformed ids', () => {
    expect(parseRoute('').view).toBe('trees');
    expect(parseRoute('#/').view).toBe('trees');
    expect(parseRoute(`#/revision/${ID}`)).toMatchObject({ view: 'revision', params: [ID] });
    expect(parseRoute(`#/node/${ID}`)).toMatchObject({ view: 'node', params: [ID] });
    expect(parseRoute('#/tree/next/pending%2Ffixes')).toMatchObject({
      view: 'tree',
      params: ['next', 'pending/fixes'],
    });
    expect(parseRoute('#/search?q=v6.9%20rc').query.get('q')).toBe('v6.9 rc');
    expect(parseRoute('#/revision/123').view).toBe('unknown');
    expect(parseRoute(`#/node/${ID}/x`).view).toBe('unknown');
    expect(parseRoute('#main').view).toBe('unknown');
  });

  it('reads the API under the version prefix the page was served from, behind any proxy prefix', () => {
    expect(apiBase('/dashboard/')).toBe('/latest');
    expect(apiBase('/dashboard')).toBe('/latest');
    expect(apiBase('/latest/dashboard/')).toBe('/latest');
    expect(apiBase('/v0/dashboard/')).toBe('/v0');
    expect(apiBase('/kernelci/api/dashboard/')).toBe('/kernelci/api/latest');
    expect(apiBase('/kernelci/v0/dashboard/')).toBe('/kernelci/v0');
    expect(apiBase('/elsewhere/')).toBe('/latest');
  });
});

describe('tests grouped by job', () => {
  it('puts nested tests under the nearest job ancestor, keeps platforms apart and drops orphans', () => {
    const jobs = [node('job-x86', 'job', 'build'), node('job-arm', 'job', 'build')];
    const tests = [
      node('smoke', 'test', 'job-x86', 'fail'),
      node('smoke.hello', 'test', 'smoke', 'fail'),
      node('smoke.bye', 'test', 'smoke', 'pass'),
      node('boot', 'test', 'job-arm', 'pass'),
      node('deep', 'test', 'smoke.hello', 'skip'),
      node('orphan', 'test', 'not-loaded', 'pass'),
    ];
    const groups = groupTestsByJob(jobs, tests);
    expect(groups.get('job-x86')!.map((t) => t.id)).toEqual(['smoke', 'smoke.hello', 'smoke.bye', 'deep']);
    expect(groups.get('job-arm')!.map((t) => t.id)).toEqual(['boot']);
    // Leaves only: smoke and smoke.hello are groups here.
    expect(tally(groups.get('job-x86')!)).toEqual({ pass: 1, fail: 0, skip: 1, incomplete: 0, pending: 0 });
  });

  it('a parent cycle in bad data cannot hang the page', () => {
    const tests = [node('a', 'test', 'b'), node('b', 'test', 'a')];
    expect(groupTestsByJob([node('j', 'job', null)], tests).get('j')).toEqual([]);
    expect(tally([node('t', 'test', 'j')])).toMatchObject({ pending: 1 });
  });
});
