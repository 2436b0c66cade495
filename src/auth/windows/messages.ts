import { createHmac, randomBytes } from 'node:crypto';
import { md4 } from './md4.js';

/**
 * NTLM messages (MS-NLMP 2.2) for an NTLMv2-only client: NEGOTIATE (type 1),
 * CHALLENGE (type 2) parsing, AUTHENTICATE (type 3) with an NTLMv2 response and
 * a MIC. No LM/NTLMv1 (they need DES and are broken), no key exchange, no
 * signing or sealing: HTTP only uses NTLM to authenticate the connection.
 */
export const Flag = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  N56: 0x80000000,
} as const;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** What this client asks for in NEGOTIATE and accepts in AUTHENTICATE. */
export const CLIENT_FLAGS =
  (Flag.UNICODE |
    Flag.OEM |
    Flag.REQUEST_TARGET |
    Flag.NTLM |
    Flag.ALWAYS_SIGN |
    Flag.EXTENDED_SESSIONSECURITY |
    Flag.TARGET_INFO |
    Flag.VERSION |
    Flag.N128 |
    Flag.N56) >>>
  0;
/** Windows 10 / NTLMSSP_REVISION_W2K3, as real clients send. */
const VERSION = Buffer.from([10, 0, 0x61, 0x4a, 0, 0, 0, 0x0f]);

export const AvId = { EOL: 0, NbComputerName: 1, NbDomainName: 2, DnsComputerName: 3, DnsDomainName: 4, Flags: 6, Timestamp: 7 } as const;

export function negotiateMessage(): Buffer {
  const b = Buffer.alloc(40);
  SIGNATURE.copy(b, 0);
  b.writeUInt32LE(1, 8);
  b.writeUInt32LE(CLIENT_FLAGS, 12);
  // Domain and workstation fields stay empty (length 0, offset 40).
  b.writeUInt32LE(40, 20);
  b.writeUInt32LE(40, 28);
  VERSION.copy(b, 32);
  return b;
}

export interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  /** Raw AV_PAIR list, MsvAvEOL included. */
  targetInfo: Buffer;
  /** MsvAvTimestamp (FILETIME, 8 bytes) when the server sent one. */
  timestamp?: Buffer;
  raw: Buffer;
}

/** Parse a CHALLENGE message; throws an Error naming what is wrong with it. */
export function parseChallenge(raw: Buffer): Challenge {
  if (raw.length < 32 || !raw.subarray(0, 8).equals(SIGNATURE) || raw.readUInt32LE(8) !== 2) throw new Error('not an NTLM CHALLENGE message');
  const field = (at: number): Buffer => {
    const len = raw.readUInt16LE(at);
    const off = raw.readUInt32LE(at + 4);
    if (off + len > raw.length) throw new Error('truncated NTLM CHALLENGE message');
    return raw.subarray(off, off + len);
  };
  const flags = raw.readUInt32LE(20);
  const name = field(12);
  const targetInfo = raw.length >= 48 && flags & Flag.TARGET_INFO ? field(40) : Buffer.alloc(0);
  const pairs = parseAvPairs(targetInfo);
  return {
    flags,
    serverChallenge: Buffer.from(raw.subarray(24, 32)),
    targetName: flags & Flag.UNICODE ? name.toString('utf16le') : name.toString('latin1'),
    targetInfo: Buffer.from(targetInfo),
    timestamp: pairs.find((p) => p.id === AvId.Timestamp)?.value,
    raw,
  };
}

export function parseAvPairs(buf: Buffer): { id: number; value: Buffer }[] {
  const out: { id: number; value: Buffer }[] = [];
  for (let at = 0; at + 4 <= buf.length; ) {
    const id = buf.readUInt16LE(at);
    const len = buf.readUInt16LE(at + 2);
    if (id === AvId.EOL) break;
    out.push({ id, value: Buffer.from(buf.subarray(at + 4, at + 4 + len)) });
    at += 4 + len;
  }
  return out;
}

export function encodeAvPairs(pairs: { id: number; value: Buffer }[]): Buffer {
  const parts = pairs.flatMap(({ id, value }) => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(id, 0);
    h.writeUInt16LE(value.length, 2);
    return [h, value];
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

const hmac = (key: Buffer, ...data: Buffer[]) => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};
const utf16 = (s: string) => Buffer.from(s, 'utf16le');

/** NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(MD4(UNICODE(password)), UNICODE(UPPER(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmac(md4(utf16(password)), utf16(user.toUpperCase() + domain));
}

export interface V2Input {
  responseKey: Buffer;
  serverChallenge: Buffer;
  clientChallenge: Buffer;
  /** FILETIME, 8 bytes little-endian. */
  time: Buffer;
  /** The AV pairs to put in the response blob (the server's, possibly extended), EOL included. */
  avPairs: Buffer;
}

