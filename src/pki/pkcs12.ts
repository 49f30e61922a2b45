/**
 * PKCS#12 (RFC 7292) files: the key and certificate of a person or of the gateway, for an
 * operator to move between txgate and mail clients.
 *
 * Written like OpenSSL 3 does by default: certificates in an encryptedData and the key in a
 * pkcs8ShroudedKeyBag, both PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC), and an HMAC-SHA-256 MAC.
 * Certificates are stored and read back byte for byte. Read: PBES2 with AES or 3DES, and (through
 * node-forge) the legacy PKCS#12 PBEs that older tools still write (3DES, RC2-40); MACs with SHA-1
 * or SHA-2. Passwords are text: UTF-8 for PBES2, BMPString for the PKCS#12 key derivation.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
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
  type DerNode,
} from '../asn1/der-reader.ts';
import { algorithm, explicit, implicit, int, octets, oid, seq, setOf, tlv } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { parseCertificate } from './certificate.ts';
import { spkiOf } from './key-identifier.ts';

const P12 = {
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeWithSha1And3DesCbc: '1.2.840.113549.1.12.1.3',
  pbeWithSha1And40BitRc2Cbc: '1.2.840.113549.1.12.1.6',
} as const;

const PRF_BY_OID: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const HMAC_WITH_SHA256 = '1.2.840.113549.2.9';

const CIPHER_BY_OID: Record<string, { name: string; keyLength: number }> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32 },
  [OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24 },
};

const MAC_DIGEST_BY_OID: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** The parts of node-forge's password-based encryption the typings do not declare. */
interface ForgePbe {
  generatePkcs12Key(password: string, salt: forge.util.ByteStringBuffer, id: number, iter: number, n: number, md: forge.md.MessageDigest): forge.util.ByteStringBuffer;
  getCipher(oid: string, params: forge.asn1.Asn1, password: string): forge.cipher.BlockCipher;
}
const forgePbe = (forge.pki as unknown as { pbe: ForgePbe }).pbe;

export interface ExportPkcs12Options {
  /** the private key: PEM text (PKCS#8 or PKCS#1) or a KeyObject */
  key: string | KeyObject;
  /** the key's certificate, DER */
  cert: Buffer;
  /** CA certificates, DER, issuer first */
  chain?: Buffer[];
  password: string;
  /** the name mail clients show for the identity */
  friendlyName?: string;
  /** PBKDF2 and MAC iterations; default 2048 as OpenSSL */
  iterations?: number;
}

export interface Pkcs12Contents {
  /** the private key, unencrypted PKCS#8 PEM */
  keyPem: string;
  /** the certificate of the key, DER */
  cert: Buffer;
  /** the other certificates, DER, in file order */
  chain: Buffer[];
  friendlyName?: string;
}

/** Writes a password-protected PKCS#12 file. The certificate must belong to the key. */
export function exportPkcs12(opts: ExportPkcs12Options): Buffer {
  const key = typeof opts.key === 'string' ? createPrivateKey(opts.key) : opts.key;
  if (key.type !== 'private') throw new Error('a PKCS#12 file needs a private key');
  const cert = parseCertificate(opts.cert);
  if (!cert.spki.equals(spkiOf(key))) throw new Error('the certificate does not match the private key');
  const iterations = opts.iterations ?? 2048;
  const attrs: Buffer[] = [attribute(P12.localKeyId, octets(createHash('sha1').update(opts.cert).digest()))];
  if (opts.friendlyName !== undefined) attrs.push(attribute(P12.friendlyName, bmpString(opts.friendlyName)));
  const bagAttributes = setOf(attrs);

  const certBags = [opts.cert, ...(opts.chain ?? [])].map((der, i) => {
    parseCertificate(der);
    const certBag = seq(oid(P12.x509Certificate), explicit(0, octets(der)));
    return seq(oid(P12.certBag), explicit(0, certBag), ...(i === 0 ? [bagAttributes] : []));
  });
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const keyBag = seq(oid(P12.pkcs8ShroudedKeyBag), explicit(0, encryptPbes2(pkcs8, opts.password, iterations)), bagAttributes);

  const [certAlg, certCiphertext] = childrenOfDer(encryptPbes2(seq(...certBags), opts.password, iterations));
  const encryptedData = seq(int(0), seq(oid(OID.data), certAlg, implicit(0, certCiphertext)));
  const authSafe = seq(
    seq(oid(P12.encryptedData), explicit(0, encryptedData)),
    seq(oid(OID.data), explicit(0, octets(seq(keyBag)))),
  );
  const macSalt = randomBytes(16);
  const mac = computeMac(authSafe, opts.password, macSalt, iterations, 'sha256');
  const macData = seq(seq(algorithm(OID.sha256, null), octets(mac)), octets(macSalt), int(iterations));
  return seq(int(3), seq(oid(OID.data), explicit(0, octets(authSafe))), macData);
}

