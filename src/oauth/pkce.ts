import { timingSafeEqual } from 'node:crypto';
import { oauth } from './library.js';

export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** RFC 7636 S256 challenge for a verifier (oauth4webapi, WebCrypto). */
export function challengeFor(verifier: string): Promise<string> {
  return oauth().calculatePKCECodeChallenge(verifier);
}

/** A fresh PKCE pair: a 43-character verifier (32 random bytes, the RFC's minimum length) and its S256 challenge. */
export async function createPkce(): Promise<Pkce> {
  const verifier = oauth().generateRandomCodeVerifier();
  return { verifier, challenge: await challengeFor(verifier), method: 'S256' };
}

/** An opaque `state` value for one authorization request (32 random bytes). */
export function createState(): string {
  return oauth().generateRandomState();
}

/** Constant-time string comparison (for state and other values an attacker may probe). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
