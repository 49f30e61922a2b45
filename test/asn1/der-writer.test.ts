import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childrenOf, octetsOf, readRoot } from '../../src/asn1/der-reader.ts';
import { encodeLength, explicit, octets, oid, seq, set, setOf, tlv } from '../../src/asn1/der-writer.ts';

describe('DER writer: constructed values', () => {
  it('SEQUENCE, SET, SET OF and [n] are the header then the items, as tlv over their concatenation', () => {
    const item = fc.uint8Array({ maxLength: 300 }).map((b) => octets(Buffer.from(b)));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.integer({ min: 0, max: 30 }), (items, n) => {
        const content = Buffer.concat(items);
        expect(seq(...items).equals(tlv(0x30, content))).toBe(true);
        expect(set(...items).equals(tlv(0x31, content))).toBe(true);
        expect(explicit(n, ...items).equals(tlv(0xa0 | n, content))).toBe(true);
        expect(setOf(items).equals(tlv(0x31, Buffer.concat([...items].sort(Buffer.compare))))).toBe(true);
      }),
    );
    expect(seq()).toEqual(Buffer.from([0x30, 0x00]));
    expect(encodeLength(0x1_00_00_00)).toEqual(Buffer.from([0x84, 0x01, 0x00, 0x00, 0x00]));
  });

  it('nests 20 MB of content five levels deep and reads back the same bytes', () => {
    const content = Buffer.alloc(20 * 1024 * 1024, 0x5a);
    const der = seq(oid('1.2.840.113549.1.7.1'), explicit(0, seq(explicit(0, seq(octets(content))))));
    // the OID (11 bytes), then six headers (OCTET STRING and five wrappers) of a tag and a 5-byte length
    expect(der.length).toBe(content.length + 11 + 6 * 6);
    const root = readRoot(der);
    const inner = childrenOf(childrenOf(childrenOf(childrenOf(childrenOf(root)[1]!)[0]!)[0]!)[0]!)[0]!;
    expect(octetsOf(inner).equals(content)).toBe(true);
  });
});
