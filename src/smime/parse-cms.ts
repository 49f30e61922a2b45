/**
 * CMS structures read with the small DER reader (RFC 5652, RFC 5083). Parsing only: no crypto here.
 * Every function throws Asn1Error on malformed input.
 */
import {
  Asn1Error,
  childrenOf,
  contentOf,
  expectChildren,
  expectTag,
  octetsOf,
  oidOf,
  rawOf,
  readRoot,
  smallIntOf,
  Tag,
  unsignedIntOf,
  type DerNode,
} from '../asn1/der-reader.ts';
import { OID } from '../asn1/oids.ts';

export interface ContentInfo {
  contentType: string;
  content: DerNode;
}

export function parseContentInfo(der: Buffer): ContentInfo {
  // BER from streaming encoders may carry trailing end-of-contents padding: allow trailing zeros only
  const root = readRoot(der, true);
  for (let i = root.end; i < der.length; i++) if (der[i] !== 0) throw new Asn1Error('trailing data after ContentInfo');
  const kids = expectChildren(root, Tag.SEQUENCE, 'ContentInfo', 2, 2);
  const contentType = oidOf(kids[0]!);
  const wrapper = expectTag(kids[1], 0xa0, 'ContentInfo content');
  const inner = childrenOf(wrapper);
  if (inner.length !== 1) throw new Asn1Error('ContentInfo content must hold one value');
  return { contentType, content: inner[0]! };
}

/** Who a RecipientInfo or SignerInfo names: issuer+serial, or a subject key identifier. */
export type CertId = { kind: 'issuerSerial'; issuer: Buffer; serial: Buffer } | { kind: 'ski'; ski: Buffer };

function parseCertId(node: DerNode, skiTag: number): CertId {
  if (node.tag === Tag.SEQUENCE) {
    const [issuer, serial] = expectChildren(node, Tag.SEQUENCE, 'IssuerAndSerialNumber', 2, 2);
    expectTag(issuer, Tag.SEQUENCE, 'issuer');
    return { kind: 'issuerSerial', issuer: rawOf(issuer!), serial: unsignedIntOf(serial!) };
  }
  if (node.tag === skiTag) return { kind: 'ski', ski: contentOf(node) };
  throw new Asn1Error('unknown certificate identifier');
}

export interface AlgorithmId {
  oid: string;
  params: DerNode | undefined;
  node: DerNode;
}

export function parseAlgorithmId(node: DerNode | undefined, what: string): AlgorithmId {
  const kids = expectChildren(node, Tag.SEQUENCE, what, 1, 2);
  return { oid: oidOf(kids[0]!), params: kids[1], node: node! };
}

export interface KeyTransRecipient {
  rid: CertId;
  keyEncryption: AlgorithmId;
  encryptedKey: Buffer;
}

export interface EnvelopedContent {
  kind: 'enveloped' | 'authEnveloped';
  /** KeyTransRecipientInfo entries; other recipient kinds are counted but not usable */
  recipients: KeyTransRecipient[];
  otherRecipients: number;
  contentType: string;
  contentEncryption: AlgorithmId;
  encryptedContent: Buffer;
  /** AuthEnvelopedData: DER of authAttrs re-tagged as SET (the AAD), and the MAC */
  authAttrs?: Buffer;
  mac?: Buffer;
}

const MAX_RECIPIENTS = 1000;

/** EnvelopedData (RFC 5652 §6) or AuthEnvelopedData (RFC 5083). */
export function parseEnvelopedContent(node: DerNode, kind: 'enveloped' | 'authEnveloped'): EnvelopedContent {
  const fields = expectChildren(node, Tag.SEQUENCE, kind === 'enveloped' ? 'EnvelopedData' : 'AuthEnvelopedData', 3);
  let i = 0;
  smallIntOf(fields[i++]!);
  if (fields[i]?.tag === 0xa0) i++; // originatorInfo
  const riNodes = childrenOf(expectTag(fields[i++], Tag.SET, 'RecipientInfos'));
  if (riNodes.length === 0 || riNodes.length > MAX_RECIPIENTS) throw new Asn1Error('bad number of recipients');
  const recipients: KeyTransRecipient[] = [];
  let otherRecipients = 0;
  for (const ri of riNodes) {
    if (ri.tag !== Tag.SEQUENCE) {
      otherRecipients++; // kari [1], kekri [2], pwri [3], ori [4]
      continue;
    }
    const k = expectChildren(ri, Tag.SEQUENCE, 'KeyTransRecipientInfo', 4, 4);
    smallIntOf(k[0]!);
    recipients.push({
      rid: parseCertId(k[1]!, 0x80),
      keyEncryption: parseAlgorithmId(k[2], 'keyEncryptionAlgorithm'),
      encryptedKey: contentOf(expectTag(k[3], Tag.OCTET_STRING, 'encryptedKey')),
    });
  }
  const eci = expectChildren(fields[i++], Tag.SEQUENCE, 'EncryptedContentInfo', 2, 3);
  const contentType = oidOf(eci[0]!);
  const contentEncryption = parseAlgorithmId(eci[1], 'contentEncryptionAlgorithm');
  if (!eci[2]) throw new Asn1Error('detached encrypted content is not supported');
  const encryptedContent = octetsOf(eci[2], 0x80);
  const out: EnvelopedContent = { kind, recipients, otherRecipients, contentType, contentEncryption, encryptedContent };
  if (kind === 'authEnveloped') {
    let f = fields[i++];
    if (f?.tag === 0xa1) {
      const aad = Buffer.from(rawOf(f));
      aad[0] = Tag.SET;
      out.authAttrs = aad;
      f = fields[i++];
    }
    out.mac = contentOf(expectTag(f, Tag.OCTET_STRING, 'mac'));
  }
  return out;
}

