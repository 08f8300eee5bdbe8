// Sends one batch of messages to POST /api/v1/telemetry with a device's key. Waits and retries when
// the platform is busy (503, 429: Retry-After honoured) or unreachable; turns a refusal of one
// message (422 naming "[i]…") into the index of the bad message so the caller can name its line.

export class PlatformError extends Error {}

export type SendResult = { ok: true; points: number } | { ok: false; index: number; reason: string };

export interface SenderOptions {
  url: string;
  retries: number;
  /** First wait between retries in ms; doubled each time, capped at 30 s. */
  backoffMs: number;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: string } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterMs(res: Response): number | undefined {
  const header = res.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export class TelemetrySender {
  retried = 0;
  constructor(private readonly opts: SenderOptions) {}

  async send(deviceId: string, apiKey: string, messages: readonly unknown[]): Promise<SendResult> {
    const endpoint = new URL('/api/v1/telemetry', this.opts.url);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify(messages),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        if (attempt >= this.opts.retries) throw new PlatformError(`cannot reach ${this.opts.url} (${cause}) after ${attempt + 1} attempts`);
        await this.wait(attempt);
        continue;
      }
      const body = (await res.json().catch(() => ({}))) as ErrorBody & { points?: number };
      if (res.status === 201) return { ok: true, points: body.points ?? 0 };
      const reason = body.error?.message ?? `HTTP ${res.status}`;
      if (res.status === 503 || res.status === 429) {
        if (attempt >= this.opts.retries) throw new PlatformError(`the platform stayed busy (${res.status}: ${reason}) after ${attempt + 1} attempts`);
        await this.wait(attempt, retryAfterMs(res));
        continue;
      }
      if (res.status === 401 || res.status === 403) throw new PlatformError(`the platform refused the key of device ${deviceId}: ${reason}`);
      if (res.status === 413) throw new PlatformError(`a batch was too large for the platform (${reason}); use a smaller --batch-size`);
      const at = /^\[(\d+)\]/.exec(body.error?.details?.field ?? reason);
      if ((res.status === 422 || res.status === 400) && at) return { ok: false, index: Number(at[1]), reason: reason.replace(/^\[\d+\]\.?/, '') };
      throw new PlatformError(`the platform answered ${res.status} for device ${deviceId}: ${reason}`);
    }
  }

  private async wait(attempt: number, hintMs?: number): Promise<void> {
    this.retried++;
    await sleep(hintMs ?? Math.min(30_000, this.opts.backoffMs * 2 ** attempt));
  }
}
