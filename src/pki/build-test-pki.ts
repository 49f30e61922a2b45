/**
 * The test PKI committed in certs/: fixed names, dates and usages, fresh keys and serials.
 * `txgate certs test-pki --out certs` writes it; certs/README.md says what each file is for.
 */
import type { KeyObject } from 'node:crypto';
import { buildCertificate, type BuildCertificateOptions } from './build-certificate.ts';
import type { NameSpec } from './build-name.ts';
import { parseCertificate, toPem, type Certificate } from './certificate.ts';
import { buildCrl, CRL_PEM_LABEL } from './crl.ts';
import { generateRsaKey, privateKeyToPem } from './generate-rsa-key.ts';

export interface PkiFile {
  name: string;
  content: string;
  /** file mode: 0o600 for private keys */
  mode: number;
}

export const TEST_PKI_FROM = new Date('2025-01-01T00:00:00Z');
export const TEST_PKI_TO = new Date('2045-01-01T00:00:00Z');

interface Issuer {
  cert: Certificate;
  key: KeyObject;
}

interface PersonSpec {
  file: string;
  subject: NameSpec;
  email?: string;
  domain?: string;
  issuer?: 'root' | 'intermediate' | 'untrusted';
  notBefore?: Date;
  notAfter?: Date;
  bits?: number;
  extra?: Partial<BuildCertificateOptions>;
}

const HOSPITAL_A = { o: 'Hopital A', c: 'FR' };

/** The end-entity certificates of the test PKI, in the order they are written. */
export const TEST_PKI_PEOPLE: readonly PersonSpec[] = [
  {
    file: 'gateway',
    subject: { cn: 'txgate gateway', o: 'txgate test', c: 'FR' },
    email: 'gateway@txgate.localhost',
    extra: { tlsServer: true, tlsClient: true, dnsNames: ['txgate.localhost', 'localhost'] },
  },
  {
    file: 'gateway-next',
    subject: { cn: 'txgate gateway (next key)', o: 'txgate test', c: 'FR' },
    email: 'gateway@txgate.localhost',
    extra: { tlsServer: true, tlsClient: true, dnsNames: ['txgate.localhost', 'localhost'] },
  },
  { file: 'doctor', subject: { cn: 'Dr Claire Martin', ...HOSPITAL_A }, email: 'dr.martin@hopital-a.test' },
  { file: 'specialist', subject: { cn: 'Dr Paul Durand', o: 'CHU B', c: 'FR' }, email: 'cardio.durand@chu-b.test' },
  { file: 'nurse', subject: { cn: 'Sophie Bernard', o: 'Cabinet C', c: 'FR' }, email: 'ide.bernard@cabinet-c.test' },
  {
    file: 'expired',
    subject: { cn: 'Dr Expired', ...HOSPITAL_A },
    email: 'dr.expired@hopital-a.test',
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2021-01-01T00:00:00Z'),
  },
  {
    file: 'not-yet-valid',
    subject: { cn: 'Dr Future', ...HOSPITAL_A },
    email: 'dr.future@hopital-a.test',
    notBefore: new Date('2044-01-01T00:00:00Z'),
    notAfter: new Date('2045-01-01T00:00:00Z'),
  },
  { file: 'revoked', subject: { cn: 'Dr Revoked', ...HOSPITAL_A }, email: 'dr.revoked@hopital-a.test' },
  { file: 'untrusted', subject: { cn: 'Dr Untrusted', ...HOSPITAL_A }, email: 'dr.untrusted@hopital-a.test', issuer: 'untrusted' },
  {
    file: 'wrong-usage',
    subject: { cn: 'Dr Wrong Usage', ...HOSPITAL_A },
    email: 'dr.wrongusage@hopital-a.test',
    extra: { keyUsage: ['keyEncipherment'], extKeyUsage: ['serverAuth'] },
  },
  { file: 'weak-1024', subject: { cn: 'Dr Weak', ...HOSPITAL_A }, email: 'dr.weak@hopital-a.test', bits: 1024 },
  { file: 'sha1-signer', subject: { cn: 'Dr Sha1', ...HOSPITAL_A }, email: 'dr.sha1@hopital-a.test' },
  { file: 'domain', subject: { cn: 'hopital-a.test', ...HOSPITAL_A }, domain: 'hopital-a.test' },
  { file: 'via-intermediate', subject: { cn: 'Dr Inter', ...HOSPITAL_A }, email: 'dr.inter@hopital-a.test', issuer: 'intermediate' },
];

