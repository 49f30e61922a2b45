/**
 * Practitioners' S/MIME certificates from a file: PEM (one or more certificates), DER, or PKCS#12 (its
 * certificates; the private key is never kept). Each end-entity certificate is attached to the practitioner whose
 * secure-mail address is in its rfc822Name SAN; CA certificates of a chain are passed over.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fail, ok, type Result } from '../errors/result.ts';
import { parseCertificate, parseCertificates, type Certificate } from '../pki/certificate.ts';
import { importPkcs12 } from '../pki/pkcs12.ts';
import { attachCertificates, type AttachOutcome } from '../store/directory.ts';
import type { Db } from '../store/open-database.ts';

export interface CertificateImportReport {
  /** end-entity certificates read */
  certificates: number;
  outcomes: (AttachOutcome & { subject: string; notAfter: Date })[];
}

/** The certificates of a file's bytes (pure): PEM, DER, else PKCS#12 with the password. */
export function readCertificateBytes(bytes: Buffer, password = ''): Result<Certificate[]> {
  if (bytes.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    try {
      return ok(parseCertificates(bytes));
    } catch (err) {
      return fail({ code: 'CERT_UNREADABLE', path: '', message: (err as Error).message });
    }
  }
  try {
    return ok([parseCertificate(bytes)]);
  } catch {
    // not a DER certificate: a PKCS#12 file?
  }
  try {
    const p12 = importPkcs12(bytes, password);
    return ok([p12.cert, ...p12.chain].map(parseCertificate));
  } catch (err) {
    return fail({ code: 'CERT_UNREADABLE', path: '', message: `neither PEM, DER nor a PKCS#12 file this password opens (${(err as Error).message})` });
  }
}

/** Reads a certificate file and attaches its end-entity certificates, in one transaction. */
export function importCertificateFile(db: Db, path: string, password?: string): Result<CertificateImportReport> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return fail({ code: 'CERT_UNREADABLE', path: basename(path), message: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  const read = readCertificateBytes(bytes, password);
  if (!read.ok) return fail(...read.problems.map((p) => ({ ...p, path: basename(path) })));
  const certs = read.value.filter((c) => c.basicConstraints?.ca !== true);
  const outcomes = attachCertificates(db, certs.map((c) => ({ der: c.der, notBefore: c.notBefore, notAfter: c.notAfter, addresses: c.sanEmails })));
  return ok({ certificates: certs.length, outcomes: outcomes.map((o, i) => ({ ...o, subject: certs[i]!.subject, notAfter: certs[i]!.notAfter })) });
}
