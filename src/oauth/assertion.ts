import { X509Certificate, createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { CliError } from '../errors.js';
import { base64url, randomToken } from './pkce.js';

/** A client certificate for private_key_jwt (Entra ID `aadcertificate`): the X.509 cert and its private key. */
export interface ClientCertificate {
  privateKey: KeyObject;
  /** base64url SHA-256 of the DER certificate (JWS header `x5t#S256`). */
  thumbprintS256: string;
  /** base64url SHA-1 of the DER certificate (JWS header `x5t`, which older Entra ID tenants still read). */
  thumbprintSha1: string;
  alg: 'RS256' | 'ES256';
}

const CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_RE = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/**
 * Read a PEM certificate and its private key. Both may sit in one file (the
 * usual `--certificate file`), or the key may be passed separately. `where`
 * names the source in error messages.
 */
export function loadCertificate(pem: string, keyPem: string = pem, where = 'the certificate file'): ClientCertificate {
  const certText = CERT_RE.exec(pem)?.[0];
  if (!certText) throw new CliError(`${where} has no PEM certificate (-----BEGIN CERTIFICATE-----)`, { hint: 'Convert a .pfx with: openssl pkcs12 -in cert.pfx -out cert.pem -nodes' });
  const keyMatch = KEY_RE.exec(keyPem);
  if (!keyMatch) throw new CliError(`${where} has no PEM private key (-----BEGIN PRIVATE KEY-----)`, { hint: 'Put the certificate and its unencrypted private key in one PEM file.' });
  if (keyMatch[1] === 'ENCRYPTED PRIVATE KEY') {
    throw new CliError(`the private key in ${where} is encrypted`, { hint: 'Decrypt it first: openssl pkey -in key.pem -out plain.pem' });
  }
  let cert: X509Certificate;
  let privateKey: KeyObject;
  try {
    cert = new X509Certificate(certText);
    privateKey = createPrivateKey(keyMatch[0]);
  } catch (e) {
    throw new CliError(`${where} could not be read: ${(e as Error).message}`);
  }
  if (!cert.checkPrivateKey(privateKey)) throw new CliError(`the private key in ${where} does not belong to its certificate`);
  const type = privateKey.asymmetricKeyType;
  let alg: ClientCertificate['alg'];
  if (type === 'rsa') alg = 'RS256';
  else if (type === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
  else throw new CliError(`${where} holds a ${type} key; only RSA and EC P-256 keys are supported`);
  return {
    privateKey,
    alg,
    thumbprintS256: base64url(createHash('sha256').update(cert.raw).digest()),
    thumbprintSha1: base64url(createHash('sha1').update(cert.raw).digest()),
  };
}

/** A signed client assertion (RFC 7523 §2.2) for client_id at the token endpoint `audience`, valid 5 minutes. */
export function clientAssertion(cert: ClientCertificate, clientId: string, audience: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const header = { alg: cert.alg, typ: 'JWT', 'x5t#S256': cert.thumbprintS256, x5t: cert.thumbprintSha1 };
  const claims = { iss: clientId, sub: clientId, aud: audience, jti: randomToken(16), iat: now, nbf: now, exp: now + 300 };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const sig = sign('sha256', Buffer.from(input), cert.alg === 'ES256' ? { key: cert.privateKey, dsaEncoding: 'ieee-p1363' } : cert.privateKey);
  return `${input}.${base64url(sig)}`;
}
