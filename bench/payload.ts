/**
 * HL7 v2 parsing throughput on one core: the five sample messages of fixtures/hl7v2 (segments ended by CR, as on
 * the wire) parsed to the structure (segments, fields, repetitions, components, sub-components, escapes decoded)
 * by parseEr7, beside @medplum/core's Hl7Message.parse (the fastest maintained HL7 v2 parser on npm that we found)
 * measured in the same run. ratio = ours ÷ theirs (target ≥ 1).
 *
 * Medplum is given its input as a string already decoded (its API takes a string); ours takes the bytes and
 * decodes them per MSH-18 inside the measured time. Medplum splits to components and leaves sub-components and
 * escapes for later; ours does both.
 */
import { readFileSync } from 'node:fs';
import { Hl7Message } from '@medplum/core';
import { parseEr7 } from '../src/payload/hl7v2/parse-er7.ts';
import { interleaved, opsPerSecond, report, round } from './lib/measure.ts';

const FILES = [
  '360x/OMG_O19_referral_request.hl7',
  '360x/OSU_O51_referral_cancel.hl7',
  '360x/SIU_S26_no_show.hl7',
  'ref-rri-synthetic/REF_I12_cardiology_referral.hl7',
  'ref-rri-synthetic/RRI_I12_cardiology_response.hl7',
];

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const root = new URL('../fixtures/hl7v2/', import.meta.url);
  const wire = FILES.map((f) => Buffer.from(readFileSync(new URL(f, root), 'utf8').replace(/\r?\n/g, '\r'), 'latin1'));
  const text = wire.map((b) => b.toString('latin1'));
  const bytes = wire.reduce((n, b) => n + b.length, 0);

  // both must read every message before anything is measured
  let sink = 0;
  for (const b of wire) {
    const r = parseEr7(b);
    if (!r.ok) throw new Error(`parseEr7 refused a sample: ${JSON.stringify(r.problems)}`);
    sink += r.value.segments.length;
  }
  for (const t of text) sink += Hl7Message.parse(t).segments.length;

  const parseOurs = () => {
    for (const b of wire) {
      const r = parseEr7(b);
      if (r.ok) sink += r.value.segments.length;
    }
  };
  const parseTheirs = () => {
    for (const t of text) sink += Hl7Message.parse(t).segments.length;
  };
  const ms = seconds * 1000;
  opsPerSecond(parseOurs, 500, 0);
  opsPerSecond(parseTheirs, 500, 0);
  const m = interleaved({
    ours: () => opsPerSecond(parseOurs, ms, 100) * wire.length,
    medplum: () => opsPerSecond(parseTheirs, ms, 100) * wire.length,
  });
  const ratio = m.ours / m.medplum;
  report(
    'payload',
    [
      ['messages (5 samples, CR line ends)', `${wire.length}, ${bytes} bytes in all`],
      ['rounds (medians reported)', 3],
      ['parseEr7 messages/s (bytes → structure)', round(m.ours, 0)],
      ['@medplum/core 4 Hl7Message.parse messages/s', round(m.medplum, 0)],
      ['ratio ours ÷ medplum', round(ratio)],
      ['target', '≥ 1'],
      ['(checksum)', sink % 1000],
    ],
    { messages: wire.length, bytes, oursPerSec: round(m.ours, 0), medplumPerSec: round(m.medplum, 0), ratio: round(ratio) },
  );
}
