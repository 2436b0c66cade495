import { AvId, encodeAvPairs, fileTime } from '../../src/auth/windows/messages.js';

/** A server's NTLM CHALLENGE (type 2) message for `domain` with this 8-byte server challenge, as the test servers send it. */
export function challengeMessage(domain: string, challenge: Buffer): Buffer {
  const info = encodeAvPairs([
    { id: AvId.NbDomainName, value: Buffer.from(domain, 'utf16le') },
    { id: AvId.Timestamp, value: fileTime() },
  ]);
  const c = Buffer.alloc(48 + info.length);
  Buffer.from('NTLMSSP\0', 'latin1').copy(c);
  c.writeUInt32LE(2, 8);
  c.writeUInt32LE(48, 16);
  c.writeUInt32LE(0xe28a8235, 20);
  challenge.copy(c, 24);
  c.writeUInt16LE(info.length, 40);
  c.writeUInt16LE(info.length, 42);
  c.writeUInt32LE(48, 44);
  info.copy(c, 48);
  return c;
}
