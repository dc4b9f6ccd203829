import type { AddressClass, SubscriptionScope } from './webhooks.rules.js';
import {
  buildDeliveryBody,
  classifyIpAddress,
  judgeWebhookAddresses,
  nextDeliveryStatus,
  parseIpv6,
  parseWebhookUrl,
  selectRecipients,
  signWebhookBody,
  verifyWebhookSignature,
} from './webhooks.rules.js';

describe('classifyIpAddress', () => {
  it.each<[string, AddressClass | null]>([
    ['93.184.215.14', 'public'],
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['2606:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['2002:0808:0808::1', 'public'],
    ['::127.0.0.1', 'reserved'],
    ['localhost', null],
    ['127.1', null],
    ['256.1.1.1', null],
    ['01.2.3.4', null],
    ['1:2:3', null],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
  ])('%s is %s', (address, expected) => {
    expect(classifyIpAddress(address)).toBe(expected);
  });

  it.each<[string, bigint]>([
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n],
    ['1:2:3:4:5:6:1.2.3.4', 0x00010002000300040005000601020304n],
    ['::ffff:1.2.3.4', 0xffff01020304n],
  ])('parses %s', (text, value) => {
    expect(parseIpv6(text)).toBe(value);
  });
});

describe('parseWebhookUrl', () => {
  it.each([
    ['https://hooks.example.org/ledger?x=1', { ok: true, hostname: 'hooks.example.org', protocol: 'https:' }],
    ['http://127.0.0.1:8080/in', { ok: true, hostname: '127.0.0.1', protocol: 'http:' }],
    ['http://[::1]:9000/', { ok: true, hostname: '::1', protocol: 'http:' }],
    ['ftp://example.org/x', { ok: false, reason: 'scheme' }],
    ['file:///etc/passwd', { ok: false, reason: 'scheme' }],
    ['gopher://127.0.0.1:6379/_INFO', { ok: false, reason: 'scheme' }],
    ['https://user:pw@example.org/', { ok: false, reason: 'credentials' }],
    ['not a url', { ok: false, reason: 'invalid' }],
    ['/relative/path', { ok: false, reason: 'invalid' }],
  ])('%s', (raw, expected) => {
    expect(parseWebhookUrl(raw)).toMatchObject(expected);
  });
});

