/**
 * Practitioners' certificates from PEM, DER or PKCS#12 files, attached by the rfc822Name address, and found again
 * for encryption through the directory's CertificateDirectory.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDirectoryCertificates } from '../../src/directory/directory-certificates.ts';
import { importCertificateFile } from '../../src/directory/import-certificates.ts';
import { importDirectoryFile } from '../../src/directory/import-directory-file.ts';
import { parseCertificates, pemBlocks } from '../../src/pki/certificate.ts';
import { exportPkcs12 } from '../../src/pki/pkcs12.ts';
import { CERTS } from '../helpers/paths.ts';
import { CSV_SAMPLE, tableCounts, tempDb, type TempDb } from './directory-db.ts';

const NOW = new Date('2026-03-01T00:00:00Z');
const pem = (name: string) => join(CERTS, `${name}.crt.pem`);
let t: TempDb;
beforeEach(() => {
  t = tempDb();
  importDirectoryFile(t.db, CSV_SAMPLE, { now: NOW });
});
afterEach(() => t.close());

describe('importCertificateFile', () => {
  it('attaches a PEM certificate to the practitioner of its address', () => {
    const r = importCertificateFile(t.db, pem('specialist'));
    expect(r.ok && r.value.outcomes).toEqual([expect.objectContaining({ attached: true, address: 'cardio.durand@chu-b.test', added: true })]);
    expect(importCertificateFile(t.db, pem('specialist')).ok && tableCounts(t.db).practitioner_certificates).toBe(1);
  });

  it('attaches the certificate of a PKCS#12 file, not its CA, and never keeps the key', () => {
    const cert = pemBlocks(readFileSync(pem('nurse'), 'utf8'))[0]!;
    const ca = pemBlocks(readFileSync(pem('ca'), 'utf8'))[0]!;
    const file = join(t.dir, 'nurse.p12');
    writeFileSync(file, exportPkcs12({ key: createPrivateKey(readFileSync(join(CERTS, 'nurse.key.pem'))), cert, chain: [ca], password: 'secret' }));
    const r = importCertificateFile(t.db, file, 'secret');
    expect(r.ok && r.value).toMatchObject({ certificates: 1, outcomes: [{ attached: true, address: 'ide.bernard@cabinet-c.test' }] });
    const stored = t.db.prepare('SELECT der FROM practitioner_certificates').all() as { der: Buffer }[];
    expect(stored.map((s) => s.der)).toEqual([cert]);
    const wrong = importCertificateFile(t.db, file, 'wrong');
    expect(wrong.ok).toBe(false);
  });

  it.each([
    ['a certificate whose address no practitioner has', () => pem('untrusted'), { certificates: 1, outcomes: [{ attached: false, addresses: ['dr.untrusted@hopital-a.test'] }] }],
    ['a CA certificate alone', () => pem('ca'), { certificates: 0, outcomes: [] }],
  ])('attaches nothing for %s', (_rule, file, report) => {
    const r = importCertificateFile(t.db, file());
    expect(r.ok && r.value).toMatchObject(report);
    expect(tableCounts(t.db).practitioner_certificates).toBe(0);
  });

  it.each([
    ['a missing file', () => join(t.dir, 'none.pem')],
    ['a file that is no certificate', () => CSV_SAMPLE],
  ])('fails for %s', (_rule, file) => {
    expect(importCertificateFile(t.db, file()).ok).toBe(false);
  });
});

describe('buildDirectoryCertificates', () => {
  it('finds the encryption certificate of an address, only one that binds it and is valid', () => {
    importCertificateFile(t.db, pem('specialist'));
    const dir = buildDirectoryCertificates(t.db);
    const specialist = parseCertificates(readFileSync(pem('specialist')))[0]!;
    expect(dir.size).toBe(1);
    expect(dir.findEncryptionCert('Cardio.Durand@chu-b.test', NOW)?.fingerprint).toBe(specialist.fingerprint);
    // the same practitioner's other address: the certificate does not bind it
    expect(dir.findEncryptionCert('paul.durand@cardio.mssante.fr', NOW)).toBeUndefined();
    expect(dir.findEncryptionCert('cardio.durand@chu-b.test', new Date('2050-01-01T00:00:00Z'))).toBeUndefined();
  });
});
