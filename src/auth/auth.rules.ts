import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens are 32 random bytes, prefixed so a leaked one is easy to recognise in logs and secret scanners. */
export function generateToken(random: Buffer = randomBytes(32)): string {
  return `cil_${random.toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function tokensEqual(a: string, b: string): boolean {
  const ha = hashToken(a);
  const hb = hashToken(b);
  return timingSafeEqual(ha, hb);
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
