import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalRequestSchema } from '../../../src/domain/canonical-request.ts';
import { AnswerSchema } from '../../../src/domain/answer.ts';
import { buildEr7 } from '../../../src/payload/hl7v2/build-er7.ts';
import { buildOsuO51 } from '../../../src/payload/hl7v2/build-osu-o51.ts';
import { buildRriI12 } from '../../../src/payload/hl7v2/build-rri-i12.ts';
import type { Er7Delimiters, Er7Message } from '../../../src/payload/hl7v2/er7-types.ts';
import { makeField, makeMessage, makeSegment, trimField } from '../../../src/payload/hl7v2/make-er7.ts';
import { parseEr7, readEr7 } from '../../../src/payload/hl7v2/parse-er7.ts';
import { parseHl7v2Message } from '../../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { parseHl7v2Request } from '../../../src/payload/hl7v2/parse-hl7v2-request.ts';
import { parseOsuO51 } from '../../../src/payload/hl7v2/parse-osu-o51.ts';
import { parseRriI12 } from '../../../src/payload/hl7v2/parse-rri-i12.ts';
import { readMessageHeader } from '../../../src/payload/hl7v2/read-message-header.ts';
import { SAMPLES, edited, sample, type SampleName } from './samples.ts';

/** Characters that stress a parser: every usual and unusual delimiter, escapes, line ends, controls, non-ASCII. */
const NASTY = ['|', '^', '~', '\\', '&', '#', '$', '*', '!', '@', '\n', '\r', '\r\n', '\t', '\u0000', '\u001b', '\\.br\\', '\\F\\', '""', ' ', 'é', 'Ω', 'ß', '中', '😀', 'e\u0301'];
const leaf = fc.string({ unit: fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 });
const component = fc.array(leaf, { maxLength: 3 });
const repetition = fc.array(component, { maxLength: 4 });
const field = fc.array(repetition, { maxLength: 3 }).map(trimField);
const segmentName = fc.stringMatching(/^[A-Z][A-Z0-9]{2}$/).filter((n) => n !== 'MSH');

/** Five distinct printable, non-alphanumeric delimiters (sometimes the standard ones). */
const delimiters: fc.Arbitrary<Er7Delimiters> = fc.oneof(
  fc.constant<Er7Delimiters>({ field: '|', component: '^', repetition: '~', escape: '\\', subComponent: '&' }),
  fc
    .shuffledSubarray([...'|^~\\&#$*!@%+:;?/=<>'], { minLength: 5, maxLength: 5 })
    .map(([f, c, r, e, s]) => ({ field: f!, component: c!, repetition: r!, escape: e!, subComponent: s! })),
);

const message: fc.Arbitrary<Er7Message> = fc
  .record({
    delimiters,
    msh: fc.array(field, { minLength: 15, maxLength: 15 }),
    segments: fc.array(fc.record({ name: segmentName, fields: fc.array(field, { maxLength: 8 }) }), { maxLength: 6 }),
  })
  .map(({ delimiters: d, msh, segments }) => {
    const mshFields: Record<number, (typeof msh)[number]> = {};
    msh.forEach((f, i) => (mshFields[i + 3] = f));
    mshFields[18] = makeField('UNICODE UTF-8');
    const rest = segments.map((s) => makeSegment(s.name, Object.fromEntries(s.fields.map((f, i) => [i + 1, f]))));
    return makeMessage([makeSegment('MSH', mshFields), ...rest], d);
  });

