import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SigningCert {
  /** PEM files: the registry's `rootcertbundle` is certFile. */
  certFile: string;
  keyFile: string;
  key: crypto.KeyObject;
  /** The certificate as base64 DER: the JWT header's `x5c[0]`. */
  certDerBase64: string;
}

/**
 * A self-signed RSA certificate for the token server, made with the openssl CLI. The registry
 * trusts it through `rootcertbundle`; tokens carry it in `x5c` and are signed with its key.
 */
export function makeSigningCert(dir: string, commonName = 'mlops-test-token-signer'): SigningCert {
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'token-signer.crt');
  const keyFile = path.join(dir, 'token-signer.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${commonName}`, '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
  const pem = fs.readFileSync(certFile, 'utf8');
  return { certFile, keyFile, key: crypto.createPrivateKey(fs.readFileSync(keyFile)), certDerBase64: new crypto.X509Certificate(pem).raw.toString('base64') };
}