/** The NTLMv2 and LMv2 responses and the session base key (MS-NLMP 3.3.2). */
export function ntlmv2Response(i: V2Input): { ntResponse: Buffer; ntProofStr: Buffer; lmResponse: Buffer; sessionBaseKey: Buffer } {
  const temp = Buffer.concat([Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), i.time, i.clientChallenge, Buffer.alloc(4), i.avPairs, Buffer.alloc(4)]);
  const ntProofStr = hmac(i.responseKey, i.serverChallenge, temp);
  return {
    ntProofStr,
    ntResponse: Buffer.concat([ntProofStr, temp]),
    lmResponse: Buffer.concat([hmac(i.responseKey, i.serverChallenge, i.clientChallenge), i.clientChallenge]),
    sessionBaseKey: hmac(i.responseKey, ntProofStr),
  };
}

/** Now as a Windows FILETIME (100 ns ticks since 1601-01-01), little-endian. */
export function fileTime(ms = Date.now()): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(ms) + 11_644_473_600_000n) * 10_000n);
  return b;
}

export interface Credentials {
  user: string;
  domain: string;
  password: string;
}

/**
 * The AUTHENTICATE message answering `challenge`. When the server sent a
 * timestamp the LM response is zeroed and a MIC over all three messages is
 * added (flagged in MsvAvFlags), as Windows clients do.
 */
export function authenticateMessage(
  cred: Credentials,
  negotiate: Buffer,
  challenge: Challenge,
  opts: { clientChallenge?: Buffer; time?: Buffer; workstation?: string } = {},
): Buffer {
  const responseKey = ntowfv2(cred.password, cred.user, cred.domain);
  const clientChallenge = opts.clientChallenge ?? randomBytes(8);
  const withMic = Boolean(challenge.timestamp);
  let pairs = parseAvPairs(challenge.targetInfo);
  if (withMic) {
    const flagsPair = pairs.find((p) => p.id === AvId.Flags);
    const value = Buffer.alloc(4);
    value.writeUInt32LE(((flagsPair ? flagsPair.value.readUInt32LE(0) : 0) | 0x2) >>> 0);
    pairs = flagsPair ? pairs.map((p) => (p === flagsPair ? { id: p.id, value } : p)) : [...pairs, { id: AvId.Flags, value }];
  }
  const v2 = ntlmv2Response({
    responseKey,
    serverChallenge: challenge.serverChallenge,
    clientChallenge,
    time: challenge.timestamp ?? opts.time ?? fileTime(),
    avPairs: encodeAvPairs(pairs),
  });
  const flags = (challenge.flags & CLIENT_FLAGS & ~Flag.OEM) | Flag.UNICODE;
  const payload = [
    withMic ? Buffer.alloc(24) : v2.lmResponse,
    v2.ntResponse,
    utf16(cred.domain),
    utf16(cred.user),
    utf16(opts.workstation ?? ''),
    Buffer.alloc(0), // EncryptedRandomSessionKey: no key exchange
  ];
  const header = 88;
  const msg = Buffer.alloc(header + payload.reduce((n, p) => n + p.length, 0));
  SIGNATURE.copy(msg, 0);
  msg.writeUInt32LE(3, 8);
  let off = header;
  payload.forEach((p, i) => {
    const at = 12 + i * 8;
    msg.writeUInt16LE(p.length, at);
    msg.writeUInt16LE(p.length, at + 2);
    msg.writeUInt32LE(off, at + 4);
    p.copy(msg, off);
    off += p.length;
  });
  msg.writeUInt32LE(flags >>> 0, 60);
  VERSION.copy(msg, 64);
  // For NTLMv2 without key exchange the exported session key is the session base key.
  if (withMic) hmac(v2.sessionBaseKey, negotiate, challenge.raw, msg).copy(msg, 72);
  return msg;
}

/** `DOMAIN\user` or `user@domain` (or a bare user with `domain` given separately). */
export function splitUser(username: string, domain = ''): { user: string; domain: string } {
  const back = username.indexOf('\\');
  if (back >= 0) return { domain: username.slice(0, back), user: username.slice(back + 1) };
  const at = username.lastIndexOf('@');
  if (at > 0 && !domain) return { user: username.slice(0, at), domain: username.slice(at + 1) };
  return { user: username, domain };
}
