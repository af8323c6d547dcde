// Submission to a KCIDB REST receiver (kcidb-ng `kcidb-restd-rs`): `POST <base>/submit` with the report
// as JSON and `Authorization: Bearer <token>`; 200 `{"id": "<submission id>", "status": "ok", ...}`
// means the report was spooled. A 4xx other than 408/429 will not heal by retrying; anything else may.
import { invalid, unauthenticated } from '../errors';
import type { KcidbReport } from './report';

export interface KcidbEndpoint {
  url: string;
  token?: string;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

export interface KcidbAcceptance {
  submissionId: string;
  bytes: number;
}

export function submitUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/submit`;
}

export async function submitReport(endpoint: KcidbEndpoint, report: KcidbReport): Promise<KcidbAcceptance> {
  const body = JSON.stringify(report);
  const url = submitUrl(endpoint.url);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}),
    },
    body,
    signal: AbortSignal.timeout(endpoint.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let answer: { id?: unknown; status?: unknown; message?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // a proxy's HTML error page: keep the status line only
  }
  const message = typeof answer.message === 'string' ? answer.message : text.slice(0, 200);
  if (res.status === 401 || res.status === 403)
    throw unauthenticated(`KCIDB ${url} refused the token (HTTP ${res.status}): ${message}`);
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
    throw invalid(`KCIDB ${url} rejected the report (HTTP ${res.status}): ${message}`);
  if (res.status !== 200 || answer.status !== 'ok' || typeof answer.id !== 'string')
    throw new Error(`KCIDB ${url} did not accept the report (HTTP ${res.status}): ${message}`);
  return { submissionId: answer.id, bytes: Buffer.byteLength(body) };
}
