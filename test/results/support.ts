// Real receivers for the results tests: kcidb-io (KCIDB's own schema validator, in a cached venv), an
// HTTP receiver that answers like KCIDB's REST daemon (kcidb-ng `kcidb-restd-rs`: HS256 JWT bearer,
// `POST /submit` → `{"id", "status": "ok", "message"}`), and an SMTP server (the `smtp-server` package).
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import { SMTPServer } from 'smtp-server';
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

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpReceiver {
  url: string;
  mails: ReceivedMail[];
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'));
        mails.push({
          ...mail,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, mails };
}

// --- a small MIME reader: enough for nodemailer's text + HTML alternative messages -------------------

function headersOf(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function decodeBody(body: string, encoding = ''): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
  );
}

export function parseMail(raw: string): Omit<ReceivedMail, 'from' | 'to'> {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = headersOf(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const parts: { type: string; content: string }[] = [];
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  if (boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const at = chunk.search(/\r?\n\r?\n/);
      const h = headersOf(chunk.slice(0, at));
      parts.push({
        type: h['content-type'] ?? '',
        content: decodeBody(chunk.slice(at).replace(/^\r?\n\r?\n/, ''), h['content-transfer-encoding']),
      });
    }
  } else {
    parts.push({
      type: headers['content-type'] ?? 'text/plain',
      content: decodeBody(body, headers['content-transfer-encoding']),
    });
  }
  // SMTP lines end in CRLF; the mails were written with LF.
  for (const p of parts) p.content = p.content.replace(/\r\n/g, '\n');
  return {
    headers,
    subject: decodeWords(headers.subject ?? ''),
    text: parts.find((p) => p.type.startsWith('text/plain'))?.content ?? '',
    html: parts.find((p) => p.type.startsWith('text/html'))?.content ?? '',
  };
}
