/**
 * Recipients' encryption certificates from a folder of PEM/DER files (the practitioner directory
 * replaces it later). Indexed by the addresses (rfc822Name) and domains (dNSName) they bind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyUsageBit, parseCertificates, type Certificate } from '../pki/certificate.ts';
import { domainOf } from '../mime/addresses.ts';

export interface CertificateDirectory {
  /** the best certificate to encrypt for this address at `at` (an address certificate before a domain one) */
  findEncryptionCert(address: string, at: Date): Certificate | undefined;
  size: number;
}

/** Can this certificate encrypt a content key for its owner? */
export function canEncryptFor(cert: Certificate, at: Date): boolean {
  if (cert.keyAlgorithm !== 'rsa' || cert.keyBits < 2048) return false;
  if (at < cert.notBefore || at > cert.notAfter) return false;
  return !cert.keyUsage || cert.keyUsage[KeyUsageBit.keyEncipherment] === true;
}

export function buildCertificateDirectory(certs: Certificate[]): CertificateDirectory {
  const byAddress = new Map<string, Certificate[]>();
  const byDomain = new Map<string, Certificate[]>();
  for (const c of certs) {
    for (const e of c.sanEmails) byAddress.set(e.toLowerCase(), [...(byAddress.get(e.toLowerCase()) ?? []), c]);
    for (const d of c.sanDns) byDomain.set(d.toLowerCase(), [...(byDomain.get(d.toLowerCase()) ?? []), c]);
  }
  const best = (list: Certificate[] | undefined, at: Date) =>
    (list ?? []).filter((c) => canEncryptFor(c, at)).sort((a, b) => b.notAfter.getTime() - a.notAfter.getTime())[0];
  return {
    size: certs.length,
    findEncryptionCert(address, at) {
      return best(byAddress.get(address.toLowerCase()), at) ?? best(byDomain.get(domainOf(address)), at);
    },
  };
}

/** Reads every certificate file of a folder (missing folder: empty directory). Unreadable files are reported. */
export function loadCertificateFolder(dir: string): { directory: CertificateDirectory; problems: string[] } {
  const certs: Certificate[] = [];
  const problems: string[] = [];
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (!/\.(pem|crt|cer|der)$/i.test(f)) continue;
      try {
        certs.push(...parseCertificates(readFileSync(join(dir, f))));
      } catch (err) {
        problems.push(`${f}: ${(err as Error).message}`);
      }
    }
  }
  return { directory: buildCertificateDirectory(certs), problems };
}