describe('judgeWebhookAddresses', () => {
  it.each<[string[], boolean, boolean, string]>([
    [['93.184.215.14'], false, true, ''],
    [['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], false, true, ''],
    [['127.0.0.1'], false, false, 'loopback'],
    [['127.0.0.1'], true, true, ''],
    [['93.184.215.14', '10.0.0.5'], false, false, 'private'],
    [['93.184.215.14', '10.0.0.5'], true, true, ''],
    [['169.254.169.254'], false, false, 'metadata'],
    [['169.254.169.254'], true, false, 'metadata'],
    [['fd00:ec2::254'], true, false, 'metadata'],
    [['169.254.10.10'], false, false, 'link-local'],
    [['0.0.0.0'], false, false, 'unspecified'],
    [['224.0.0.1'], true, false, 'multicast'],
    [[], true, false, 'not-an-ip'],
  ])('%j with allowPrivate=%s -> ok=%s %s', (addresses, allowPrivate, ok, addressClass) => {
    const judgement = judgeWebhookAddresses(addresses, allowPrivate);
    expect(judgement.ok).toBe(ok);
    expect(judgement.ok ? '' : judgement.addressClass).toBe(addressClass);
  });
});

describe('signing', () => {
  const body = '{"id":"d1","event":"citation.created"}';
  // openssl: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test
  const expected = 'v1=b6eb40003bed05a6742eedb3cb2f2ab8086086238608057da5a1eb9b65024a15';

  it('signs timestamp + "." + body with HMAC-SHA256', () => {
    expect(signWebhookBody('whsec_test', 1700000000, body)).toBe(expected);
  });

  it.each<[string, string | undefined, string | undefined, number, boolean]>([
    ['valid', '1700000000', expected, 1700000100, true],
    ['one of several (rotation)', '1700000000', `v1=${'0'.repeat(64)}, ${expected}`, 1700000000, true],
    ['too old', '1700000000', expected, 1700000301, false],
    ['from the future', '1700000000', expected, 1699999600, false],
    ['body signed at another time', '1700000001', expected, 1700000000, false],
    ['wrong signature', '1700000000', `v1=${'a'.repeat(64)}`, 1700000000, false],
    ['truncated signature', '1700000000', expected.slice(0, 20), 1700000000, false],
    ['no signature', '1700000000', undefined, 1700000000, false],
    ['no timestamp', undefined, expected, 1700000000, false],
    ['non-numeric timestamp', '17e8', expected, 1700000000, false],
  ])('verify: %s', (_, timestampHeader, signatureHeader, now, ok) => {
    expect(verifyWebhookSignature({ secret: 'whsec_test', body, timestampHeader, signatureHeader, now })).toBe(ok);
  });

  it('refuses a body that was changed', () => {
    expect(
      verifyWebhookSignature({
        secret: 'whsec_test',
        body: body.replace('d1', 'd2'),
        timestampHeader: '1700000000',
        signatureHeader: expected,
        now: 1700000000,
      }),
    ).toBe(false);
  });
});

describe('buildDeliveryBody', () => {
  it('wraps the data with the delivery id, event and time', () => {
    const text = buildDeliveryBody({
      deliveryId: 'd-1',
      event: 'reuse.created',
      createdAt: new Date('2024-05-02T10:00:00Z'),
      data: { datasetIds: ['a'], reuse: 'r' },
    });
    expect(text).toBe(
      '{"id":"d-1","event":"reuse.created","createdAt":"2024-05-02T10:00:00.000Z","data":{"datasetIds":["a"],"reuse":"r"}}',
    );
  });
});

describe('selectRecipients', () => {
  const subs: SubscriptionScope[] = [
    { id: 'curator-all', ownerId: 'c', scope: 'all', events: ['citation.created', 'reuse.created'] },
    { id: 'alice-own', ownerId: 'alice', scope: 'own', events: ['citation.created'] },
    { id: 'bob-own', ownerId: 'bob', scope: 'own', events: ['citation.created', 'doi.findable'] },
    { id: 'admin-token', ownerId: null, scope: 'all', events: ['doi.findable'] },
    { id: 'orphan-own', ownerId: null, scope: 'own', events: ['citation.created'] },
  ];

  it.each<[string, string[], string[]]>([
    ['citation.created', ['alice'], ['curator-all', 'alice-own']],
    ['citation.created', [], ['curator-all']],
    ['citation.created', ['alice', 'bob'], ['curator-all', 'alice-own', 'bob-own']],
    ['doi.findable', ['alice'], ['admin-token']],
    ['doi.findable', ['bob'], ['bob-own', 'admin-token']],
    ['award.granted', ['alice', 'bob'], []],
  ])('%s about %j reaches %j', (event, audience, expected) => {
    expect(selectRecipients(subs, event as 'citation.created', new Set(audience))).toEqual(expected);
  });
});

describe('nextDeliveryStatus', () => {
  it.each<[number | null, number, string]>([
    [200, 1, 'delivered'],
    [204, 8, 'delivered'],
    [299, 3, 'delivered'],
    [301, 1, 'retrying'],
    [410, 1, 'retrying'],
    [500, 7, 'retrying'],
    [500, 8, 'failed'],
    [null, 2, 'retrying'],
    [null, 8, 'failed'],
  ])('status %s on attempt %i of 8 -> %s', (statusCode, attempt, expected) => {
    expect(nextDeliveryStatus(statusCode, attempt, 8)).toBe(expected);
  });
});
