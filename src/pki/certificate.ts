import { createPublicKey, createHash, type KeyObject } from 'node:crypto';
import {
  Asn1Error,
  bitFlagsOf,
  bitStringOf,
  childrenOf,
  contentOf,
  expectChildren,
  findContext,
  oidOf,
  rawOf,
  readRoot,
  smallIntOf,
  stringOf,
  Tag,
  timeOf,
  unsignedIntOf,
  type DerNode,
} from '../asn1/der-reader.ts';
import { NAME_ATTRIBUTE, OID } from '../asn1/oids.ts';
import { forEachExtension } from './read-extensions.ts';
import { parseSignatureAlgorithm, type SignatureAlgorithm } from './signature-algorithm.ts';

/** KeyUsage bits (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export interface Certificate {
  der: Buffer;
  /** TBSCertificate bytes as received (what the issuer signed) */
  tbs: Buffer;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Buffer;
  version: number;
  /** serial number, unsigned big-endian */
  serial: Buffer;
  /** serial as upper-case hex, no leading zeros beyond one byte */
  serialHex: string;
  issuerDer: Buffer;
  subjectDer: Buffer;
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER */
  spki: Buffer;
  keyAlgorithm: 'rsa' | 'rsa-pss' | 'ec' | 'dsa' | 'other';
  /** RSA modulus size in bits (0 for non-RSA) */
  keyBits: number;
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** KeyUsage flags, bit 0 first; undefined when the extension is absent */
  keyUsage?: boolean[];
  /** ExtendedKeyUsage OIDs; undefined when absent */
  extKeyUsage?: string[];
  sanEmails: string[];
  sanDns: string[];
  /** emailAddress attributes of the subject DN (legacy binding) */
  subjectEmails: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  /** critical extensions this parser does not understand: such a certificate must not be trusted */
  unknownCritical: string[];
  /** sha-256 of the DER, hex: a stable cache key */
  fingerprint: string;
  /** the public key, decoded on first use */
  publicKey(): KeyObject;
}

/** Parses one DER certificate. Throws Asn1Error on malformed input. */
export function parseCertificate(der: Buffer): Certificate {
  const root = readRoot(der);
  const [tbsNode, sigAlgNode, sigNode] = expectChildren(root, Tag.SEQUENCE, 'Certificate', 3, 3);
  const tbsFields = expectChildren(tbsNode, Tag.SEQUENCE, 'TBSCertificate', 6);
  let i = 0;
  let version = 1;
  if (tbsFields[0]!.tag === 0xa0) {
    version = smallIntOf(childrenOf(tbsFields[0]!)[0]!) + 1;
    i++;
  }
  const serial = unsignedIntOf(tbsFields[i++]!);
  i++; // inner signature algorithm: must equal the outer one
  const innerAlg = tbsFields[i - 1]!;
  const issuerNode = tbsFields[i++]!;
  const validity = expectChildren(tbsFields[i++], Tag.SEQUENCE, 'Validity', 2, 2);
  const subjectNode = tbsFields[i++]!;
  const spkiNode = expectChildren(tbsFields[i++], Tag.SEQUENCE, 'SubjectPublicKeyInfo', 2, 2);
  const rest = tbsFields.slice(i);
  if (!rawOf(innerAlg).equals(rawOf(sigAlgNode!))) throw new Asn1Error('signature algorithms disagree');
  expectChildren(issuerNode, Tag.SEQUENCE, 'issuer Name', 0);
  expectChildren(subjectNode, Tag.SEQUENCE, 'subject Name', 0);

  const spkiParent = tbsFields[i - 1]!;
  const keyAlgOid = oidOf(childrenOf(spkiNode[0]!)[0]!);
  const keyAlgorithm =
    keyAlgOid === OID.rsaEncryption ? 'rsa' : keyAlgOid === OID.rsaPss ? 'rsa-pss' : keyAlgOid === OID.ecPublicKey ? 'ec' : keyAlgOid === OID.dsa ? 'dsa' : 'other';
  const keyBitsRaw = bitStringOf(spkiNode[1]!);
  let keyBits = 0;
  let pkcs1: Buffer | undefined;
  if (keyAlgorithm === 'rsa' || keyAlgorithm === 'rsa-pss') {
    const rsaKey = expectChildren(readRoot(keyBitsRaw), Tag.SEQUENCE, 'RSAPublicKey', 2, 2);
    keyBits = bitLength(unsignedIntOf(rsaKey[0]!));
    if (keyAlgorithm === 'rsa') pkcs1 = keyBitsRaw;
  } else if (keyAlgorithm === 'dsa') {
    const params = childrenOf(spkiNode[0]!)[1];
    if (params && params.tag === Tag.SEQUENCE) keyBits = bitLength(unsignedIntOf(childrenOf(params)[0]!));
  }

  const cert: Certificate = {
    der,
    tbs: rawOf(tbsNode!),
    signatureAlgorithm: parseSignatureAlgorithm(sigAlgNode!),
    signature: bitStringOf(sigNode!),
    version,
    serial,
    serialHex: serial.toString('hex').toUpperCase(),
    issuerDer: rawOf(issuerNode),
    subjectDer: rawOf(subjectNode),
    issuer: formatName(issuerNode),
    subject: formatName(subjectNode),
    notBefore: timeOf(validity[0]!),
    notAfter: timeOf(validity[1]!),
    spki: rawOf(spkiParent),
    keyAlgorithm,
    keyBits,
    sanEmails: [],
    sanDns: [],
    subjectEmails: nameAttributes(subjectNode, OID.emailAddress),
    unknownCritical: [],
    fingerprint: createHash('sha256').update(der).digest('hex'),
    publicKey: () => {
      // a bare PKCS#1 key decodes an order of magnitude faster than an SPKI in OpenSSL 3.0
      const key = pkcs1
        ? createPublicKey({ key: pkcs1, format: 'der', type: 'pkcs1' })
        : createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
      cert.publicKey = () => key;
      return key;
    },
  };

  const extWrapper = findContext(rest, 3);
  if (extWrapper) {
    if (version !== 3) throw new Asn1Error('extensions in a certificate that is not v3');
    const exts = expectChildren(childrenOf(extWrapper)[0], Tag.SEQUENCE, 'Extensions', 1);
    forEachExtension(exts, (id, critical, value) => readExtension(cert, id, critical, value));
  }
  return cert;
}

