import { createHmac, timingSafeEqual } from 'node:crypto';

/** Events a subscription may ask for (http-contract.md, Publications and reuse). Emitters name one of these. */
export const WEBHOOK_EVENTS = [
  'reuse.created',
  'reuse.disputed',
  'reuse.resolved',
  'doi.findable',
  'doi.failed',
  'citation.created',
  'award.granted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEvent(value: string): value is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(value);
}

/** How many times a delivery is tried before it is marked failed (the outbox job's maxAttempts). */
export const MAX_DELIVERY_ATTEMPTS = 8;

export const SIGNATURE_HEADER = 'Ledger-Webhook-Signature';
export const TIMESTAMP_HEADER = 'Ledger-Webhook-Timestamp';
export const DELIVERY_ID_HEADER = 'Ledger-Webhook-Id';
export const EVENT_HEADER = 'Ledger-Webhook-Event';

// ---------------------------------------------------------------------------------------------------------------
// SSRF guard

export type WebhookUrlRefusal = 'invalid' | 'scheme' | 'credentials';

export type ParsedWebhookUrl =
  | { ok: true; href: string; protocol: 'http:' | 'https:'; hostname: string }
  | { ok: false; reason: WebhookUrlRefusal; detail: string };

/**
 * The static half of the SSRF guard: only http(s), no user:password@ (credentials in a URL end up in logs and
 * proxies). `hostname` is what to resolve: IPv6 literals lose their brackets.
 */
