import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { CliError } from '../errors.js';

/**
 * A client certificate for private_key_jwt (Entra ID `aadcertificate`): the X.509 cert and its private key.
 * oauth4webapi signs the assertion (library.ts privateKeyJwt); reading PEM and X.509 thumbprints is ours (it has no X.509).
 */
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
  if (!certText)
    throw new CliError(`${where} has no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
      hint: 'Convert a .pfx with: openssl pkcs12 -in cert.pfx -out cert.pem -nodes',
    });
  const keyMatch = KEY_RE.exec(keyPem);
  if (!keyMatch)
    throw new CliError(`${where} has no PEM private key (-----BEGIN PRIVATE KEY-----)`, {
      hint: 'Put the certificate and its unencrypted private key in one PEM file.',
    });
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
    thumbprintS256: createHash('sha256').update(cert.raw).digest('base64url'),
    thumbprintSha1: createHash('sha1').update(cert.raw).digest('base64url'),
  };
}
