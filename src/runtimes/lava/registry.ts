// Jobs waiting for LAVA's callback, one JSON file per job node on the lab host's disk: the activity's
// task token, the hash of the job's callback secret and where the results go. A file outlives the lab
// worker process, so a worker killed while LAVA runs the job completes it after a restart.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LabJobResult } from '../test-summary';

export type RegistrationState =
  /** Written before the LAVA submit; a retry finding it resubmits. */
  | 'submitting'
  /** Submitted; the activity waits for the callback. */
  | 'waiting'
  /** The activity was cancelled (tree timeout) or is gone: a late callback is still recorded on the node. */
  | 'abandoned'
  /** The callback was processed; a second one completes nothing. */
  | 'completed';

export interface Registration {
  nodeId: string;
  runtime: string;
  jobName: string;
  jobKind: string;
  state: RegistrationState;
  /** sha256 of the per-job callback secret (the secret itself only travels in LAVA's callback URL). */
  secretHash: string;
  /** Base64 of the current activity attempt's task token. */
  taskToken: string;
  lavaJobId?: number;
  lavaJobUrl?: string;
  storagePrefix: string;
  storage: { baseUrl: string; uploadUrl?: string };
  testData: Record<string, unknown>;
  /** The job prints KTAP on the console (`params.ktap: true`): its tests are parsed from the log too. */
  ktap?: boolean;
  /** What the callback completed the activity with (returned again if the activity is retried). */
  result?: LabJobResult;
  /** Set when a received callback could not be processed yet (API or storage down): retried later. */
  pendingCallback?: boolean;
  updated: string;
}

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

const NODE_ID = /^[0-9a-f]{24}$/i;

export class CallbackRegistry {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(nodeId: string, suffix = '.json'): string {
    if (!NODE_ID.test(nodeId)) throw new Error(`not a node id: ${nodeId}`);
    return path.join(this.dir, `${nodeId}${suffix}`);
  }

  get(nodeId: string): Registration | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(nodeId), 'utf8')) as Registration;
    } catch {
      return undefined;
    }
  }

  put(reg: Omit<Registration, 'updated'>): Registration {
    const full = { ...reg, updated: new Date().toISOString() };
    const target = this.file(reg.nodeId);
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(full), { mode: 0o600 });
    fs.renameSync(tmp, target);
    return full;
  }

  update(nodeId: string, patch: Partial<Registration>): Registration {
    const current = this.get(nodeId);
    if (!current) throw new Error(`no LAVA callback registration for node ${nodeId}`);
    return this.put({ ...current, ...patch });
  }

  list(): Registration[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => /^[0-9a-f]{24}\.json$/i.test(f))
      .map((f) => this.get(f.slice(0, 24)))
      .filter((r): r is Registration => !!r);
  }

  remove(nodeId: string): void {
    for (const suffix of ['.json', '.callback.json']) fs.rmSync(this.file(nodeId, suffix), { force: true });
  }

  /** The raw callback body, kept until processed so a failure to report it loses nothing. */
  saveCallback(nodeId: string, body: string): void {
    const target = this.file(nodeId, '.callback.json');
    fs.writeFileSync(`${target}.tmp`, body, { mode: 0o600 });
    fs.renameSync(`${target}.tmp`, target);
  }

  readCallback(nodeId: string): string | undefined {
    try {
      return fs.readFileSync(this.file(nodeId, '.callback.json'), 'utf8');
    } catch {
      return undefined;
    }
  }
}
