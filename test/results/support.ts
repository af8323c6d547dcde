// Real receivers for the results tests: kcidb-io (KCIDB's own schema validator, in a cached venv), an
// HTTP receiver that answers like KCIDB's REST daemon (kcidb-ng `kcidb-restd-rs`: HS256 JWT bearer,
// `POST /submit` → `{"id", "status": "ok", "message"}`); the SMTP receiver is ../support/smtp.ts.
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import { afterAll } from 'vitest';
import type { KcidbReport } from '../../src/kcidb/report';

const run = promisify(execFile);

let python: Promise<string> | undefined;

/** The venv's interpreter (built on first use by scripts/kcidb-venv.sh). */
export function kcidbPython(): Promise<string> {
  python ??= run('bash', [path.resolve(__dirname, '../../scripts/kcidb-venv.sh')], {
    timeout: 300_000,
  }).then((r) => r.stdout.trim());
  return python;
}

const VALIDATE = `
import json, sys
import jsonschema
from kcidb_io import schema
data = json.load(sys.stdin)
try:
    schema.V5_3.validate_exactly(data)
except jsonschema.exceptions.ValidationError as e:
    print(e.message + " at " + "/".join(str(p) for p in e.absolute_path))
    sys.exit(1)
print("valid", schema.V5_3.count(data))
`;

/** null when kcidb-io accepts the report as schema v5.3, else its complaint. */
export async function kcidbValidate(report: unknown): Promise<string | null> {
  const py = await kcidbPython();
  return new Promise((resolve, reject) => {
    const child = execFile(py, ['-c', VALIDATE], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(null);
      if (stdout.trim()) return resolve(stdout.trim());
      reject(new Error(`kcidb-io did not run: ${stderr || err.message}`));
    });
    child.stdin!.end(JSON.stringify(report));
  });
}

export interface KcidbReceiver {
  url: string;
  token: string;
  /** Reports accepted (200), in order. */
  accepted: KcidbReport[];
  /** Requests answered, status by status. */
  answered: number[];
  /** `n` submissions get `status` (e.g. 503), once `afterAccepted` reports have been accepted. */
  failNext(n: number, status: number, afterAccepted?: number): void;
  /** Every id accepted, with how many times. */
  acceptedIds(): Map<string, number>;
}

export async function startKcidbReceiver(): Promise<KcidbReceiver> {
  const secret = new TextEncoder().encode('kcidb-test-secret-kcidb-test-secret');
  const token = await new SignJWT({ origin: 'maestro_test', gendate: new Date().toISOString() })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('2h')
    .sign(secret);
  const accepted: KcidbReport[] = [];
  const answered: number[] = [];
  let failures = { n: 0, status: 0, after: 0 };
  let counter = 0;
  const answer = (res: http.ServerResponse, status: number, body: Record<string, unknown>) => {
    answered.push(status);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/submit') return answer(res, 404, { detail: 'not found' });
        const auth = req.headers.authorization;
        if (!auth) return answer(res, 401, { id: '0', status: 'error', message: 'JWT is required' });
        const jwt = auth.split(' ')[1];
        if (!jwt)
          return answer(res, 401, { id: '0', status: 'error', message: 'Missing or invalid JWT (Bearer)' });
        try {
          await jwtVerify(jwt, secret);
        } catch (err) {
          return answer(res, 401, { id: '0', status: 'error', message: (err as Error).message });
        }
        if (failures.n > 0 && accepted.length >= failures.after) {
          failures = { ...failures, n: failures.n - 1 };
          return answer(res, failures.status, { id: '0', status: 'error', message: 'spool unavailable' });
        }
        const body = Buffer.concat(chunks).toString('utf8');
        let parsed: KcidbReport;
        try {
          parsed = JSON.parse(body) as KcidbReport;
        } catch (err) {
          return answer(res, 400, { id: '0', status: 'error', message: (err as Error).message });
        }
        accepted.push(parsed);
        const id = `s${++counter}${Date.now().toString(36)}`;
        answer(res, 200, {
          id,
          status: 'ok',
          message: `Received submission ${id} with size ${body.length} bytes`,
        });
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    accepted,
    answered,
    failNext(n, status, afterAccepted = 0) {
      failures = { n, status, after: afterAccepted };
    },
    acceptedIds() {
      const ids = new Map<string, number>();
      for (const r of accepted)
        for (const section of [r.checkouts, r.builds, r.tests])
          for (const o of section ?? []) ids.set(String(o.id), (ids.get(String(o.id)) ?? 0) + 1);
      return ids;
    },
  };
}