function readExtension(cert: Certificate, id: string, critical: boolean, value: DerNode): void {
  switch (id) {
    case OID.basicConstraints: {
      const k = expectChildren(value, Tag.SEQUENCE, 'BasicConstraints', 0, 2);
      let ca = false;
      let pathLen: number | undefined;
      for (const c of k) {
        if (c.tag === Tag.BOOLEAN) ca = contentOf(c)[0] !== 0;
        else if (c.tag === Tag.INTEGER) pathLen = smallIntOf(c);
      }
      cert.basicConstraints = pathLen === undefined ? { ca } : { ca, pathLen };
      break;
    }
    case OID.keyUsage:
      cert.keyUsage = bitFlagsOf(value);
      break;
    case OID.extKeyUsage:
      cert.extKeyUsage = expectChildren(value, Tag.SEQUENCE, 'ExtKeyUsage', 1).map(oidOf);
      break;
    case OID.subjectAltName:
      for (const gn of expectChildren(value, Tag.SEQUENCE, 'GeneralNames', 1)) {
        if (gn.tag === 0x81) cert.sanEmails.push(contentOf(gn).toString('latin1'));
        else if (gn.tag === 0x82) cert.sanDns.push(contentOf(gn).toString('latin1'));
      }
      break;
    case OID.subjectKeyIdentifier:
      if (value.tag !== Tag.OCTET_STRING) throw new Asn1Error('bad SubjectKeyIdentifier');
      cert.subjectKeyId = contentOf(value);
      break;
    case OID.authorityKeyIdentifier: {
      const k = expectChildren(value, Tag.SEQUENCE, 'AuthorityKeyIdentifier', 0, 3);
      const keyId = findContext(k, 0);
      if (keyId) cert.authorityKeyId = contentOf(keyId);
      break;
    }
    case OID.certificatePolicies:
    case OID.crlDistributionPoints:
      break;
    default:
      if (critical) cert.unknownCritical.push(id);
  }
}

function bitLength(n: Buffer): number {
  if (n.length === 0) return 0;
  return (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
}

function nameAttributes(name: DerNode, type: string): string[] {
  const out: string[] = [];
  for (const rdn of childrenOf(name)) {
    for (const atv of childrenOf(rdn)) {
      const [t, v] = childrenOf(atv);
      if (t && v && oidOf(t) === type) out.push(stringOf(v));
    }
  }
  return out;
}

/** A distinguished name as text, RDNs in encoded order: "C=FR, O=txgate, CN=Dr A". */
export function formatName(name: DerNode): string {
  const parts: string[] = [];
  for (const rdn of childrenOf(name)) {
    const atvs: string[] = [];
    for (const atv of childrenOf(rdn)) {
      const [t, v] = childrenOf(atv);
      if (!t || !v) throw new Asn1Error('bad AttributeTypeAndValue');
      const type = oidOf(t);
      let text: string;
      try {
        text = stringOf(v);
      } catch {
        text = `#${rawOf(v).toString('hex')}`;
      }
      atvs.push(`${NAME_ATTRIBUTE[type] ?? type}=${text}`);
    }
    parts.push(atvs.join('+'));
  }
  return parts.join(', ');
}

/** Parses PEM text into DER blocks of the given label(s). */
export function pemBlocks(text: string, labels: string[] = ['CERTIFICATE']): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (labels.includes(m[1]!)) out.push(Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
  }
  return out;
}

/** DER to PEM. */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Reads certificates from PEM text or a single DER buffer. */
export function parseCertificates(data: Buffer): Certificate[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) return pemBlocks(text).map(parseCertificate);
  return [parseCertificate(data)];
}