/** Reads a PKCS#12 file: the private key, its certificate, and the other certificates. Throws on a wrong password. */
export function importPkcs12(buf: Buffer, password: string): Pkcs12Contents {
  const pfx = expectChildren(readRoot(buf), Tag.SEQUENCE, 'PFX', 2, 3);
  if (smallIntOf(pfx[0]!) !== 3) throw new Asn1Error('unsupported PKCS#12 version');
  const [ctype, wrapped] = expectChildren(pfx[1], Tag.SEQUENCE, 'PFX authSafe', 2, 2);
  if (oidOf(ctype!) !== OID.data) throw new Error('unsupported PKCS#12 integrity mode (public-key signed)');
  const authSafe = octetsOf(expectChildren(wrapped, 0xa0, 'authSafe content', 1, 1)[0]!);
  if (pfx[2]) checkMac(pfx[2], authSafe, password);

  const bags: SafeBag[] = [];
  for (const ci of expectChildren(readRoot(authSafe), Tag.SEQUENCE, 'AuthenticatedSafe', 0)) {
    const [t, c] = expectChildren(ci, Tag.SEQUENCE, 'ContentInfo', 1, 2);
    const type = oidOf(t!);
    const content = c ? expectChildren(c, 0xa0, 'ContentInfo content', 1, 1)[0]! : undefined;
    if (!content) continue;
    if (type === OID.data) collectBags(readRoot(octetsOf(content)), password, bags);
    else if (type === P12.encryptedData) collectBags(readRoot(decryptEncryptedData(content, password)), password, bags);
    else throw new Error(`unsupported PKCS#12 content type ${type}`);
  }

  const keys = bags.filter((b) => b.kind === 'key');
  if (keys.length === 0) throw new Error('the PKCS#12 file holds no private key');
  if (keys.length > 1) throw new Error('the PKCS#12 file holds more than one private key');
  const key = keys[0]!.key!;
  const keySpki = spkiOf(key);
  const certBags = bags.filter((b) => b.kind === 'cert');
  const own = certBags.find((b) => parseCertificate(b.der).spki.equals(keySpki));
  if (!own) throw new Error('the PKCS#12 file holds no certificate for its private key');
  const friendlyName = keys[0]!.friendlyName ?? own.friendlyName;
  return {
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: own.der,
    chain: certBags.filter((b) => b !== own).map((b) => b.der),
    ...(friendlyName === undefined ? {} : { friendlyName }),
  };
}

interface SafeBag {
  kind: 'key' | 'cert';
  der: Buffer;
  key?: KeyObject;
  friendlyName?: string;
}

