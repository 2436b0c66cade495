import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** base64url without padding (RFC 4648 §5). */
export function base64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A random, URL-safe string with `bytes` bytes of entropy (32 → 43 characters). */
export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** RFC 7636 S256 challenge for a verifier. */
export function challengeFor(verifier: string): string {
  return base64url(createHash('sha256').update(verifier, 'ascii').digest());
}

/** A fresh PKCE pair: a 43-character verifier (the minimum length the RFC allows, 256 bits) and its S256 challenge. */
export function createPkce(): Pkce {
  const verifier = randomToken(32);
  return { verifier, challenge: challengeFor(verifier), method: 'S256' };
}

/** An opaque `state` value for one authorization request. */
export function createState(): string {
  return randomToken(24);
}

/** Constant-time string comparison (for state and other values an attacker may probe). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
