import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { judgeWebhookAddresses, parseWebhookUrl } from './webhooks.rules.js';
import type { AddressClass, WebhookUrlRefusal } from './webhooks.rules.js';

export type VettedWebhookUrl =
  | { ok: true; url: URL; addresses: LookupAddress[] }
  | {
      ok: false;
      /** Refusals are final; `unresolvable` may change with DNS. */
      reason: WebhookUrlRefusal | AddressClass | 'not-an-ip' | 'unresolvable';
      detail: string;
    };

/**
 * The SSRF guard: checks the URL, resolves its host (every address, as the connection may use any) and judges them.
 * Run at subscription time and again before every delivery attempt, since DNS can change in between.
 */
export async function vetWebhookUrl(raw: string, allowPrivate: boolean): Promise<VettedWebhookUrl> {
  const parsed = parseWebhookUrl(raw);
  if (!parsed.ok) return parsed;
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(parsed.hostname, { all: true, verbatim: true });
  } catch (error) {
    return { ok: false, reason: 'unresolvable', detail: `${parsed.hostname} does not resolve (${codeOf(error)})` };
  }
  const judgement = judgeWebhookAddresses(
    addresses.map((a) => a.address),
    allowPrivate,
  );
  if (!judgement.ok) return { ok: false, reason: judgement.addressClass, detail: judgement.detail };
  return { ok: true, url: new URL(parsed.href), addresses };
}

export interface WebhookResponse {
  statusCode: number;
  durationMs: number;
}

/**
 * POSTs one delivery. The socket connects only to the addresses the guard vetted (a pinned `lookup`), so a second
 * DNS answer cannot slip a private address in between check and connect. Redirects are not followed. The deadline
 * covers connect, send and the whole response; the response body is read and discarded.
 */
export async function postWebhook(
  target: { url: URL; addresses: readonly LookupAddress[] },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<WebhookResponse> {
  const started = Date.now();
  const pinned: LookupFunction = (_hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : 0;
    const candidates = target.addresses.filter((a) => family === 0 || a.family === family);
    if (candidates.length === 0) {
      callback(Object.assign(new Error('no vetted address for this family'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all) callback(null, candidates);
    else callback(null, candidates[0].address, candidates[0].family);
  };
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinned,
    // A fresh connection per attempt: a pooled socket would skip the pinned lookup of this attempt.
    agent: false,
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookResponse>((resolve, reject) => {
    const req = send(target.url, options, (res: IncomingMessage) => {
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, durationMs: Date.now() - started });
      });
      res.resume();
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

function codeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.message : String(error);
}