/** Generates every file of the test PKI (certificates, PKCS#8 keys, CRLs). Keys and serials are random. */
export function buildTestPki(): PkiFile[] {
  const files: PkiFile[] = [];
  const emit = (name: string, cert: Buffer, key: KeyObject): void => {
    files.push({ name: `${name}.crt.pem`, content: toPem(cert), mode: 0o644 });
    files.push({ name: `${name}.key.pem`, content: privateKeyToPem(key), mode: 0o600 });
  };
  const validity = { notBefore: TEST_PKI_FROM, notAfter: TEST_PKI_TO };

  const rootKey = generateRsaKey(2048);
  const rootDer = buildCertificate({
    subject: { cn: 'txgate Test Root CA', o: 'txgate test', c: 'FR' },
    publicKey: rootKey.publicKey,
    issuerKey: rootKey.privateKey,
    profile: 'ca',
    ...validity,
  });
  const root: Issuer = { cert: parseCertificate(rootDer), key: rootKey.privateKey };
  emit('ca', rootDer, rootKey.privateKey);

  const interKey = generateRsaKey(2048);
  const interDer = buildCertificate({
    subject: { cn: 'txgate Test Intermediate CA', o: 'txgate test', c: 'FR' },
    publicKey: interKey.publicKey,
    issuerKey: root.key,
    issuerCert: root.cert,
    profile: 'ca',
    pathLen: 0,
    ...validity,
  });
  const intermediate: Issuer = { cert: parseCertificate(interDer), key: interKey.privateKey };
  emit('intermediate', interDer, interKey.privateKey);

  const untrustedKey = generateRsaKey(2048);
  const untrustedDer = buildCertificate({
    subject: { cn: 'Untrusted Root', o: 'Untrusted test', c: 'FR' },
    publicKey: untrustedKey.publicKey,
    issuerKey: untrustedKey.privateKey,
    profile: 'ca',
    ...validity,
  });
  const untrusted: Issuer = { cert: parseCertificate(untrustedDer), key: untrustedKey.privateKey };
  emit('untrusted-ca', untrustedDer, untrustedKey.privateKey);

  const issuers = { root, intermediate, untrusted };
  let revokedSerial: Buffer | undefined;
  for (const p of TEST_PKI_PEOPLE) {
    const key = generateRsaKey(p.bits ?? 2048);
    const issuer = issuers[p.issuer ?? 'root'];
    const der = buildCertificate({
      subject: p.subject,
      publicKey: key.publicKey,
      issuerKey: issuer.key,
      issuerCert: issuer.cert,
      profile: p.domain ? 'smime-domain' : 'smime-person',
      ...(p.email ? { email: p.email } : {}),
      ...(p.domain ? { domain: p.domain } : {}),
      notBefore: p.notBefore ?? TEST_PKI_FROM,
      notAfter: p.notAfter ?? TEST_PKI_TO,
      ...p.extra,
    });
    if (p.file === 'revoked') revokedSerial = parseCertificate(der).serial;
    emit(p.file, der, key.privateKey);
  }
  if (!revokedSerial) throw new Error('test PKI without its revoked certificate');

  const crlDates = { thisUpdate: TEST_PKI_FROM, nextUpdate: TEST_PKI_TO, crlNumber: 1 };
  const rootCrl = buildCrl({ issuerCert: root.cert, issuerKey: root.key, revoked: [{ serial: revokedSerial, date: TEST_PKI_FROM }], ...crlDates });
  files.push({ name: 'crl.pem', content: toPem(rootCrl, CRL_PEM_LABEL), mode: 0o644 });
  const interCrl = buildCrl({ issuerCert: intermediate.cert, issuerKey: intermediate.key, revoked: [], ...crlDates });
  files.push({ name: 'intermediate-crl.pem', content: toPem(interCrl, CRL_PEM_LABEL), mode: 0o644 });
  return files;
}
