/**
 * Recipients' encryption certificates from the directory (the database), with the interface of the certificate
 * folder (certificate-folder.ts), so the pipeline can use either. A certificate is used for an address only when
 * it binds that address (rfc822Name) or its domain (dNSName), can encrypt (canEncryptFor) and is valid at `at`;
 * the newest first. Parsed certificates are kept by their SHA-256.
 */
import { domainOf } from '../mime/addresses.ts';
import { parseCertificate, type Certificate } from '../pki/certificate.ts';
import { countCertificates, findCertificates } from '../store/directory.ts';
import type { Db } from '../store/open-database.ts';
import { canEncryptFor, type CertificateDirectory } from './certificate-folder.ts';

export function buildDirectoryCertificates(db: Db): CertificateDirectory {
  const parsed = new Map<string, Certificate>();
  const parse = (sha256: string, der: Buffer): Certificate | undefined => {
    let c = parsed.get(sha256);
    if (!c) {
      try {
        c = parseCertificate(der);
      } catch {
        return undefined;
      }
      parsed.set(sha256, c);
    }
    return c;
  };
  return {
    get size() {
      return countCertificates(db);
    },
    findEncryptionCert(address, at) {
      const a = address.trim().toLowerCase();
      const domain = domainOf(a);
      for (const stored of findCertificates(db, address, at)) {
        const c = parse(stored.sha256, stored.der);
        if (!c || !canEncryptFor(c, at)) continue;
        if (c.sanEmails.some((e) => e.toLowerCase() === a) || c.sanDns.some((d) => d.toLowerCase() === domain)) return c;
      }
      return undefined;
    },
  };
}
