// LAVA's REST API v0.2, the three calls the runtime needs: submit a job, read its state, cancel it.
// Authentication: `Authorization: Token <token>` (a LAVA API token of the lab's submitting user).

export interface LavaJobState {
  id: number;
  state: string;
  health: string;
}

export class LavaApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class LavaClient {
  readonly baseUrl: string;

  constructor(
    url: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** The job's page in LAVA's web UI. */
  jobUrl(id: number): string {
    return `${this.baseUrl}/scheduler/job/${id}`;
  }

  /** POST /api/v0.2/jobs/ {definition} → the new job's id. */
  async submit(definition: string): Promise<number> {
    const body = await this.call<{ job_ids?: number[]; message?: string }>('POST', '/jobs/', { definition });
    const id = body.job_ids?.[0];
    if (typeof id !== 'number')
      throw new LavaApiError(`LAVA accepted the job but returned no id: ${JSON.stringify(body)}`);
    return id;
  }

  async job(id: number): Promise<LavaJobState> {
    return this.call<LavaJobState>('GET', `/jobs/${id}/`);
  }

  /** Asks LAVA to cancel a job; a job that already finished is left as it is. LAVA 2023.01 routes this as GET. */
  async cancel(id: number): Promise<void> {
    await this.call('GET', `/jobs/${id}/cancel/`);
  }

  private async call<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}/api/v0.2${apiPath}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Token ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new LavaApiError(`LAVA ${method} ${url}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok)
      throw new LavaApiError(`LAVA ${method} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`, res.status);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new LavaApiError(`LAVA ${method} ${url}: answer is not JSON: ${text.slice(0, 200)}`, res.status);
    }
  }
}
