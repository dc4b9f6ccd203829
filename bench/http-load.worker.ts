// The load generator: runs in a worker thread, so on a 2-core machine the server under test keeps one core and the
// client the other. `concurrency` virtual users each send one request at a time over keep-alive connections.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { HttpLoadOptions, HttpLoadResult } from './http-load.js';

async function run(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const origin = new URL(options.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const bodies = options.targets.map((t) => (t.body === undefined ? null : Buffer.from(t.body)));
  let next = 0;
  let measuring = false;
  let requests = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let firstError: string | null = null;

  const once = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const target = options.targets[i];
      const body = bodies[i];
      const started = performance.now();
      const req = request(
        {
          host: origin.hostname,
          port: origin.port,
          method: target.method,
          path: target.path,
          agent,
          headers: {
            accept: 'application/json',
            ...(body
              ? { 'content-type': target.contentType ?? 'application/json', 'content-length': body.length }
              : {}),
            ...options.headers,
            ...target.headers,
          },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (measuring) {
              requests += 1;
              latencies.push(performance.now() - started);
              const status = String(res.statusCode ?? 0);
              statuses[status] = (statuses[status] ?? 0) + 1;
              if (!options.okStatuses.includes(res.statusCode ?? 0)) {
                errors += 1;
                firstError ??= `${target.method} ${target.path} -> ${status}`;
              }
            }
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        if (measuring) {
          errors += 1;
          firstError ??= `${target.method} ${target.path}: ${error.message}`;
        }
        resolve();
      });
      if (body) req.end(body);
      else req.end();
    });

  const user = async (deadline: () => boolean): Promise<void> => {
    while (!deadline()) {
      const i = next % options.targets.length;
      next += 1;
      await once(i);
    }
  };

  const warmupEnds = performance.now() + options.warmupMs;
  await Promise.all(Array.from({ length: options.concurrency }, () => user(() => performance.now() >= warmupEnds)));
  measuring = true;
  const started = performance.now();
  const ends = started + options.durationMs;
  const limit = options.maxRequests ?? Number.POSITIVE_INFINITY;
  await Promise.all(
    Array.from({ length: options.concurrency }, () => user(() => performance.now() >= ends || requests >= limit)),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests, errors, statuses, elapsedMs, latenciesMs: latencies, firstError };
}

run(workerData as HttpLoadOptions).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: unknown) =>
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
);
