import type { KeyObject } from 'node:crypto';
import {
  Asn1Error,
  bitStringOf,
  childrenOf,
  contentOf,
  expectChildren,
  expectTag,
  findContext,
  rawOf,
  readRoot,
  smallIntOf,
  Tag,
  timeOf,
  unsignedIntOf,
  type DerNode,
} from '../asn1/der-reader.ts';
import { explicit, implicit, int, seq, time, tlv } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { buildExtension } from './build-extension.ts';
import { formatName, KeyUsageBit, type Certificate } from './certificate.ts';
import { buildKeyIdentifier } from './key-identifier.ts';
import { buildSignatureAlgorithm, buildSignedStructure, type SigningHash } from './sign-tbs.ts';
import { forEachExtension } from './read-extensions.ts';
import { parseSignatureAlgorithm, verifySignature, type SignatureAlgorithm } from './signature-algorithm.ts';

/** PEM label of a CRL. */
export const CRL_PEM_LABEL = 'X509 CRL';

export interface CrlEntry {
  /** serial as upper-case hex, the same form as Certificate.serialHex */
  serialHex: string;
  revocationDate: Date;
  /** CRLReason code when the entry carries one */
  reason?: number;
}

export interface Crl {
  der: Buffer;
  /** TBSCertList bytes as received (what the issuer signed) */
  tbs: Buffer;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Buffer;
  /** 1 or 2 */
  version: number;
  issuerDer: Buffer;
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** revoked serials, upper-case hex (Certificate.serialHex) */
  revoked: Set<string>;
  entries: CrlEntry[];
  crlNumber?: bigint;
  authorityKeyId?: Buffer;
  /** critical extensions (of the list or of an entry) this parser does not understand */
  unknownCritical: string[];
}

/** Parses one DER CertificateList (RFC 5280 §5). Throws Asn1Error on malformed input. */
export function parseCrl(der: Buffer): Crl {
  const [tbsNode, sigAlgNode, sigNode] = expectChildren(readRoot(der), Tag.SEQUENCE, 'CertificateList', 3, 3);
  const fields = expectChildren(tbsNode, Tag.SEQUENCE, 'TBSCertList', 3);
  let i = 0;
  let version = 1;
  if (fields[0]!.tag === Tag.INTEGER) {
    version = smallIntOf(fields[i++]!) + 1;
    if (version !== 2) throw new Asn1Error('unsupported CRL version');
  }
  const innerAlg = expectTag(fields[i++], Tag.SEQUENCE, 'CRL signature algorithm');
  if (!rawOf(innerAlg).equals(rawOf(expectTag(sigAlgNode, Tag.SEQUENCE, 'CRL signature algorithm')))) {
    throw new Asn1Error('signature algorithms disagree');
  }
  const issuerNode = expectTag(fields[i++], Tag.SEQUENCE, 'CRL issuer');
  const thisUpdateNode = fields[i++];
  if (!thisUpdateNode) throw new Asn1Error('missing thisUpdate');
  const crl: Crl = {
    der,
    tbs: rawOf(tbsNode!),
    signatureAlgorithm: parseSignatureAlgorithm(sigAlgNode!),
    signature: bitStringOf(sigNode!),
    version,
    issuerDer: rawOf(issuerNode),
    issuer: formatName(issuerNode),
    thisUpdate: timeOf(thisUpdateNode),
    revoked: new Set(),
    entries: [],
    unknownCritical: [],
  };
  let next = fields[i];
  if (next && (next.tag === Tag.UTC_TIME || next.tag === Tag.GENERALIZED_TIME)) {
    crl.nextUpdate = timeOf(next);
    next = fields[++i];
  }
  if (next && next.tag === Tag.SEQUENCE) {
    for (const entry of childrenOf(next)) readEntry(crl, entry);
    next = fields[++i];
  }
  if (next && next.tag === 0xa0) {
    if (version !== 2) throw new Asn1Error('extensions in a CRL that is not v2');
    const exts = expectChildren(childrenOf(next)[0], Tag.SEQUENCE, 'crlExtensions', 1);
    forEachExtension(exts, (id, critical, value) => {
      if (id === OID.authorityKeyIdentifier) {
        const keyId = findContext(expectChildren(value, Tag.SEQUENCE, 'AuthorityKeyIdentifier', 0, 3), 0);
        if (keyId) crl.authorityKeyId = contentOf(keyId);
      } else if (id === OID.crlNumber) {
        const n = unsignedIntOf(value);
        crl.crlNumber = BigInt(`0x${n.toString('hex')}`);
      } else if (critical) {
        crl.unknownCritical.push(id);
      }
    });
    next = fields[++i];
  }
  if (next) throw new Asn1Error('unexpected field in TBSCertList');
  return crl;
}

