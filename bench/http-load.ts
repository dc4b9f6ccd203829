import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface HttpTarget {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface HttpLoadOptions {
  origin: string;
  /** Requests are sent round-robin over the targets. */
  targets: HttpTarget[];
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Stop early after this many measured requests. */
  maxRequests?: number;
  headers?: Record<string, string>;
  okStatuses: number[];
}

export interface HttpLoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  latenciesMs: number[];
  firstError: string | null;
}

/** Runs one load in a worker thread (a core of its own) and returns what it measured. */
export function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./http-load.worker.js', import.meta.url), { workerData: options });
    worker.once('message', (message: { ok: true; result: HttpLoadResult } | { ok: false; error: string }) => {
      void worker.terminate();
      if (message.ok) resolve(message.result);
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
  });
}

/** Requests per second of one load, refusing a run that had errors (a fast failure is not throughput). */
export function throughputOf(result: HttpLoadResult, what: string): number {
  if (result.errors > 0) {
    throw new Error(
      `${what}: ${result.errors} of ${result.requests} requests failed (first: ${result.firstError ?? '?'})`,
    );
  }
  if (result.requests === 0) throw new Error(`${what}: no request completed`);
  return result.requests / (result.elapsedMs / 1000);
}

export interface BareServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * The HTTP floor: node:http answering every request with one constant body, after reading the request body (so a
 * POST costs its upload). Nothing is parsed, validated, routed or looked up.
 */
export async function startBareServer(body: string, contentType = 'application/json'): Promise<BareServer> {
  const payload = Buffer.from(body);
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'content-type': contentType, 'content-length': payload.length });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
