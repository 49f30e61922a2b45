import { ia5, oid, printable, seq, set, utf8 } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';

/** The parts of a distinguished name txgate writes, encoded in the order C, O, OU, CN, emailAddress. */
export interface NameSpec {
  cn: string;
  o?: string;
  ou?: string;
  /** two-letter country code */
  c?: string;
  /** legacy emailAddress attribute (prefer the subjectAltName) */
  email?: string;
}

/** Encodes a Name: one attribute per RDN; CN/O/OU as UTF8String, C as PrintableString, emailAddress as IA5String. */
export function buildName(name: NameSpec): Buffer {
  const rdn = (type: string, value: Buffer): Buffer => set(seq(oid(type), value));
  const rdns: Buffer[] = [];
  if (name.c !== undefined) {
    if (!/^[A-Z]{2}$/.test(name.c)) throw new Error(`country must be two upper-case letters, not '${name.c}'`);
    rdns.push(rdn(OID.countryName, printable(name.c)));
  }
  if (name.o !== undefined) rdns.push(rdn(OID.organizationName, utf8(nonEmpty(name.o, 'O'))));
  if (name.ou !== undefined) rdns.push(rdn(OID.organizationalUnitName, utf8(nonEmpty(name.ou, 'OU'))));
  rdns.push(rdn(OID.commonName, utf8(nonEmpty(name.cn, 'CN'))));
  if (name.email !== undefined) rdns.push(rdn(OID.emailAddress, ia5(ascii(name.email, 'emailAddress'))));
  return seq(...rdns);
}

function nonEmpty(s: string, what: string): string {
  if (s.length === 0 || s.length > 64) throw new Error(`${what} must be 1 to 64 characters`);
  return s;
}

/** Text that must be printable ASCII (IA5 names: addresses, DNS names). */
export function ascii(s: string, what: string): string {
  if (s.length === 0 || !/^[\x21-\x7e]+$/.test(s)) throw new Error(`${what} must be non-empty printable ASCII: '${s}'`);
  return s;
}
