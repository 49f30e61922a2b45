import { randomBytes, type KeyObject } from 'node:crypto';
import { bool, explicit, implicit, int, namedBits, octets, oid, seq, time } from '../asn1/der-writer.ts';
import { buildExtension } from './build-extension.ts';
import { OID } from '../asn1/oids.ts';
import { KeyUsageBit, type Certificate } from './certificate.ts';
import { ascii, buildName, type NameSpec } from './build-name.ts';
import { buildKeyIdentifier, spkiOf } from './key-identifier.ts';
import { buildSignatureAlgorithm, buildSignedStructure, type SigningHash } from './sign-tbs.ts';

export { generateRsaKey } from './generate-rsa-key.ts';

/**
 * What the certificate is for:
 * - 'ca': basicConstraints cA (critical), keyCertSign + cRLSign (critical);
 * - 'smime-person': subjectAltName rfc822Name = `email`, digitalSignature + keyEncipherment (critical), EKU emailProtection;
 * - 'smime-domain': subjectAltName dNSName = `domain` (Direct "domain-bound"), same usages as a person.
 */
export type CertificateProfile = 'ca' | 'smime-person' | 'smime-domain';

export type KeyUsageName = keyof typeof KeyUsageBit;

/** EKU by name; any other value is taken as a dotted OID. */
const EKU_BY_NAME: Record<string, string> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  emailProtection: OID.emailProtection,
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
};

export interface BuildCertificateOptions {
  subject: NameSpec;
  /** the certified public key */
  publicKey: KeyObject;
  /** the private key that signs: the issuer's, or the subject's own when `issuerCert` is absent (self-signed) */
  issuerKey: KeyObject;
  /** the issuing CA's certificate; absent for a self-signed certificate */
  issuerCert?: Certificate;
  profile: CertificateProfile;
  notBefore: Date;
  notAfter: Date;
  /** unsigned big-endian; default: 16 random bytes, positive */
  serial?: Buffer;
  /** 'ca': basicConstraints pathLenConstraint */
  pathLen?: number;
  /** 'smime-person': the mailbox address bound to the key */
  email?: string;
  /** 'smime-domain': the mail domain bound to the key */
  domain?: string;
  /** adds EKU serverAuth (the gateway's TLS server) */
  tlsServer?: boolean;
  /** adds EKU clientAuth (the gateway's TLS client) */
  tlsClient?: boolean;
  /** extra dNSName subjectAltNames (the gateway's TLS host names) */
  dnsNames?: string[];
  /** test override: these KeyUsage bits instead of the profile's, or 'none' to omit the extension */
  keyUsage?: KeyUsageName[] | 'none';
  /** test override: these EKUs (names or OIDs) instead of the profile's, or 'none' to omit the extension */
  extKeyUsage?: string[] | 'none';
  /** certificate signature digest; default sha256 */
  hash?: SigningHash;
  /** test override: let a certificate that is not a CA issue this one */
  allowNonCaIssuer?: boolean;
}

/** A random positive 16-byte serial number. */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f || 0x01;
  return serial;
}

/** Builds and signs an X.509 v3 certificate; returns its DER. */
export function buildCertificate(opts: BuildCertificateOptions): Buffer {
  if (!(opts.notAfter.getTime() > opts.notBefore.getTime())) throw new Error('notAfter must be later than notBefore');
  if (opts.issuerKey.type !== 'private') throw new Error('issuerKey must be a private key');
  if (opts.issuerCert && opts.issuerCert.basicConstraints?.ca !== true && !opts.allowNonCaIssuer) throw new Error('the issuer certificate is not a CA certificate');
  const hash = opts.hash ?? 'sha256';
  const subjectName = buildName(opts.subject);
  const spki = spkiOf(opts.publicKey);
  const serial = opts.serial ?? randomSerial();
  if (serial.length === 0 || int(serial).length > 22 || serial.every((b) => b === 0)) throw new Error('a serial number is 1 to 20 octets encoded and not zero');

  const subjectKeyId = buildKeyIdentifier(spki);
  const issuerName = opts.issuerCert ? opts.issuerCert.subjectDer : subjectName;
  const authorityKeyId = opts.issuerCert ? (opts.issuerCert.subjectKeyId ?? buildKeyIdentifier(opts.issuerCert.spki)) : subjectKeyId;

  const extensions = [
    ...profileExtensions(opts),
    buildExtension(OID.subjectKeyIdentifier, false, octets(subjectKeyId)),
    buildExtension(OID.authorityKeyIdentifier, false, seq(implicit(0, authorityKeyId))),
  ];
  const signatureAlgorithm = buildSignatureAlgorithm(opts.issuerKey, hash);
  const tbs = seq(
    explicit(0, int(2)),
    int(serial),
    signatureAlgorithm,
    issuerName,
    seq(time(opts.notBefore), time(opts.notAfter)),
    subjectName,
    spki,
    explicit(3, seq(...extensions)),
  );
  return buildSignedStructure(tbs, signatureAlgorithm, opts.issuerKey, hash);
}