export function parseWebhookUrl(raw: string): ParsedWebhookUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'invalid', detail: `"${raw}" is not an absolute URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'scheme', detail: `only http and https URLs are delivered to, not ${url.protocol}` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials', detail: 'the URL must not carry a user name or password' };
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') return { ok: false, reason: 'invalid', detail: 'the URL has no host' };
  return { ok: true, href: url.href, protocol: url.protocol, hostname };
}

export type AddressClass =
  'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'metadata' | 'multicast' | 'reserved';

/** Classes refused unless WEBHOOK_ALLOW_PRIVATE=true (a receiver on the same host or network, as in tests). */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'link-local', 'unspecified']);

export type AddressJudgement =
  { ok: true } | { ok: false; address: string; addressClass: AddressClass | 'not-an-ip'; detail: string };

/**
 * The resolved half of the SSRF guard: every address the host resolves to must be deliverable, since the
 * connection may use any of them. Cloud metadata endpoints, multicast and reserved ranges are refused even with
 * `allowPrivate`: no webhook receiver lives there, and the metadata service is the classic SSRF target.
 */
export function judgeWebhookAddresses(addresses: readonly string[], allowPrivate: boolean): AddressJudgement {
  if (addresses.length === 0) {
    return { ok: false, address: '', addressClass: 'not-an-ip', detail: 'the host resolves to no address' };
  }
  for (const address of addresses) {
    const addressClass = classifyIpAddress(address);
    if (addressClass === null) {
      return { ok: false, address, addressClass: 'not-an-ip', detail: `"${address}" is not an IP address` };
    }
    if (addressClass === 'public') continue;
    if (allowPrivate && PRIVATE_CLASSES.has(addressClass)) continue;
    return {
      ok: false,
      address,
      addressClass,
      detail: `the host resolves to ${address}, a ${addressClass} address`,
    };
  }
  return { ok: true };
}

interface Range {
  base: bigint;
  bits: number;
  addressClass: AddressClass;
}

// First match wins, so the single metadata addresses come before the ranges holding them.
const IPV4_RANGES: readonly Range[] = [
  v4('169.254.169.254', 32, 'metadata'),
  v4('0.0.0.0', 8, 'unspecified'), // RFC 1122 "this network"; 0.0.0.0 reaches the local host on Linux
  v4('127.0.0.0', 8, 'loopback'),
  v4('10.0.0.0', 8, 'private'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.168.0.0', 16, 'private'),
  v4('100.64.0.0', 10, 'private'), // RFC 6598 carrier-grade NAT
  v4('169.254.0.0', 16, 'link-local'),
  v4('192.0.0.0', 24, 'reserved'), // RFC 6890 protocol assignments
  v4('192.0.2.0', 24, 'reserved'), // RFC 5737 documentation
  v4('198.51.100.0', 24, 'reserved'),
  v4('203.0.113.0', 24, 'reserved'),
  v4('198.18.0.0', 15, 'reserved'), // RFC 2544 benchmarking
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'), // includes 255.255.255.255
];

const IPV6_RANGES: readonly Range[] = [
  v6('fd00:ec2::254', 128, 'metadata'), // AWS IMDS over IPv6
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('::', 96, 'reserved'), // deprecated IPv4-compatible addresses (RFC 4291 §2.5.5.1)
  v6('100::', 64, 'reserved'), // RFC 6666 discard
  v6('2001:db8::', 32, 'reserved'), // RFC 3849 documentation
  v6('fc00::', 7, 'private'), // RFC 4193 unique local
  v6('fec0::', 10, 'private'), // deprecated site-local
  v6('fe80::', 10, 'link-local'),
  v6('ff00::', 8, 'multicast'),
];

// Prefixes that carry an IPv4 address in their low (or, for 6to4, middle) bits: judged by that address.
const V4_MAPPED = v6('::ffff:0:0', 96, 'public');
const NAT64 = v6('64:ff9b::', 96, 'public');
const SIX_TO_FOUR = v6('2002::', 16, 'public');

/** The class of an IPv4 or IPv6 address (zone ids ignored); null when the text is not an IP address. */
export function classifyIpAddress(address: string): AddressClass | null {
  const v4 = parseIpv4(address);
  if (v4 !== null) return classifyV4(v4);
  const value = parseIpv6(address);
  if (value === null) return null;
  if (inRange(value, V4_MAPPED) || inRange(value, NAT64)) return classifyV4(value & 0xffffffffn);
  if (inRange(value, SIX_TO_FOUR)) return classifyV4((value >> 80n) & 0xffffffffn);
  return IPV6_RANGES.find((range) => inRange(value, range))?.addressClass ?? 'public';
}

function classifyV4(value: bigint): AddressClass {
  return IPV4_RANGES.find((range) => inRange(value, range, 32))?.addressClass ?? 'public';
}

function inRange(value: bigint, range: Range, width = 128): boolean {
  const shift = BigInt(width - range.bits);
  return value >> shift === range.base >> shift;
}

function v4(text: string, bits: number, addressClass: AddressClass): Range {
  return { base: parseIpv4(text) as bigint, bits, addressClass };
}

function v6(text: string, bits: number, addressClass: AddressClass): Range {
  return { base: parseIpv6(text) as bigint, bits, addressClass };
}

/** Dotted-quad only: the shorthand forms (`127.1`, `0x7f.1`) are never produced by a resolver. */
export function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

export function parseIpv6(text: string): bigint | null {
  let input = text.trim().toLowerCase();
  const zone = input.indexOf('%');
  if (zone >= 0) input = input.slice(0, zone);
  if (input === '' || !/^[0-9a-f:.]+$/.test(input)) return null;
  // A trailing dotted quad stands for the last two groups (RFC 4291 §2.2, form 3).
  let tail: number[] = [];
  if (input.includes('.')) {
    const lastColon = input.lastIndexOf(':');
    const quad = lastColon < 0 ? null : parseIpv4(input.slice(lastColon + 1));
    if (quad === null) return null;
    tail = [Number(quad >> 16n), Number(quad & 0xffffn)];
    input = input.slice(0, lastColon + 1);
    if (!input.endsWith('::')) input = input.slice(0, -1);
  }
  const halves = input.split('::');
  if (halves.length > 2) return null;
  const parse = (half: string): number[] | null => {
    if (half === '') return [];
    const groups = half.split(':');
    const out: number[] = [];
    for (const group of groups) {
      if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (head === null || rest === null) return null;
  const written = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (written > 7) return null;
    groups = [...head, ...new Array<number>(8 - written).fill(0), ...rest, ...tail];
  } else {
    if (written !== 8) return null;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

// ---------------------------------------------------------------------------------------------------------------
// Signing and delivery

/**
 * `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>` (http-contract.md). The key is the secret string's UTF-8
 * bytes; signing the timestamp with the body lets receivers refuse replays older than their tolerance.
 */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature, compare in constant time, refuse stale timestamps. `now` is unix
 * seconds. Several `v1=` values separated by commas are accepted (room for secret rotation).
 */
export function verifyWebhookSignature(args: {
  secret: string;
  body: string;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  now: number;
  toleranceSeconds?: number;
}): boolean {
  const { timestampHeader, signatureHeader } = args;
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestamp = Number(timestampHeader);
  if (Math.abs(args.now - timestamp) > (args.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(args.secret, timestamp, args.body));
  return signatureHeader.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The delivered JSON, fixed when the event is emitted, so every retry sends (and signs) the same bytes. */
export function buildDeliveryBody(args: {
  deliveryId: string;
  event: WebhookEvent;
  createdAt: Date;
  data: Record<string, unknown>;
}): string {
  return JSON.stringify({
    id: args.deliveryId,
    event: args.event,
    createdAt: args.createdAt.toISOString(),
    data: args.data,
  });
}

export interface SubscriptionScope {
  id: string;
  ownerId: string | null;
  scope: 'own' | 'all';
  events: readonly string[];
}

/**
 * Who hears an event: subscriptions asking for it whose scope is `all` (created by a curator or admin), or whose
 * owner created or owns one of the datasets the event is about (`audience`, the agent ids of those datasets).
 */
export function selectRecipients(
  subscriptions: readonly SubscriptionScope[],
  event: WebhookEvent,
  audience: ReadonlySet<string>,
): string[] {
  return subscriptions
    .filter((s) => s.events.includes(event))
    .filter((s) => s.scope === 'all' || (s.ownerId !== null && audience.has(s.ownerId)))
    .map((s) => s.id);
}

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed' | 'cancelled';

/**
 * The state after one attempt. Any 2xx is delivered; everything else (3xx included: redirects are not followed,
 * they could lead past the SSRF guard) is retried until the last attempt.
 */
export function nextDeliveryStatus(statusCode: number | null, attempt: number, maxAttempts: number): DeliveryStatus {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return 'delivered';
  return attempt >= maxAttempts ? 'failed' : 'retrying';
}
