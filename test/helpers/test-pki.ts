import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates, type Certificate } from '../../src/pki/certificate.ts';
import { loadTrustStore, type TrustStore } from '../../src/pki/trust-store.ts';
import { loadGatewayKey, type GatewayKey } from '../../src/smime/gateway-key.ts';
import { CERTS } from './paths.ts';

/** One party of the committed test PKI (certs/NAME.crt.pem and certs/NAME.key.pem). */
export interface Party {
  name: string;
  certFile: string;
  keyFile: string;
  cert: Certificate;
  key: KeyObject;
}

export function party(name: string): Party {
  const certFile = join(CERTS, `${name}.crt.pem`);
  const keyFile = join(CERTS, `${name}.key.pem`);
  return { name, certFile, keyFile, cert: parseCertificates(readFileSync(certFile))[0]!, key: createPrivateKey(readFileSync(keyFile)) };
}

export function cert(name: string): Certificate {
  return parseCertificates(readFileSync(join(CERTS, `${name}.crt.pem`)))[0]!;
}

export const CA_FILE = join(CERTS, 'ca.crt.pem');
export const CRL_FILE = join(CERTS, 'crl.pem');
export const INTERMEDIATE_CRL_FILE = join(CERTS, 'intermediate-crl.pem');

export function gatewayKey(name = 'gateway'): GatewayKey {
  return loadGatewayKey(join(CERTS, `${name}.key.pem`), join(CERTS, `${name}.crt.pem`));
}

/** The test PKI's root as the only anchor, with its CRLs. */
export function testTrust(withCrls = true): TrustStore {
  return loadTrustStore([{ path: CA_FILE }], withCrls ? [CRL_FILE, INTERMEDIATE_CRL_FILE] : []);
}

/** A sample tele-expertise request, as a requester's mail client writes it (CRLF). */
export function sampleInner(from = 'dr.martin@hopital-a.test', to = 'gateway@txgate.localhost'): Buffer {
  return Buffer.from(
    [
      `From: Dr Martin <${from}>`,
      `To: ${to}`,
      'Subject: Demande de téléexpertise',
      'Date: Tue, 03 Mar 2026 10:00:00 +0100',
      `Message-ID: <req-${Math.random().toString(36).slice(2)}@hopital-a.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Patient: Jeanne Dupont, née le 12/04/1956',
      'Question: souffle systolique, avis cardiologique ?',
      '',
    ].join('\r\n'),
    'utf8',
  );
}