function profileExtensions(opts: BuildCertificateOptions): Buffer[] {
  const out: Buffer[] = [];
  let keyUsage: KeyUsageName[];
  let eku: string[] = [];
  const sans: Buffer[] = [];
  switch (opts.profile) {
    case 'ca': {
      const pathLen = opts.pathLen;
      if (pathLen !== undefined && (!Number.isInteger(pathLen) || pathLen < 0)) throw new Error('pathLen must be a non-negative integer');
      out.push(buildExtension(OID.basicConstraints, true, pathLen === undefined ? seq(bool(true)) : seq(bool(true), int(pathLen))));
      keyUsage = ['keyCertSign', 'cRLSign'];
      break;
    }
    case 'smime-person': {
      if (!opts.email) throw new Error("the 'smime-person' profile needs an email address");
      if (!/^[^@\s]+@[^@\s]+$/.test(opts.email)) throw new Error(`not an email address: '${opts.email}'`);
      out.push(buildExtension(OID.basicConstraints, false, seq()));
      sans.push(implicit(1, Buffer.from(ascii(opts.email, 'email address'), 'latin1')));
      keyUsage = ['digitalSignature', 'keyEncipherment'];
      eku = [OID.emailProtection];
      break;
    }
    case 'smime-domain': {
      if (!opts.domain) throw new Error("the 'smime-domain' profile needs a domain");
      out.push(buildExtension(OID.basicConstraints, false, seq()));
      sans.push(dnsName(opts.domain));
      keyUsage = ['digitalSignature', 'keyEncipherment'];
      eku = [OID.emailProtection];
      break;
    }
  }
  if (opts.tlsServer) eku.push(OID.serverAuth);
  if (opts.tlsClient) eku.push(OID.clientAuth);
  for (const d of opts.dnsNames ?? []) sans.push(dnsName(d));

  if (opts.keyUsage !== undefined) keyUsage = opts.keyUsage === 'none' ? [] : opts.keyUsage;
  if (opts.keyUsage !== 'none') {
    const flags: boolean[] = [];
    for (const name of keyUsage) flags[KeyUsageBit[name]] = true;
    if (flags.length === 0) throw new Error("an empty KeyUsage: use 'none' to omit the extension");
    out.push(buildExtension(OID.keyUsage, true, namedBits(Array.from(flags, Boolean))));
  }
  if (opts.extKeyUsage !== undefined) eku = opts.extKeyUsage === 'none' ? [] : opts.extKeyUsage.map((e) => EKU_BY_NAME[e] ?? e);
  if (eku.length > 0) out.push(buildExtension(OID.extKeyUsage, false, seq(...[...new Set(eku)].map((e) => oid(e)))));
  if (sans.length > 0) out.push(buildExtension(OID.subjectAltName, false, seq(...sans)));
  return out;
}

function dnsName(name: string): Buffer {
  const d = ascii(name, 'DNS name').toLowerCase();
  if (!/^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(d)) throw new Error(`not a DNS name: '${name}'`);
  return implicit(2, Buffer.from(d, 'latin1'));
}