function collectBags(safeContents: DerNode, password: string, out: SafeBag[]): void {
  for (const bag of expectChildren(safeContents, Tag.SEQUENCE, 'SafeContents', 0)) {
    const [id, valueWrap, attrs] = expectChildren(bag, Tag.SEQUENCE, 'SafeBag', 2, 3);
    const type = oidOf(id!);
    const value = expectChildren(valueWrap, 0xa0, 'bagValue', 1, 1)[0]!;
    const friendlyName = attrs ? readFriendlyName(attrs) : undefined;
    const named = friendlyName === undefined ? {} : { friendlyName };
    switch (type) {
      case P12.keyBag:
      case P12.pkcs8ShroudedKeyBag: {
        const pkcs8 = type === P12.keyBag ? rawOf(value) : decryptEncryptedPrivateKeyInfo(value, password);
        const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
        out.push({ kind: 'key', der: pkcs8, key, ...named });
        break;
      }
      case P12.certBag: {
        const [certId, certValue] = expectChildren(value, Tag.SEQUENCE, 'CertBag', 2, 2);
        if (oidOf(certId!) !== P12.x509Certificate) break; // SDSI certificates: not ours
        const der = Buffer.from(octetsOf(expectChildren(certValue, 0xa0, 'certValue', 1, 1)[0]!));
        out.push({ kind: 'cert', der, ...named });
        break;
      }
      case P12.safeContentsBag:
        collectBags(value, password, out);
        break;
      default:
        break; // CRL and secret bags are not used by txgate
    }
  }
}

function readFriendlyName(attrs: DerNode): string | undefined {
  for (const a of expectChildren(attrs, Tag.SET, 'bagAttributes', 0)) {
    const [t, values] = expectChildren(a, Tag.SEQUENCE, 'Attribute', 2, 2);
    if (oidOf(t!) !== P12.friendlyName) continue;
    const v = childrenOf(expectTag(values, Tag.SET, 'attrValues'))[0];
    if (v && v.tag === Tag.BMP_STRING) {
      const swapped = Buffer.from(contentOf(v));
      if (swapped.length % 2 === 0) return swapped.swap16().toString('utf16le');
    }
  }
  return undefined;
}

function checkMac(macDataNode: DerNode, authSafe: Buffer, password: string): void {
  const [digestInfo, saltNode, iterNode] = expectChildren(macDataNode, Tag.SEQUENCE, 'MacData', 2, 3);
  const [alg, digest] = expectChildren(digestInfo, Tag.SEQUENCE, 'DigestInfo', 2, 2);
  const algOid = oidOf(expectChildren(alg, Tag.SEQUENCE, 'MAC digest algorithm', 1, 2)[0]!);
  const hash = MAC_DIGEST_BY_OID[algOid];
  if (!hash) throw new Error(`unsupported PKCS#12 MAC algorithm ${algOid}`);
  const iterations = iterNode ? smallIntOf(iterNode) : 1;
  const expected = contentOf(expectTag(digest, Tag.OCTET_STRING, 'MAC value'));
  const actual = computeMac(authSafe, password, contentOf(expectTag(saltNode, Tag.OCTET_STRING, 'MAC salt')), iterations, hash);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new Error('PKCS#12 MAC check failed: wrong password or damaged file');
  }
}

/** HMAC over the AuthenticatedSafe with a key from the PKCS#12 KDF (RFC 7292 B.2, ID 3). */
function computeMac(authSafe: Buffer, password: string, salt: Buffer, iterations: number, hash: 'sha1' | 'sha256' | 'sha384' | 'sha512'): Buffer {
  if (iterations < 1) throw new Error('PKCS#12 MAC iteration count must be at least 1');
  const md = forge.md[hash].create();
  const length = md.digestLength;
  const key = forgePbe.generatePkcs12Key(password, forge.util.createBuffer(salt.toString('binary')), 3, iterations, length, md);
  return createHmac(hash, Buffer.from(key.getBytes(), 'binary')).update(authSafe).digest();
}

/** EncryptedPrivateKeyInfo (or any AlgorithmIdentifier + OCTET STRING pair) encrypted with PBES2. */
function encryptPbes2(plain: Buffer, password: string, iterations: number): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const kdf = seq(oid(P12.pbkdf2), seq(octets(salt), int(iterations), algorithm(HMAC_WITH_SHA256, null)));
  const alg = seq(oid(P12.pbes2), seq(kdf, algorithm(OID.aes256Cbc, octets(iv))));
  return seq(alg, octets(ciphertext));
}

function decryptEncryptedPrivateKeyInfo(node: DerNode, password: string): Buffer {
  const [alg, data] = expectChildren(node, Tag.SEQUENCE, 'EncryptedPrivateKeyInfo', 2, 2);
  return decryptPbe(alg!, octetsOf(data!), password);
}

