/**
 * A development PKI made on the spot: one CA, the gateway (S/MIME and TLS), and any number of
 * people with S/MIME certificates. For `npm start`, `txgate init` and benchmarks; never for production.
 */
import type { KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCertificate } from './build-certificate.ts';
import type { NameSpec } from './build-name.ts';
import { parseCertificate, toPem, type Certificate } from './certificate.ts';
import { generateRsaKey, privateKeyToPem } from './generate-rsa-key.ts';

export interface DevParty {
  name: string;
  address: string;
  key: KeyObject;
  cert: Certificate;
}

export interface DevPki {
  ca: { key: KeyObject; cert: Certificate };
  gateway: DevParty;
  people: DevParty[];
}

export interface DevPkiOptions {
  domain: string;
  people: { name: string; cn: string; address: string; o?: string }[];
  /** validity start (default: now minus a day) and length in days (default 825) */
  from?: Date;
  days?: number;
}

export function createDevPki(opts: DevPkiOptions): DevPki {
  const notBefore = opts.from ?? new Date(Date.now() - 86_400_000);
  const notAfter = new Date(notBefore.getTime() + (opts.days ?? 825) * 86_400_000);
  const caKeys = generateRsaKey(2048);
  const caSubject: NameSpec = { cn: `txgate Development CA (${opts.domain})`, o: 'txgate development', c: 'FR' };
  const ca = {
    key: caKeys.privateKey,
    cert: parseCertificate(buildCertificate({ subject: caSubject, publicKey: caKeys.publicKey, issuerKey: caKeys.privateKey, profile: 'ca', notBefore, notAfter })),
  };
  const issue = (name: string, subject: NameSpec, address: string, gateway: boolean): DevParty => {
    const keys = generateRsaKey(2048);
    const der = buildCertificate({
      subject,
      publicKey: keys.publicKey,
      issuerKey: ca.key,
      issuerCert: ca.cert,
      profile: 'smime-person',
      email: address,
      notBefore,
      notAfter,
      // people sign in to the FHIR API with the same certificate (mutual TLS)
      tlsClient: true,
      ...(gateway ? { tlsServer: true, dnsNames: [opts.domain, 'localhost'] } : {}),
    });
    return { name, address, key: keys.privateKey, cert: parseCertificate(der) };
  };
  const gateway = issue('gateway', { cn: `txgate gateway ${opts.domain}`, o: 'txgate development', c: 'FR' }, `gateway@${opts.domain}`, true);
  const people = opts.people.map((p) => issue(p.name, { cn: p.cn, o: p.o ?? 'txgate development', c: 'FR' }, p.address, false));
  return { ca, gateway, people };
}

/** Writes NAME.crt.pem and NAME.key.pem (mode 0600) for the CA, the gateway and each person. */
export function writeDevPki(pki: DevPki, dir: string): Record<string, { cert: string; key: string }> {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, { cert: string; key: string }> = {};
  const write = (name: string, cert: Certificate, key: KeyObject) => {
    const certPath = join(dir, `${name}.crt.pem`);
    const keyPath = join(dir, `${name}.key.pem`);
    writeFileSync(certPath, toPem(cert.der));
    writeFileSync(keyPath, privateKeyToPem(key), { mode: 0o600 });
    out[name] = { cert: certPath, key: keyPath };
  };
  write('ca', pki.ca.cert, pki.ca.key);
  write('gateway', pki.gateway.cert, pki.gateway.key);
  for (const p of pki.people) write(p.name, p.cert, p.key);
  return out;
}
