import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { md4 } from '../../src/auth/windows/md4.js';
import {
  AvId,
  authenticateMessage,
  encodeAvPairs,
  fileTime,
  negotiateMessage,
  ntlmv2Response,
  ntowfv2,
  parseAvPairs,
  parseChallenge,
  splitUser,
} from '../../src/auth/windows/messages.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('md4 (RFC 1320 appendix A.5 test suite)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('md4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
  });

  it('the NT hash of "Password" (MS-NLMP 4.2.2.1.2)', () => {
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });
});

/**
 * MS-NLMP 4.2.1 common values and 4.2.4 (NTLMv2): user "User", domain "Domain",
 * password "Password", server challenge 0123456789abcdef, client challenge aa*8,
 * time 0, AV pairs MsvAvNbDomainName "Domain" + MsvAvNbComputerName "Server".
 */
describe('NTLMv2 (MS-NLMP 4.2.4 test vectors)', () => {
  const serverChallenge = hex('0123456789abcdef');
  const clientChallenge = hex('aaaaaaaaaaaaaaaa');
  const avPairs = hex('02000c0044006f006d00610069006e0001000c005300650072007600650072000000 0000');
  const responseKey = ntowfv2('Password', 'User', 'Domain');

  it('NTOWFv2', () => {
    expect(responseKey.toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  it('NTProofStr, SessionBaseKey and the LMv2 response', () => {
    const r = ntlmv2Response({ responseKey, serverChallenge, clientChallenge, time: Buffer.alloc(8), avPairs });
    expect(r.ntProofStr.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(r.sessionBaseKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
    expect(r.lmResponse.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
    // temp = 0x0101, 6 zero bytes, time, client challenge, 4 zero bytes, AV pairs, 4 zero bytes
    expect(r.ntResponse.subarray(16).toString('hex')).toBe(`0101000000000000${'00'.repeat(8)}aaaaaaaaaaaaaaaa00000000${avPairs.toString('hex')}00000000`);
  });

  it('parses the 4.2.4.3 CHALLENGE message', () => {
    const msg = hex(
      '4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 0123456789abcdef 0000000000000000 24002400 44000000 060070170000000f' +
        '530065007200760065007200' +
        '02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000',
    );
    const c = parseChallenge(msg);
    expect(c.serverChallenge.toString('hex')).toBe('0123456789abcdef');
    expect(c.targetName).toBe('Server');
    expect(c.targetInfo.toString('hex')).toBe(avPairs.toString('hex'));
    expect(c.timestamp).toBeUndefined();
    expect(parseAvPairs(c.targetInfo).map((p) => [p.id, p.value.toString('utf16le')])).toEqual([
      [AvId.NbDomainName, 'Domain'],
      [AvId.NbComputerName, 'Server'],
    ]);
  });

  it('rejects what is not a CHALLENGE message', () => {
    expect(() => parseChallenge(Buffer.from('hello'))).toThrow(/not an NTLM CHALLENGE/);
    expect(() => parseChallenge(negotiateMessage())).toThrow(/not an NTLM CHALLENGE/);
    const bad = Buffer.alloc(48);
    Buffer.from('NTLMSSP\0', 'latin1').copy(bad);
    bad.writeUInt32LE(2, 8);
    bad.writeUInt16LE(200, 12); // target name longer than the message
    expect(() => parseChallenge(bad)).toThrow(/truncated/);
  });
});

describe('AUTHENTICATE message', () => {
  const negotiate = negotiateMessage();
  const timestamp = fileTime(Date.UTC(2024, 0, 1));
  const info = encodeAvPairs([
    { id: AvId.NbDomainName, value: Buffer.from('CORP', 'utf16le') },
    { id: AvId.Timestamp, value: timestamp },
  ]);
  const challengeMsg = (targetInfo: Buffer) => {
    const m = Buffer.alloc(48 + targetInfo.length);
    Buffer.from('NTLMSSP\0', 'latin1').copy(m);
    m.writeUInt32LE(2, 8);
    m.writeUInt32LE(48, 16);
    m.writeUInt32LE(0xe28a8235, 20);
    hex('1122334455667788').copy(m, 24);
    m.writeUInt16LE(targetInfo.length, 40);
    m.writeUInt16LE(targetInfo.length, 42);
    m.writeUInt32LE(48, 44);
    targetInfo.copy(m, 48);
    return m;
  };
  const field = (m: Buffer, at: number) => m.subarray(m.readUInt32LE(at + 4), m.readUInt32LE(at + 4) + m.readUInt16LE(at));

  it('with a server timestamp: zero LM response, the timestamp reused, MsvAvFlags MIC bit, a MIC over all three messages', () => {
    const challenge = parseChallenge(challengeMsg(info));
    const cc = hex('0102030405060708');
    const m = authenticateMessage({ user: 'alice', domain: 'CORP', password: 'pw' }, negotiate, challenge, { clientChallenge: cc });
    expect(m.readUInt32LE(8)).toBe(3);
    expect(field(m, 12)).toEqual(Buffer.alloc(24));
    expect(field(m, 28).toString('utf16le')).toBe('CORP');
    expect(field(m, 36).toString('utf16le')).toBe('alice');
    const nt = field(m, 20);
    expect(nt.subarray(24, 32)).toEqual(timestamp);
    const pairs = parseAvPairs(nt.subarray(44));
    expect(pairs.find((p) => p.id === AvId.Flags)?.value.readUInt32LE(0)).toBe(2);
    // Recompute the NTProofStr and the MIC independently of authenticateMessage.
    const key = ntowfv2('pw', 'alice', 'CORP');
    const proof = createHmac('md5', key).update(challenge.serverChallenge).update(nt.subarray(16)).digest();
    expect(nt.subarray(0, 16)).toEqual(proof);
    const sessionKey = createHmac('md5', key).update(proof).digest();
    const zeroed = Buffer.from(m);
    Buffer.alloc(16).copy(zeroed, 72);
    const mic = createHmac('md5', sessionKey).update(negotiate).update(challenge.raw).update(zeroed).digest();
    expect(m.subarray(72, 88)).toEqual(mic);
  });

  it('without a timestamp: an LMv2 response and no MIC', () => {
    const challenge = parseChallenge(challengeMsg(encodeAvPairs([{ id: AvId.NbDomainName, value: Buffer.from('CORP', 'utf16le') }])));
    const m = authenticateMessage({ user: 'alice', domain: 'CORP', password: 'pw' }, negotiate, challenge);
    expect(field(m, 12)).toHaveLength(24);
    expect(field(m, 12).equals(Buffer.alloc(24))).toBe(false);
    expect(m.subarray(72, 88)).toEqual(Buffer.alloc(16));
  });
});

describe('splitUser', () => {
  it.each([
    ['CORP\\alice', '', { domain: 'CORP', user: 'alice' }],
    ['alice@corp.example', '', { domain: 'corp.example', user: 'alice' }],
    ['alice', 'CORP', { domain: 'CORP', user: 'alice' }],
    ['alice', '', { domain: '', user: 'alice' }],
  ])('%j (domain %j)', (username, domain, expected) => {
    expect(splitUser(username, domain)).toEqual(expected);
  });
});
