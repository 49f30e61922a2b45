import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bitStringOf, expectChildren, readRoot, Tag } from '../asn1/der-reader.ts';

/** SubjectPublicKeyInfo DER of a key (the public half of a private key). */
export function spkiOf(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

/** Key identifier, RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function buildKeyIdentifier(spki: Buffer): Buffer {
  const [, bits] = expectChildren(readRoot(spki), Tag.SEQUENCE, 'SubjectPublicKeyInfo', 2, 2);
  return createHash('sha1').update(bitStringOf(bits!)).digest();
}
