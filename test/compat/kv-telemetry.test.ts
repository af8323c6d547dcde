// The key/value store and telemetry as upstream's clients call them: kernelci-core's `set_kv`/`get_kv`
// (POST a JSON string, GET the string or null) against kernelci-api's `/kv` routes, and the pipeline's
// TelemetryEmitter (`api.telemetry.add(events)`: a list of `{kind, ts, runtime, …}`) with the read routes
// as kernelci-api's tests/unit_tests/test_telemetry_handler.py queries them.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, http, startTestApi, type TestApi, type TestUser } from '../support/api';
import { uniqueSuffix } from '../support/harness';

describe('KernelCI compatibility: key/value store', () => {
  let api: TestApi;
  let user: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    api = await startTestApi();
    [user, other] = await Promise.all([createTestUser(api), createTestUser(api)]);
  });

  it('set_kv / get_kv / delete as upstream answers them; shared between users', async () => {
    const ns = `pipeline-${uniqueSuffix()}`;
    expect((await http(api, 'GET', `/latest/kv/${ns}/last-commit`)).status).toBe(401);
    const unset = await http(api, 'GET', `/latest/kv/${ns}/last-commit`, { token: user.token });
    expect(unset.status).toBe(200);
    expect(unset.body).toBeNull();
    // The Python client posts json.dumps(value): a JSON string.
    const set = await http(api, 'POST', `/latest/kv/${ns}/last-commit`, {
      token: user.token,
      json: 'abc123',
    });
    expect(set.status).toBe(200);
    expect(set.body).toBe('OK');
    expect((await http(api, 'GET', `/latest/kv/${ns}/last-commit`, { token: other.token })).body).toBe(
      'abc123',
    );
    await http(api, 'PUT', `/latest/kv/${ns}/last-commit`, { token: other.token, json: 'def456' });
    expect((await http(api, 'GET', `/latest/kv/${ns}/last-commit`, { token: user.token })).body).toBe(
      'def456',
    );
    // An empty value (json.dumps(None)) deletes, as upstream.
    expect(
      (await http(api, 'POST', `/latest/kv/${ns}/last-commit`, { token: user.token, json: null })).body,
    ).toBe('OK');
    expect((await http(api, 'GET', `/latest/kv/${ns}/last-commit`, { token: user.token })).body).toBeNull();
    await http(api, 'POST', `/latest/kv/${ns}/k2`, { token: user.token, json: 'v' });
    const del = await http(api, 'DELETE', `/latest/kv/${ns}/k2`, { token: user.token });
    expect(del.body).toBe('Key-value pair deleted successfully');
    expect((await http(api, 'GET', `/latest/kv/${ns}/k2`, { token: user.token })).body).toBeNull();
  });

  it('names the field of bad input', async () => {
    const notString = await http(api, 'POST', '/latest/kv/ns/key', { token: user.token, json: { v: 1 } });
    expect(notString.status).toBe(400);
    expect(notString.body.detail).toMatch(/^body: must be a JSON string/);
    const badKey = await http(api, 'GET', '/latest/kv/ns/..%2Fetc', { token: user.token });
    expect(badKey.status).toBe(400);
    expect(badKey.body.detail).toMatch(/^params\.key/);
  });
});

