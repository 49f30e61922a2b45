/**
 * A small, strict BER/DER reader over a Buffer.
 *
 * It never copies: a node is a window (offsets) into the buffer it was read from.
 * Bounds are checked on every read: a length that runs past its parent, a nesting
 * deeper than MAX_DEPTH, a tag number or length too large, an indefinite length on a
 * primitive, all raise Asn1Error. Indefinite lengths (BER) are accepted for
 * constructed values, because OpenSSL's streaming output and Bouncy Castle (Direct)
 * produce them; everything we verify a signature over (signed attributes,
 * certificates, CRLs) is read back from its received bytes.
 */

export class Asn1Error extends Error {
  readonly code = 'ASN1_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'Asn1Error';
  }
}

export const MAX_DEPTH = 48;

/** Universal types that only have a primitive encoding: BOOLEAN, INTEGER, NULL, OID, REAL, ENUMERATED, RELATIVE-OID, times. */
const PRIMITIVE_ONLY = new Set([1, 2, 5, 6, 9, 10, 13]);

export interface DerNode {
  /** the buffer the node lives in */
  readonly buf: Buffer;
  /** class: 0 universal, 1 application, 2 context-specific, 3 private */
  readonly cls: number;
  readonly constructed: boolean;
  /** tag number */
  readonly num: number;
  /** identifier byte for tag numbers < 31 (e.g. 0x30 SEQUENCE, 0xa0 [0] constructed); -1 otherwise */
  readonly tag: number;
  /** offset of the identifier octet */
  readonly start: number;
  /** offset of the first content octet */
  readonly contentStart: number;
  /** offset just past the last content octet (before the end-of-contents octets if indefinite) */
  readonly contentEnd: number;
  /** offset just past the whole encoding (including end-of-contents) */
  readonly end: number;
  readonly indefinite: boolean;
  readonly depth: number;
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads one node at `offset`, which must end at or before `limit`. */
export function readNode(buf: Buffer, offset = 0, limit = buf.length, depth = 0): DerNode {
  if (depth > MAX_DEPTH) throw new Asn1Error('nesting too deep');
  if (limit > buf.length) limit = buf.length;
  let p = offset;
  if (p >= limit) throw new Asn1Error('unexpected end of data (tag)');
  const id = buf[p++]!;
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let num = id & 0x1f;
  let tag = id;
  if (num === 0x1f) {
    num = 0;
    let count = 0;
    for (;;) {
      if (p >= limit) throw new Asn1Error('unexpected end of data (tag number)');
      const b = buf[p++]!;
      if (count === 0 && b === 0x80) throw new Asn1Error('non-minimal tag number');
      num = num * 128 + (b & 0x7f);
      if (++count > 4) throw new Asn1Error('tag number too large');
      if ((b & 0x80) === 0) break;
    }
    tag = -1;
  }
  if (cls === 0) {
    if (num === 0) throw new Asn1Error('unexpected end-of-contents');
    if (constructed && PRIMITIVE_ONLY.has(num)) throw new Asn1Error('constructed form of a primitive type');
    if (!constructed && (num === 16 || num === 17)) throw new Asn1Error('primitive SEQUENCE or SET');
  }
  if (p >= limit) throw new Asn1Error('unexpected end of data (length)');
  const l0 = buf[p++]!;
  let length: number;
  let indefinite = false;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    if (!constructed) throw new Asn1Error('indefinite length on a primitive value');
    indefinite = true;
    length = -1;
  } else {
    const n = l0 & 0x7f;
    if (n > 4 || n === 0x7f) throw new Asn1Error('length too large');
    if (p + n > limit) throw new Asn1Error('unexpected end of data (length octets)');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  const contentStart = p;
  if (!indefinite) {
    const end = contentStart + length;
    if (end > limit) throw new Asn1Error('length runs past the end of its container');
    return { buf, cls, constructed, num, tag, start: offset, contentStart, contentEnd: end, end, indefinite, depth };
  }
  // indefinite: walk children to the end-of-contents octets
  let q = contentStart;
  for (;;) {
    if (q + 2 > limit) throw new Asn1Error('missing end-of-contents');
    if (buf[q] === 0 && buf[q + 1] === 0) break;
    q = readNode(buf, q, limit, depth + 1).end;
  }
  return { buf, cls, constructed, num, tag, start: offset, contentStart, contentEnd: q, end: q + 2, indefinite, depth };
}

/** Reads a whole buffer as exactly one node (trailing bytes are an error unless allowed). */
export function readRoot(buf: Buffer, allowTrailing = false): DerNode {
  const node = readNode(buf, 0, buf.length, 0);
  if (!allowTrailing && node.end !== buf.length) throw new Asn1Error('trailing data after the value');
  return node;
}

/** The children of a constructed node. */
export function childrenOf(node: DerNode): DerNode[] {
  if (!node.constructed) throw new Asn1Error('expected a constructed value');
  const out: DerNode[] = [];
  let p = node.contentStart;
  while (p < node.contentEnd) {
    const c = readNode(node.buf, p, node.contentEnd, node.depth + 1);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** The whole encoding (identifier, length, content) as a view. */
export function rawOf(node: DerNode): Buffer {
  return node.buf.subarray(node.start, node.end);
}

/** The content octets as a view (primitive values). */
export function contentOf(node: DerNode): Buffer {
  return node.buf.subarray(node.contentStart, node.contentEnd);
}

/** Expects a node with the given identifier byte. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new Asn1Error(`missing ${what}`);
  if (node.tag !== tag) throw new Asn1Error(`unexpected tag for ${what}`);
  return node;
}

/** Children of a node that must carry `tag`, with a count check. */
export function expectChildren(node: DerNode | undefined, tag: number, what: string, min: number, max = Infinity): DerNode[] {
  const kids = childrenOf(expectTag(node, tag, what));
  if (kids.length < min || kids.length > max) throw new Asn1Error(`wrong number of elements in ${what}`);
  return kids;
}

/**
 * OCTET STRING content, primitive or (BER) constructed of OCTET STRING segments.
 * Pass the expected identifier (0x04, or 0x80 for an implicit [0]) — its constructed form is also accepted.
 */
export function octetsOf(node: DerNode, primitiveTag: number = Tag.OCTET_STRING): Buffer {
  if (node.tag === primitiveTag && !node.constructed) return contentOf(node);
  if (node.tag === (primitiveTag | 0x20)) {
    const parts: Buffer[] = [];
    for (const c of childrenOf(node)) parts.push(octetsOf(c, Tag.OCTET_STRING));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
  throw new Asn1Error('expected an OCTET STRING');
}

/** INTEGER content as unsigned big-endian bytes (leading sign zero removed). Negative values are refused. */
export function unsignedIntOf(node: DerNode): Buffer {
  expectTag(node, Tag.INTEGER, 'INTEGER');
  const c = contentOf(node);
  if (c.length === 0) throw new Asn1Error('empty INTEGER');
  if ((c[0]! & 0x80) !== 0) throw new Asn1Error('negative INTEGER');
  let i = 0;
  while (i < c.length - 1 && c[i] === 0) i++;
  return c.subarray(i);
}

/** Small INTEGER as a number (versions, counts). */
export function smallIntOf(node: DerNode): number {
  expectTag(node, Tag.INTEGER, 'INTEGER');
  const c = contentOf(node);
  if (c.length === 0 || c.length > 4) throw new Asn1Error('INTEGER out of range');
  if ((c[0]! & 0x80) !== 0) throw new Asn1Error('negative INTEGER');
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

/** OBJECT IDENTIFIER in dotted form. */
export function oidOf(node: DerNode): string {
  expectTag(node, Tag.OID, 'OBJECT IDENTIFIER');
  const c = contentOf(node);
  if (c.length === 0 || c.length > 128) throw new Asn1Error('bad OBJECT IDENTIFIER length');
  const parts: number[] = [];
  let v = 0;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (!started && b === 0x80) throw new Asn1Error('non-minimal OBJECT IDENTIFIER arc');
    started = true;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) throw new Asn1Error('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      parts.push(v);
      v = 0;
      started = false;
    } else if (i === c.length - 1) {
      throw new Asn1Error('truncated OBJECT IDENTIFIER');
    }
  }
  const first = parts[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

/** BIT STRING content without the unused-bits octet (only whole octets accepted). */
export function bitStringOf(node: DerNode): Buffer {
  expectTag(node, Tag.BIT_STRING, 'BIT STRING');
  const c = contentOf(node);
  if (c.length === 0) throw new Asn1Error('empty BIT STRING');
  if (c[0] !== 0) throw new Asn1Error('BIT STRING with unused bits');
  return c.subarray(1);
}

/** BIT STRING as flags, bit 0 first (for KeyUsage and the like); unused bits allowed. */
export function bitFlagsOf(node: DerNode): boolean[] {
  expectTag(node, Tag.BIT_STRING, 'BIT STRING');
  const c = contentOf(node);
  if (c.length === 0 || c[0]! > 7 || (c.length === 1 && c[0] !== 0)) throw new Asn1Error('bad BIT STRING');
  const unused = c[0]!;
  const flags: boolean[] = [];
  const total = (c.length - 1) * 8 - unused;
  for (let i = 0; i < total; i++) flags.push(((c[1 + (i >> 3)]! >> (7 - (i & 7))) & 1) === 1);
  return flags;
}

/** UTCTime or GeneralizedTime as a Date (seconds required, Z required, as RFC 5280 says). */
export function timeOf(node: DerNode): Date {
  const s = contentOf(node).toString('latin1');
  let m: RegExpExecArray | null;
  if (node.tag === Tag.UTC_TIME) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(s);
    if (!m) throw new Asn1Error('bad UTCTime');
    const yy = Number(m[1]);
    return utc(yy >= 50 ? 1900 + yy : 2000 + yy, m[2]!, m[3]!, m[4]!, m[5]!, m[6] ?? '00', '');
  }
  if (node.tag === Tag.GENERALIZED_TIME) {
    m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d{1,9})?Z$/.exec(s);
    if (!m) throw new Asn1Error('bad GeneralizedTime');
    return utc(Number(m[1]), m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7] ?? '');
  }
  throw new Asn1Error('expected a time');
}

function utc(y: number, mo: string, d: string, h: string, mi: string, s: string, frac: string): Date {
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new Asn1Error('time out of range');
  }
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const t = Date.UTC(y, month - 1, day, hour, minute, second, ms);
  const date = new Date(t);
  if (date.getUTCDate() !== day) throw new Asn1Error('time out of range');
  return date;
}

/** A character string of any of the X.500 string types, decoded to text. */
export function stringOf(node: DerNode): string {
  const c = contentOf(node);
  switch (node.tag) {
    case Tag.UTF8_STRING:
      return c.toString('utf8');
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case Tag.VISIBLE_STRING:
    case Tag.T61_STRING:
    case 0x12: // NumericString
      return c.toString('latin1');
    case Tag.BMP_STRING: {
      if (c.length % 2) throw new Asn1Error('bad BMPString');
      const swapped = Buffer.from(c);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case Tag.UNIVERSAL_STRING: {
      if (c.length % 4) throw new Asn1Error('bad UniversalString');
      let out = '';
      for (let i = 0; i < c.length; i += 4) out += String.fromCodePoint(c.readUInt32BE(i));
      return out;
    }
    default:
      throw new Asn1Error('expected a character string');
  }
}

/** Optional context-specific child [n] (either form) from a list, scanning from `from`. */
export function findContext(nodes: DerNode[], num: number): DerNode | undefined {
  return nodes.find((n) => n.cls === 2 && n.num === num);
}
