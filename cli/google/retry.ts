// Exponential backoff with full jitter, for requests that are safe to send twice (reads, fixed-range writes).
import { errnoCode, prop } from "../errors.js";

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseMs: number;
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultRetryPolicy = (env: NodeJS.ProcessEnv = process.env): RetryPolicy => ({
  retries: 5,
  // Tests and benches shorten the waits; users keep Google's recommended one second base.
  baseMs: Number(env.PIPESHEET_RETRY_BASE_MS ?? 1000),
  maxMs: 32_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
});

export interface HttpFailure {
  /** HTTP status, or null when the connection failed before a response came back. */
  status: number | null;
  /** Seconds from a Retry-After header, when the server sent one. */
  retryAfter: number | null;
}

/** What went wrong with a request, read from a gaxios error (or any error with a network code). */
export function httpFailure(e: unknown): HttpFailure | null {
  if (typeof e !== "object" || e === null) return null;
  const responseStatus = prop(e, "response", "status");
  const ownStatus = prop(e, "status");
  const status = typeof responseStatus === "number" ? responseStatus : typeof ownStatus === "number" ? ownStatus : null;
  let retryAfter: number | null = null;
  const headers = prop(e, "response", "headers");
  const ra = headers instanceof Headers ? headers.get("retry-after") : prop(headers, "retry-after");
  if (typeof ra === "string" && /^\d+$/.test(ra)) retryAfter = Number(ra);
  if (status !== null) return { status, retryAfter };
  const code = errnoCode(e) ?? "";
  const message = e instanceof Error ? e.message : "";
  if (/ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR|ABORT_ERR/.test(code) || /socket hang up|fetch failed|network|terminated|other side closed/i.test(message))
    return { status: null, retryAfter: null };
  return null;
}

/** 429, 5xx and dropped connections may succeed when sent again; other errors will not. */
export const isTransient = (f: HttpFailure | null): f is HttpFailure => f !== null && (f.status === null || f.status === 429 || f.status >= 500);

export async function withRetry<T>(send: () => Promise<T>, policy: RetryPolicy, onRetry?: (attempt: number, waitMs: number, f: HttpFailure) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const f = httpFailure(e);
      if (!isTransient(f) || attempt >= policy.retries) throw e;
      const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
      const wait = Math.max(Math.floor(policy.random() * cap), (f?.retryAfter ?? 0) * 1000);
      onRetry?.(attempt + 1, wait, f);
      await policy.sleep(wait);
    }
  }
}

/** The line a command prints when a request is sent again (the waits are long enough to wonder about). */
export const retryLine = (what: string, attempt: number, waitMs: number, f: { status: number | null }): string =>
  `pipesheet: ${f.status === null ? "no answer from Google" : `Google answered ${f.status}`} while trying to ${what}; trying again in ${(waitMs / 1000).toFixed(1)} s (retry ${attempt})\n`;