export interface SignerInfo {
  sid: CertId;
  digestAlgorithm: AlgorithmId;
  /** signed attributes as received, re-tagged SET OF (what the signature covers) */
  signedAttrsDer?: Buffer;
  signedAttrs?: Map<string, DerNode[]>;
  signatureAlgorithm: AlgorithmId;
  signature: Buffer;
}

export interface SignedContent {
  digestAlgorithms: string[];
  eContentType: string;
  /** encapsulated content; undefined when detached */
  eContent: Buffer | undefined;
  certificates: Buffer[];
  signers: SignerInfo[];
}

const MAX_CERTS = 64;
const MAX_SIGNERS = 16;

/** SignedData (RFC 5652 §5). */
export function parseSignedContent(node: DerNode): SignedContent {
  const fields = expectChildren(node, Tag.SEQUENCE, 'SignedData', 4);
  let i = 0;
  smallIntOf(fields[i++]!);
  const digestAlgorithms = childrenOf(expectTag(fields[i++], Tag.SET, 'digestAlgorithms')).map((a) => parseAlgorithmId(a, 'digestAlgorithm').oid);
  const encap = expectChildren(fields[i++], Tag.SEQUENCE, 'EncapsulatedContentInfo', 1, 2);
  const eContentType = oidOf(encap[0]!);
  let eContent: Buffer | undefined;
  if (encap[1]) {
    const w = childrenOf(expectTag(encap[1], 0xa0, 'eContent'));
    if (w.length !== 1) throw new Asn1Error('bad eContent');
    eContent = octetsOf(w[0]!);
  }
  const certificates: Buffer[] = [];
  if (fields[i]?.tag === 0xa0) {
    for (const c of childrenOf(fields[i++]!)) {
      if (c.tag === Tag.SEQUENCE) certificates.push(rawOf(c)); // other certificate formats are ignored
      if (certificates.length > MAX_CERTS) throw new Asn1Error('too many certificates');
    }
  }
  if (fields[i]?.tag === 0xa1) i++; // crls: revocation comes from the configured CRLs
  const signerNodes = childrenOf(expectTag(fields[i++], Tag.SET, 'SignerInfos'));
  if (i !== fields.length) throw new Asn1Error('unexpected fields in SignedData');
  if (signerNodes.length > MAX_SIGNERS) throw new Asn1Error('too many signers');
  return { digestAlgorithms, eContentType, eContent, certificates, signers: signerNodes.map(parseSignerInfo) };
}

function parseSignerInfo(node: DerNode): SignerInfo {
  const f = expectChildren(node, Tag.SEQUENCE, 'SignerInfo', 5, 7);
  let i = 0;
  smallIntOf(f[i++]!);
  const sid = parseCertId(f[i++]!, 0x80);
  const digestAlgorithm = parseAlgorithmId(f[i++], 'digestAlgorithm');
  const info: Partial<SignerInfo> = { sid, digestAlgorithm };
  if (f[i]?.tag === 0xa0) {
    const attrsNode = f[i++]!;
    const der = Buffer.from(rawOf(attrsNode));
    der[0] = Tag.SET;
    info.signedAttrsDer = der;
    info.signedAttrs = parseAttributes(attrsNode);
  }
  info.signatureAlgorithm = parseAlgorithmId(f[i++], 'signatureAlgorithm');
  info.signature = contentOf(expectTag(f[i++], Tag.OCTET_STRING, 'signature'));
  if (f[i] && f[i]!.tag !== 0xa1) throw new Asn1Error('unexpected field in SignerInfo');
  return info as SignerInfo;
}

/** Attributes: type → values. A repeated attribute type is malformed (RFC 5652 §5.3). */
export function parseAttributes(node: DerNode): Map<string, DerNode[]> {
  const map = new Map<string, DerNode[]>();
  for (const attr of childrenOf(node)) {
    const [type, values] = expectChildren(attr, Tag.SEQUENCE, 'Attribute', 2, 2);
    const id = oidOf(type!);
    if (map.has(id)) throw new Asn1Error('repeated attribute');
    map.set(id, childrenOf(expectTag(values, Tag.SET, 'AttributeValues')));
  }
  return map;
}

export function isEnvelopedType(oid: string): 'enveloped' | 'authEnveloped' | undefined {
  if (oid === OID.envelopedData) return 'enveloped';
  if (oid === OID.authEnvelopedData) return 'authEnveloped';
  return undefined;
}
