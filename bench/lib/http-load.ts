import type { Dispatcher } from 'undici';

/** One request of a load run: what to send, and whether its answer is the expected one. */
export interface LoadRequest {
  path: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  /** whether the answer (its status and body text) is the success counted; else it is counted by `outcome` */
  expect(status: number, body: string): boolean;
  /** how an unexpected answer is tallied, e.g. "HTTP 422 FHIR_SIGNATURE_…" (no patient data: codes only) */
  outcome?(status: number, body: string): string;
}

export interface LoadResult {
  /** wall time from the first request sent to the last answer read */
  seconds: number;
  /** answers that were the expected one */
  ok: number;
  /** every other answer (or transport error) by what it was */
  failures: Record<string, number>;
}

/**
 * Sends `count` requests through `dispatcher` (a Pool: its origin) from `clients` concurrent loops (each waits for its answer, body
 * read, before sending the next: `clients` requests in flight), request i built by `requestAt(i)`.
 */
export async function runHttpLoad(dispatcher: Dispatcher, count: number, clients: number, requestAt: (i: number) => LoadRequest): Promise<LoadResult> {
  const failures: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  const start = performance.now();
  const loops = Array.from({ length: clients }, async () => {
    for (let i = next++; i < count; i = next++) {
      const r = requestAt(i);
      try {
        const res = await dispatcher.request({ path: r.path, method: r.method, headers: r.headers, body: r.body });
        const text = await res.body.text();
        if (r.expect(res.statusCode, text)) ok++;
        else {
          const what = r.outcome?.(res.statusCode, text) ?? `HTTP ${res.statusCode}`;
          failures[what] = (failures[what] ?? 0) + 1;
        }
      } catch (err) {
        const what = `transport error ${(err as { code?: string }).code ?? (err as Error).name}`;
        failures[what] = (failures[what] ?? 0) + 1;
      }
    }
  });
  await Promise.all(loops);
  return { seconds: (performance.now() - start) / 1000, ok, failures };
}

/** How many requests failed in all. */
export function countFailures(r: LoadResult): number {
  return Object.values(r.failures).reduce((n, k) => n + k, 0);
}