function decryptEncryptedData(node: DerNode, password: string): Buffer {
  const [version, eci] = expectChildren(node, Tag.SEQUENCE, 'EncryptedData', 2, 3);
  smallIntOf(version!);
  const [, alg, content] = expectChildren(eci, Tag.SEQUENCE, 'EncryptedContentInfo', 2, 3);
  if (!content) return Buffer.alloc(0);
  return decryptPbe(alg!, octetsOf(content, 0x80), password);
}

function decryptPbe(alg: DerNode, data: Buffer, password: string): Buffer {
  const [algOidNode, params] = expectChildren(alg, Tag.SEQUENCE, 'encryption algorithm', 1, 2);
  const algOid = oidOf(algOidNode!);
  try {
    if (algOid === P12.pbes2) return decryptPbes2(params, data, password);
    if (algOid === P12.pbeWithSha1And3DesCbc || algOid === P12.pbeWithSha1And40BitRc2Cbc) {
      if (!params) throw new Asn1Error('missing PBE parameters');
      const cipher = forgePbe.getCipher(algOid, forge.asn1.fromDer(rawOf(params).toString('binary')), password);
      cipher.update(forge.util.createBuffer(data.toString('binary')));
      if (!cipher.finish()) throw new Error('bad padding');
      return Buffer.from(cipher.output.getBytes(), 'binary');
    }
  } catch (err) {
    if (err instanceof Asn1Error) throw err;
    throw new Error('PKCS#12 decryption failed: wrong password or damaged file', { cause: err });
  }
  throw new Error(`unsupported PKCS#12 encryption algorithm ${algOid}`);
}

function decryptPbes2(params: DerNode | undefined, data: Buffer, password: string): Buffer {
  const [kdf, scheme] = expectChildren(params, Tag.SEQUENCE, 'PBES2-params', 2, 2);
  const [kdfOid, kdfParams] = expectChildren(kdf, Tag.SEQUENCE, 'keyDerivationFunc', 2, 2);
  if (oidOf(kdfOid!) !== P12.pbkdf2) throw new Asn1Error('unsupported PBES2 key derivation');
  const k = expectChildren(kdfParams, Tag.SEQUENCE, 'PBKDF2-params', 2, 4);
  const salt = contentOf(expectTag(k[0], Tag.OCTET_STRING, 'PBKDF2 salt'));
  const iterations = smallIntOf(k[1]!);
  let prf = 'sha1';
  let keyLength: number | undefined;
  for (const f of k.slice(2)) {
    if (f.tag === Tag.INTEGER) keyLength = smallIntOf(f);
    else if (f.tag === Tag.SEQUENCE) {
      const prfOid = oidOf(childrenOf(f)[0]!);
      const name = PRF_BY_OID[prfOid];
      if (!name) throw new Asn1Error(`unsupported PBKDF2 PRF ${prfOid}`);
      prf = name;
    }
  }
  const [cipherOid, ivNode] = expectChildren(scheme, Tag.SEQUENCE, 'encryptionScheme', 2, 2);
  const cipher = CIPHER_BY_OID[oidOf(cipherOid!)];
  if (!cipher) throw new Asn1Error('unsupported PBES2 cipher');
  if (keyLength !== undefined && keyLength !== cipher.keyLength) throw new Asn1Error('PBES2 key length disagrees with its cipher');
  if (iterations < 1 || iterations > 10_000_000) throw new Asn1Error('PBKDF2 iteration count out of range');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
  const decipher = createDecipheriv(cipher.name, key, contentOf(expectTag(ivNode, Tag.OCTET_STRING, 'PBES2 IV')));
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

function attribute(type: string, value: Buffer): Buffer {
  return seq(oid(type), setOf([value]));
}

function bmpString(s: string): Buffer {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return tlv(Tag.BMP_STRING, b);
}

function childrenOfDer(der: Buffer): [Buffer, Buffer] {
  const [a, b] = expectChildren(readRoot(der), Tag.SEQUENCE, 'pair', 2, 2);
  return [Buffer.from(rawOf(a!)), Buffer.from(contentOf(b!))];
}