describe('build → parse (property)', () => {
  it('any values, with delimiters, escapes, new lines and non-ASCII text, come back the same (UTF-8, any delimiters)', () => {
    fc.assert(
      fc.property(message, fc.constantFrom<'\r' | '\n' | '\r\n'>('\r', '\n', '\r\n'), (m, end) => {
        const bytes = buildEr7(m, { segmentTerminator: end });
        const r = readEr7(bytes);
        expect(r.problems).toEqual([]);
        expect(r.message).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('any opinion text and reason survive an OSU^O51 and an RRI^I12', () => {
    const omg = parseHl7v2Message(sample('omg'));
    const ref = parseHl7v2Message(edited('ref', { 'PID-7': '19761225', 'RF1-5': '' }));
    if (!omg.ok || omg.value.kind !== 'request' || !ref.ok || ref.value.kind !== 'request') throw new Error('samples');
    const omgRequest = omg.value.request;
    const refRequest = ref.value.request;
    const omgHeader = readMessageHeader(omg.value.message, []);
    const refHeader = readMessageHeader(ref.value.message, []);
    const text = fc.string({ unit: fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(text, text.map((t) => t.trim()).filter((t) => t !== '' && t !== '""'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map((s) => s.trim()).filter((s) => s.length > 0), (opinion, reason, family) => {
        const expert = { identifiers: [], name: { family, given: [], prefix: [] } };
        const finalized = AnswerSchema.parse({ kind: 'finalized', at: '2026-03-03T10:00:00Z', id: 'P-1', expert, opinion: { text: opinion } });
        const declined = AnswerSchema.parse({ kind: 'declined', at: '2026-03-03T10:00:00Z', id: 'P-2', expert, reason });
        const parsedOsu = (b: Buffer) => {
          const m = parseEr7(b);
          if (!m.ok) throw new Error(JSON.stringify(m.problems));
          const r = parseOsuO51(m.value);
          if (!r.ok) throw new Error(JSON.stringify(r.problems));
          return r.value;
        };
        const parsedRri = (b: Buffer) => {
          const m = parseEr7(b);
          if (!m.ok) throw new Error(JSON.stringify(m.problems));
          const r = parseRriI12(m.value);
          if (!r.ok) throw new Error(JSON.stringify(r.problems));
          return r.value;
        };
        expect(parsedOsu(buildOsuO51(omgRequest, finalized, omgHeader)).opinion?.text).toBe(opinion);
        expect(parsedOsu(buildOsuO51(omgRequest, declined, omgHeader)).reason).toBe(reason);
        const rri = parsedRri(buildRriI12(refRequest, finalized, refHeader));
        expect(rri.opinion?.text).toBe(opinion);
        expect(rri.expert?.name?.family).toBe(family);
        expect(parsedRri(buildRriI12(refRequest, declined, refHeader)).reason).toBe(reason);
      }),
      { numRuns: 200 },
    );
  });
});

describe('damaged real messages (property)', () => {
  const names = Object.keys(SAMPLES) as SampleName[];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', '\\X', '\\.br', '""', '\u00e9', 'MSH|^~\\&|', '\\Zz\\', '\\XC3\\', '\r\r') }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
  );

  function mutate(bytes: Buffer, ms: { kind: string; [k: string]: unknown }[]): Buffer {
    let b = Buffer.from(bytes);
    for (const m of ms) {
      const at = (Number(m.at ?? 0) % (b.length + 1)) | 0;
      if (m.kind === 'flip' && b.length > 0) b[at % b.length] = Number(m.byte);
      else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(String(m.text), 'latin1'), b.subarray(at)]);
      else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + Number(m.length))]);
      else if (m.kind === 'truncate') b = b.subarray(0, at);
      else if (m.kind === 'swap-lines') {
        const lines = b.toString('latin1').split('\r');
        const i = Number(m.a) % lines.length;
        const j = Number(m.b) % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        b = Buffer.from(lines.join('\r'), 'latin1');
      }
    }
    return b;
  }

  it('give Result values (problems with HL7 codes and paths when they fail), never exceptions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(mutation, { minLength: 1, maxLength: 4 }), (name, ms) => {
        const bytes = mutate(sample(name), ms);
        for (const r of [parseEr7(bytes), parseHl7v2Message(bytes), parseHl7v2Request(bytes)]) {
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) {
            expect(r.problems.length).toBeGreaterThan(0);
            for (const p of r.problems) {
              expect(p.code).toMatch(/^HL7_[A-Z_]+$/);
              expect(typeof p.path).toBe('string');
              expect(p.path.length).toBeGreaterThan(0);
              expect(typeof p.message).toBe('string');
            }
          }
        }
        const req = parseHl7v2Request(bytes);
        if (req.ok) expect(CanonicalRequestSchema.safeParse(req.value).success).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes after an MSH give Result values too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const bytes = Buffer.concat([Buffer.from('MSH|^~\\&|||||20260101||OMG^O19|1|P|2.5.1\r'), Buffer.from(tail)]);
        const r = parseHl7v2Message(bytes);
        expect(r.ok || r.problems.length > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