describe('KernelCI compatibility: telemetry', () => {
  let api: TestApi;
  let service: TestUser;
  const lab = `lava-${uniqueSuffix()}`;

  beforeAll(async () => {
    api = await startTestApi();
    service = await createTestUser(api);
    const now = Date.now();
    const ts = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    // What the scheduler, the monitor and the LAVA callback flush: job results on two boards of one lab
    // (board-01 fails every time on infrastructure), a passing job on another lab, runtime errors.
    const events = [
      ...[3, 2, 1].map((m) => ({
        kind: 'job_result',
        ts: ts(m),
        runtime: lab,
        device_type: 'board',
        device_id: 'board-01',
        job_name: 'baseline',
        result: 'incomplete',
        is_infra_error: true,
        error_type: 'Infrastructure',
        error_msg: 'bootloader-commands timed out after 180 seconds',
      })),
      ...[3, 2, 1].map((m) => ({
        kind: 'job_result',
        ts: ts(m),
        runtime: lab,
        device_type: 'board',
        device_id: 'board-02',
        job_name: 'baseline',
        result: 'pass',
        is_infra_error: false,
      })),
      { kind: 'job_submission', ts: ts(5), runtime: lab, job_name: 'baseline', device_type: 'board' },
      { kind: 'job_result', ts: ts(4), runtime: 'shell', job_name: 'kbuild', result: 'pass' },
      ...[1, 2, 3].map((m) => ({
        kind: 'runtime_error',
        ts: ts(m),
        runtime: lab,
        error_type: 'submit_error',
      })),
    ];
    const res = await http(api, 'POST', '/latest/telemetry', { token: service.token, json: events });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ inserted: events.length });
  });

  it('POST needs a user and a list of records with a kind', async () => {
    expect((await http(api, 'POST', '/latest/telemetry', { json: [{ kind: 'job_result' }] })).status).toBe(
      401,
    );
    const bad = await http(api, 'POST', '/latest/telemetry', {
      token: service.token,
      json: [{ runtime: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe('body.0.kind: field required');
  });

  it('GET /telemetry pages records, newest first, filtered by field (lab = runtime)', async () => {
    const page = await http(api, 'GET', `/latest/telemetry?lab=${lab}&kind=job_result&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(6);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0]).toMatchObject({
      kind: 'job_result',
      runtime: lab,
      submitter: service.username,
    });
    expect(Date.parse(page.body.items[0].ts)).toBeGreaterThanOrEqual(Date.parse(page.body.items[1].ts));
  });

  it('stats group and filter by lab and device_id (test_stats_groups_and_filters_by_lab_and_device_id)', async () => {
    const res = await http(
      api,
      'GET',
      `/latest/telemetry/stats?group_by=lab,device_id&kind=job_result&lab=${lab}&device_id=board-01`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { lab, device_id: 'board-01', total: 3, pass: 0, fail: 0, incomplete: 3, skip: 0, infra_error: 3 },
    ]);
    const conflicting = await http(
      api,
      'GET',
      `/latest/telemetry/stats?group_by=lab&lab=${lab}&runtime=other`,
    );
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.detail).toMatch(/^querystring\.lab/);
  });

  it('device anomalies report the failing board only (test_device_anomalies_use_job_results_and_physical_ids)', async () => {
    const res = await http(
      api,
      'GET',
      '/latest/telemetry/anomalies?scope=device&window=48h&threshold=1.0&min_total=3',
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('device');
    const mine = res.body.result_anomalies.filter((a: { lab: string }) => a.lab === lab);
    expect(mine).toEqual([
      {
        runtime: lab,
        lab,
        device_type: 'board',
        device_id: 'board-01',
        total: 3,
        pass: 0,
        fail: 0,
        incomplete: 3,
        skip: 0,
        infra_error: 3,
        infra_rate: 1,
        fail_rate: 1,
        constant_failure: true,
        constant_infra_failure: true,
        last_seen: expect.any(String),
        latest_error_type: 'Infrastructure',
        latest_error_msg: 'bootloader-commands timed out after 180 seconds',
      },
    ]);
    expect(res.body.runtime_error_anomalies).toContainEqual(
      expect.objectContaining({ runtime: lab, error_type: 'submit_error', total: 3 }),
    );
    // Per runtime the lab's failure rate is 50%: an anomaly at threshold 0.5, not at 0.6.
    const half = await http(api, 'GET', '/latest/telemetry/anomalies?threshold=0.5');
    expect(half.body.result_anomalies.map((a: { lab: string }) => a.lab)).toContain(lab);
    const above = await http(api, 'GET', '/latest/telemetry/anomalies?threshold=0.6');
    expect(above.body.result_anomalies.map((a: { lab: string }) => a.lab)).not.toContain(lab);
  });

  it('an unknown scope is refused (test_device_anomalies_reject_invalid_scope; ours is a 400)', async () => {
    const res = await http(api, 'GET', '/latest/telemetry/anomalies?scope=lab');
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('querystring.scope: must be one of runtime, device');
  });
});
