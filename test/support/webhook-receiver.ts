import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  answered: number;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: ReceivedRequest[];
  /** Statuses to answer, in order, per path (0: never answer); once used up the receiver answers 204. */
  script(path: string, statuses: number[]): void;
  received(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request and answers as scripted. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const queue = scripts.get(path) ?? [];
      const answered = queue.shift() ?? 204;
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      if (answered === 0) return;
      res.statusCode = answered;
      res.end(answered >= 400 ? 'not now' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    received: (path) => requests.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * What a receiver in the wild does, written from the contract (not from the service's code): HMAC-SHA256 over
 * `<timestamp>.<body>` with the secret, hex, prefixed `v1=`, compared in constant time.
 */
export function verifyAsReceiver(secret: string, request: ReceivedRequest): boolean {
  const timestamp = request.headers['ledger-webhook-timestamp'];
  const signature = request.headers['ledger-webhook-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = Buffer.from(
    `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
