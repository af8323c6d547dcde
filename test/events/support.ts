/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked field by field */
// Helpers for the event tests: an API with fast event settings, and small HTTP helpers.
import { listenedEvent } from '../../src/client/api-client';
import type { Storage } from '../../src/db/storage';
import type { Settings } from '../../src/settings';
import { startTestApi, type TestApi } from '../support/api';

/** Short waits so the tests stay quick (the defaults are for production). */
export const FAST_EVENTS: Partial<Settings> = {
  eventPollInterval: 20,
  eventGapWait: 1500,
  listenTimeout: 2000,
  queueVisibilityTimeout: 1500,
};

export function startEventApi(opts: { db?: Storage; settings?: Partial<Settings> } = {}): Promise<TestApi> {
  return startTestApi({ db: opts.db, settings: { ...FAST_EVENTS, ...opts.settings } });
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/latest${path}`, {
    method,
    headers,
    body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Whether a `/listen` answer is upstream's keep-alive: a CloudEvent with data "BEEP" and no sequence id. */
export function isKeepAlive(body: { type: string; channel: string; data: string }): boolean {
  return body.type === 'message' && listenedEvent(body) === null && JSON.parse(body.data).data === 'BEEP';
}

/** A client of one user: listen until `count` events arrived (keep-alives are skipped). */
export async function listenFor(
  base: string,
  token: string,
  subId: number,
  count: number,
  query = '',
): Promise<any[]> {
  const events: any[] = [];
  while (events.length < count) {
    const res = await http(base, 'GET', `/listen/${subId}${query}`, { token });
    if (res.status !== 200) throw new Error(`listen answered ${res.status}: ${JSON.stringify(res.body)}`);
    const event = listenedEvent(res.body);
    if (!event) continue; // keep-alive
    events.push({ ...event, channel: res.body.channel });
  }
  return events;
}
