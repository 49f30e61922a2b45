/**
 * DER encoding: small functions that each return the full encoding of one value.
 * Compose them: seq(oid('1.2.3'), int(1)).
 */

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A value with identifier byte `tag` and the given content. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/**
 * A constructed value whose content is `items` in order, copied once: concatenating the items and then the header
 * copied every nesting level's content twice, seconds of copying for the 20 MB documents a CMS message carries.
 */
function constructed(tag: number, items: readonly Buffer[]): Buffer {
  let length = 0;
  for (const item of items) length += item.length;
  return Buffer.concat([Buffer.from([tag]), encodeLength(length), ...items]);
}

export function seq(...items: Buffer[]): Buffer {
  return constructed(0x30, items);
}

/** SET as given (use setOf for DER ordering). */
export function set(...items: Buffer[]): Buffer {
  return constructed(0x31, items);
}

/** SET OF, with its elements sorted by encoding as DER requires. */
export function setOf(items: Buffer[]): Buffer {
  return constructed(0x31, [...items].sort(Buffer.compare));
}

/** A context-specific explicit tag [n] around one or more encodings. */
export function explicit(n: number, ...items: Buffer[]): Buffer {
  return constructed(0xa0 | n, items);
}

/** A context-specific implicit tag [n] with raw content (primitive unless `constructed`). */
export function implicit(n: number, content: Buffer, constructed = false): Buffer {
  return tlv((constructed ? 0xa0 : 0x80) | n, content);
}

/** Re-tag an existing encoding as implicit [n], keeping its content and constructed bit. */
export function retag(n: number, encoding: Buffer): Buffer {
  const out = Buffer.from(encoding);
  out[0] = (encoding[0]! & 0x20) | 0x80 | n;
  return out;
}

export function int(value: number | bigint | Buffer): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    bytes = value.subarray(i);
    if (bytes.length === 0) bytes = Buffer.from([0]);
  } else {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('negative INTEGER not supported');
    const hex = v.toString(16);
    bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  }
  if ((bytes[0]! & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

export function bool(v: boolean): Buffer {
  return tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
}

export function nul(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

export function octets(b: Buffer): Buffer {
  return tlv(0x04, b);
}

export function bitString(b: Buffer, unused = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
}

/** Named bits (KeyUsage): flags[i] is bit i; trailing zero bits dropped as DER requires. */
export function namedBits(flags: boolean[]): Buffer {
  let last = flags.lastIndexOf(true);
  if (last < 0) return bitString(Buffer.alloc(0));
  const bytes = Buffer.alloc((last >> 3) + 1);
  for (let i = 0; i <= last; i++) if (flags[i]) bytes[i >> 3]! |= 0x80 >> (i & 7);
  const unused = 7 - (last & 7);
  return bitString(bytes, unused);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((x) => {
    if (!/^\d+$/.test(x)) throw new RangeError(`bad OID ${dotted}`);
    return Number(x);
  });
  if (parts.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const arcs = [parts[0]! * 40 + parts[1]!, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

export function utf8(s: string): Buffer {
  return tlv(0x0c, Buffer.from(s, 'utf8'));
}

export function printable(s: string): Buffer {
  return tlv(0x13, Buffer.from(s, 'latin1'));
}

export function ia5(s: string): Buffer {
  return tlv(0x16, Buffer.from(s, 'latin1'));
}

/** RFC 5280 time: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const y = d.getUTCFullYear();
  const body = iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(String(y).slice(2) + body, 'latin1'));
  return tlv(0x18, Buffer.from(String(y).padStart(4, '0') + body, 'latin1'));
}

export function generalizedTime(d: Date): Buffer {
  const iso = d.toISOString();
  const body = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  return tlv(0x18, Buffer.from(body, 'latin1'));
}

/** AlgorithmIdentifier with absent or given parameters. */
export function algorithm(dotted: string, params?: Buffer | null): Buffer {
  if (params === undefined) return seq(oid(dotted));
  return seq(oid(dotted), params === null ? nul() : params);
}
