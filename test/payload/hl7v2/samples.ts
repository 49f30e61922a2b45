/** The HL7 v2 samples of fixtures/hl7v2 (stored with LF), as the wire carries them (CR) or with other line ends. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../helpers/paths.ts';

export const SAMPLES = {
  omg: '360x/OMG_O19_referral_request.hl7',
  osu: '360x/OSU_O51_referral_cancel.hl7',
  siu: '360x/SIU_S26_no_show.hl7',
  ref: 'ref-rri-synthetic/REF_I12_cardiology_referral.hl7',
  rri: 'ref-rri-synthetic/RRI_I12_cardiology_response.hl7',
} as const;

export type SampleName = keyof typeof SAMPLES;

export function sampleText(name: SampleName, lineEnd: '\r' | '\n' | '\r\n' = '\r'): string {
  return readFileSync(join(FIXTURES, 'hl7v2', SAMPLES[name]), 'utf8').replace(/\r?\n/g, lineEnd);
}

export function sample(name: SampleName, lineEnd: '\r' | '\n' | '\r\n' = '\r'): Buffer {
  return Buffer.from(sampleText(name, lineEnd), 'latin1');
}

import { buildEr7 } from '../../../src/payload/hl7v2/build-er7.ts';
import type { Er7Field, Er7Message, Er7Segment } from '../../../src/payload/hl7v2/er7-types.ts';
import { parseEr7Path } from '../../../src/payload/hl7v2/get-value.ts';
import { makeField } from '../../../src/payload/hl7v2/make-er7.ts';
import { parseEr7 } from '../../../src/payload/hl7v2/parse-er7.ts';

export function sampleMessage(name: SampleName): Er7Message {
  const r = parseEr7(sample(name));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** A sample with some fields replaced (a string is a simple field; '' empties it) and segments added or removed, as wire bytes. */
export function edited(
  name: SampleName,
  fields: Record<string, string | Er7Field> = {},
  options: { add?: Er7Segment[]; remove?: string[] } = {},
): Buffer {
  const m = sampleMessage(name);
  let segments = m.segments.filter((s) => !options.remove?.includes(s.name)).map((s) => ({ name: s.name, fields: [...s.fields] }));
  for (const [path, value] of Object.entries(fields)) {
    const p = parseEr7Path(path);
    const seg = segments.filter((s) => s.name === p.segment)[p.occurrence - 1];
    if (!seg) throw new Error(`no ${path}`);
    while (seg.fields.length <= p.field) seg.fields.push([]);
    seg.fields[p.field] = typeof value === 'string' ? makeField(value) : value;
  }
  segments = [...segments, ...(options.add ?? []).map((s) => ({ name: s.name, fields: [...s.fields] }))];
  return buildEr7({ delimiters: m.delimiters, segments });
}
