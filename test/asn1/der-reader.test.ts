import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Asn1Error, childrenOf, octetsOf, oidOf, readNode, readRoot, timeOf, type DerNode } from '../../src/asn1/der-reader.ts';
import { int, oid, seq, time, octets, tlv } from '../../src/asn1/der-writer.ts';
import { decodeBase64 } from '../../src/mime/decode-body.ts';
import { parseEntity, headerValue } from '../../src/mime/parse-entity.ts';
import { DIRECT, RFC4134 } from '../helpers/paths.ts';

interface Shape {
  cls: number;
  num: number;
  constructed: boolean;
  start: number;
  end: number;
  kids?: Shape[];
}

// constructed universal strings (BER segments) are compared as leaves: asn1js folds them into the string value
function descends(cls: number, num: number, constructed: boolean): boolean {
  return constructed && (cls !== 0 || num === 16 || num === 17);
}

function ours(node: DerNode): Shape {
  const s: Shape = { cls: node.cls, num: node.num, constructed: node.constructed, start: node.start, end: node.end };
  if (descends(node.cls, node.num, node.constructed)) s.kids = childrenOf(node).map(ours);
  return s;
}

// asn1js: tagClass 1..4, offsets relative to the start of the buffer
function theirs(block: asn1js.AsnType, start: number): Shape {
  const b = block as unknown as {
    idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean };
    valueBlock: { value?: asn1js.AsnType[] };
    blockLength: number;
  };
  const s: Shape = { cls: b.idBlock.tagClass - 1, num: b.idBlock.tagNumber, constructed: b.idBlock.isConstructed, start, end: start + b.blockLength };
  if (descends(b.idBlock.tagClass - 1, b.idBlock.tagNumber, b.idBlock.isConstructed)) {
    let p = start + (b as unknown as { idBlock: { blockLength: number } }).idBlock.blockLength + (b as unknown as { lenBlock: { blockLength: number } }).lenBlock.blockLength;
    s.kids = (b.valueBlock.value ?? []).map((k) => {
      const t = theirs(k, p);
      p = t.end;
      return t;
    });
  }
  return s;
}

function vectorDers(): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of [RFC4134, join(DIRECT, 'keys')]) {
    for (const f of readdirSync(dir)) if (/\.(bin|cer|der|crl|pri)$/.test(f) && f !== 'ExContent.bin') out.push(readFileSync(join(dir, f)));
  }
  const msg = parseEntity(readFileSync(join(DIRECT, 'EncryptedMessage2.eml')));
  expect(headerValue(msg.headers, 'content-type')).toContain('pkcs7-mime');
  out.push(decodeBase64(msg.body));
  return out;
}

describe('DER reader', () => {
  it('reads every vector like asn1js does (same tags, same boundaries, BER indefinite lengths included)', () => {
    const ders = vectorDers();
    expect(ders.length).toBeGreaterThan(10);
    for (const der of ders) {
      const mine = ours(readRoot(der, true));
      const parsed = asn1js.fromBER(new Uint8Array(der).buffer);
      expect(parsed.offset).not.toBe(-1);
      expect(mine).toEqual(theirs(parsed.result, 0));
    }
  });

  it('never accepts what asn1js refuses, and only throws Asn1Error, on random bytes and mutated vectors', () => {
    const ders = vectorDers();
    const mutated = fc.tuple(fc.constantFrom(...ders), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat()))
      .map(([der, flips, cut]) => {
        const b = Buffer.from(der);
        for (const [pos, val] of flips) b[pos % b.length] = val;
        return cut === null ? b : b.subarray(0, cut % (b.length + 1));
      });
    const random = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.oneof(mutated, random), (buf) => {
        let mine: Shape | undefined;
        try {
          mine = ours(readRoot(buf, true));
        } catch (err) {
          expect(err).toBeInstanceOf(Asn1Error);
          return;
        }
        let parsed: ReturnType<typeof asn1js.fromBER>;
        try {
          parsed = asn1js.fromBER(new Uint8Array(buf).buffer);
        } catch {
          return; // asn1js itself crashes on some inputs (an odd-length BMPString throws a RangeError)
        }
        if (parsed.offset === -1) {
          // asn1js also decodes primitive contents (INTEGER, OID, strings) and may refuse them: structure only here
          return;
        }
        expect(mine).toEqual(theirs(parsed.result, 0));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses deep nesting without exhausting the stack', () => {
    const deep = Buffer.alloc(20000);
    for (let i = 0; i < deep.length; i += 2) {
      deep[i] = 0x30;
      deep[i + 1] = 0x80;
    }
    expect(() => readRoot(deep)).toThrow(Asn1Error);
  });

  it.each([
    ['length past the end', Buffer.from([0x30, 0x05, 0x02, 0x01])],
    ['length of 5 octets', Buffer.from([0x04, 0x85, 0, 0, 0, 0, 1, 0])],
    ['indefinite length on a primitive', Buffer.from([0x04, 0x80, 0x00, 0x00])],
    ['missing end-of-contents', Buffer.from([0x30, 0x80, 0x05, 0x00])],
    ['trailing bytes', Buffer.from([0x05, 0x00, 0x00])],
    ['empty input', Buffer.alloc(0)],
  ])('refuses %s', (_n, buf) => {
    expect(() => readRoot(buf)).toThrow(Asn1Error);
  });

  it('joins constructed (BER) OCTET STRING segments', () => {
    const ber = Buffer.from([0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x04, 0x01, 0x63, 0x00, 0x00]);
    expect(octetsOf(readRoot(ber)).toString()).toBe('abc');
  });

  it('round-trips OIDs, integers and times written by the DER writer', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), (rest, a, b) => {
        const dotted = [a, b, ...rest].join('.');
        expect(oidOf(readRoot(oid(dotted)))).toBe(dotted);
      }),
    );
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
        expect(timeOf(readRoot(time(whole))).getTime()).toBe(whole.getTime());
      }),
    );
    const node = readNode(seq(int(5), octets(Buffer.from('x')), tlv(0x05, Buffer.alloc(0))));
    expect(childrenOf(node).map((k) => k.tag)).toEqual([0x02, 0x04, 0x05]);
  });
});