function readEntry(crl: Crl, node: DerNode): void {
  const f = expectChildren(node, Tag.SEQUENCE, 'revoked certificate', 2, 3);
  const serialHex = unsignedIntOf(f[0]!).toString('hex').toUpperCase();
  const entry: CrlEntry = { serialHex, revocationDate: timeOf(f[1]!) };
  if (f[2]) {
    if (crl.version !== 2) throw new Asn1Error('entry extensions in a CRL that is not v2');
    forEachExtension(expectChildren(f[2], Tag.SEQUENCE, 'crlEntryExtensions', 1), (id, critical, value) => {
      if (id === OID.crlReason) {
        const c = contentOf(expectTag(value, 0x0a, 'CRLReason'));
        if (c.length !== 1) throw new Asn1Error('bad CRLReason');
        entry.reason = c[0]!;
      } else if (critical) {
        crl.unknownCritical.push(id);
      }
    });
  }
  crl.revoked.add(serialHex);
  crl.entries.push(entry);
}

/**
 * Is `crl` issued by `issuer`? The issuer name must match the certificate's subject, the issuer's
 * KeyUsage (when present) must allow cRLSign, and the signature must verify with its key.
 */
export function verifyCrl(crl: Crl, issuer: Certificate): boolean {
  if (!crl.issuerDer.equals(issuer.subjectDer)) return false;
  if (issuer.keyUsage && !issuer.keyUsage[KeyUsageBit.cRLSign]) return false;
  const alg = crl.signatureAlgorithm;
  if (!alg.hash) return false;
  return verifySignature(alg, alg.hash, crl.tbs, crl.signature, issuer.publicKey());
}

/** Serial number text (hex, any case, optional colons or spaces) as unsigned big-endian bytes. */
export function parseSerialHex(text: string): Buffer {
  const hex = text.replace(/[:\s]/g, '').replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{1,40}$/.test(hex)) throw new Error(`not a hexadecimal serial number: '${text}'`);
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** CRLReason codes (RFC 5280 §5.3.1). */
export const CrlReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export interface RevokedSerial {
  /** unsigned big-endian bytes, or hex text */
  serial: Buffer | string;
  date: Date;
  reason?: number;
}

export interface BuildCrlOptions {
  issuerCert: Certificate;
  issuerKey: KeyObject;
  revoked: RevokedSerial[];
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: bigint | number;
  /** default sha256 */
  hash?: SigningHash;
}

/** Builds and signs a v2 CRL with AuthorityKeyIdentifier and CRLNumber; returns its DER. Duplicate serials keep their first entry. */
export function buildCrl(opts: BuildCrlOptions): Buffer {
  if (!(opts.nextUpdate.getTime() > opts.thisUpdate.getTime())) throw new Error('nextUpdate must be later than thisUpdate');
  const crlNumber = BigInt(opts.crlNumber);
  if (crlNumber < 0n || crlNumber >= 1n << 159n) throw new Error('crlNumber out of range');
  const hash = opts.hash ?? 'sha256';
  const seen = new Set<string>();
  const entries: Buffer[] = [];
  for (const r of opts.revoked) {
    const serial = typeof r.serial === 'string' ? parseSerialHex(r.serial) : r.serial;
    const key = serial.toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    const exts = r.reason === undefined ? [] : [seq(buildExtension(OID.crlReason, false, tlv(0x0a, Buffer.from([r.reason]))))];
    entries.push(seq(int(serial), time(r.date), ...exts));
  }
  const keyId = opts.issuerCert.subjectKeyId ?? buildKeyIdentifier(opts.issuerCert.spki);
  const signatureAlgorithm = buildSignatureAlgorithm(opts.issuerKey, hash);
  const tbs = seq(
    int(1),
    signatureAlgorithm,
    opts.issuerCert.subjectDer,
    time(opts.thisUpdate),
    time(opts.nextUpdate),
    ...(entries.length > 0 ? [seq(...entries)] : []),
    explicit(0, seq(buildExtension(OID.authorityKeyIdentifier, false, seq(implicit(0, keyId))), buildExtension(OID.crlNumber, false, int(crlNumber)))),
  );
  return buildSignedStructure(tbs, signatureAlgorithm, opts.issuerKey, hash);
}
