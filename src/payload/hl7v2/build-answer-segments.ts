/**
 * The pieces answers are built from: the canonical request's identifiers, names, practitioners and patient as
 * HL7 v2 data types (the inverse of read-data-types.ts), the answer's MSH (sender and receiver of the request
 * swapped), and OBX segments for the opinion (FT text, ED documents). Pure functions.
 */
import type { Identifier, Patient, Practitioner } from '../../domain/canonical-request.ts';
import type { Answer } from '../../domain/answer.ts';
import { charsetOf, fitsCharset } from './er7-charset.ts';
import type { Er7ComponentInput } from './make-er7.ts';
import { makeField, makeRepeatedField, makeRepetition, makeSegment } from './make-er7.ts';
import type { Er7Field, Er7Message, Er7Repetition, Er7Segment } from './er7-types.ts';
import { buildEr7Text } from './build-er7.ts';
import { formatHl7Date } from './hl7-date.ts';
import { edTypeOf } from './read-observations.ts';
import { systemOfIdentifierType } from './identifier-system.ts';
import type { Hl7MessageHeader } from './read-message-header.ts';

/** LOINC 11488-4 Consult note: what the opinion is, in OBR-4 and OBX-3. */
export const CONSULT_NOTE: Er7ComponentInput[] = ['11488-4', 'Consult note', 'LN'];

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const URI = /^[a-z][a-z0-9+.-]*:/i;

/** The identifier type code (PLN-2, XCN-13) that names `system` on its own, if any (NPI, RPPS, ADELI, CPF, CNS). */
function typeCodeOfSystem(system: string): string | undefined {
  for (const code of ['NPI', 'RPPS', 'ADELI', 'CPF', 'CNS']) if (systemOfIdentifierType(code) === system) return code;
  return undefined;
}

/** An assigning authority (HD: namespace, universal id, universal id type) for a system. */
export function authorityOf(id: Identifier): [string, string, string] {
  const s = id.system;
  if (s.startsWith('urn:oid:') && OID.test(s.slice(8))) {
    const oid = s.slice(8);
    return [id.assigner && id.assigner !== oid ? id.assigner : '', oid, 'ISO'];
  }
  if (s.startsWith('urn:uuid:')) return [id.assigner ?? '', s.slice(9), 'UUID'];
  if (URI.test(s)) return [id.assigner && id.assigner !== s ? id.assigner : '', s, 'URI'];
  return [s, '', ''];
}

/** EI: entity id, namespace, universal id, universal id type. */
export function eiOf(id: Identifier): Er7Repetition {
  return makeRepetition(id.value, ...authorityOf(id));
}

/** CX: id, (check digit, scheme), assigning authority, identifier type. */
export function cxOf(id: Identifier): Er7Repetition {
  return makeRepetition(id.value, '', '', authorityOf(id), id.type);
}

/** XPN: family, given, further given names, (suffix), prefix. */
export function xpnOf(name: { family?: string; given: string[]; prefix: string[] }): Er7Repetition {
  return makeRepetition(name.family, name.given[0], name.given.slice(1).join(' '), '', name.prefix[0]);
}

/** XCN: the practitioner's first identifier with its authority (or its type code for NPI, RPPS…), and name. */
export function xcnOf(p: Practitioner): Er7Repetition {
  const id = p.identifiers[0];
  const byType = id ? typeCodeOfSystem(id.system) : undefined;
  const hd = id && !byType ? authorityOf(id) : undefined;
  const n = p.name;
  return makeRepetition(id?.value, n?.family, n?.given[0], n?.given.slice(1).join(' '), '', n?.prefix[0], '', '', hd, '', '', '', byType ?? id?.type);
}

/** PLN: id, type of id (its code when the system has one), qualifying information (the system). */
export function plnOf(id: Identifier): Er7Repetition {
  const byType = typeCodeOfSystem(id.system);
  return byType ? makeRepetition(id.value, byType) : makeRepetition(id.value, id.type ?? '', id.system);
}

/** A PRD segment: role (table 0286), name, secure mail address (XTN, Internet), identifiers. */
export function prdOf(role: [string, string], p: Practitioner): Er7Segment {
  return makeSegment('PRD', {
    1: makeField(role[0], role[1], 'HL70286'),
    2: p.name ? [xpnOf(p.name)] : [],
    5: p.address ? makeField('', 'NET', 'Internet', p.address) : [],
    7: makeRepeatedField(p.identifiers.map(plnOf)),
  });
}

const SEX_CODE: Record<NonNullable<Patient['sex']>, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };

/** PID: set id 1, identifiers (PID-3), names (PID-5), birth date (PID-7), sex (PID-8). */
export function pidOf(patient: Patient): Er7Segment {
  return makeSegment('PID', {
    1: makeField('1'),
    3: makeRepeatedField(patient.identifiers.map(cxOf)),
    5: makeRepeatedField(patient.names.map(xpnOf)),
    7: patient.birthDate ? makeField(formatHl7Date(patient.birthDate)) : [],
    8: patient.sex ? makeField(SEX_CODE[patient.sex]) : [],
  });
}

/** The OBX segments of an opinion: its text (FT) then each document (ED, base64), with result status F or C. */
export function obxOfOpinion(opinion: NonNullable<Answer['opinion']>, status: 'F' | 'C'): Er7Segment[] {
  const out = [
    makeSegment('OBX', { 1: makeField('1'), 2: makeField('FT'), 3: makeField(...CONSULT_NOTE), 5: makeField(opinion.text), 11: makeField(status) }),
  ];
  opinion.documents.forEach((doc, i) => {
    const [type, subtype] = edTypeOf(doc.contentType);
    out.push(
      makeSegment('OBX', {
        1: makeField(String(i + 2)),
        2: makeField('ED'),
        3: makeField(...CONSULT_NOTE),
        5: makeField('', type, subtype, 'Base64', doc.data),
        11: makeField(status),
      }),
    );
  });
  return out;
}

export interface AnswerHeaderOptions {
  /** MSH-9: code, trigger event, structure */
  type: [string, string, string];
  /** MSH-12 when the request gave none */
  defaultVersion: string;
  /** 360X: MSH-15/16 NE/NE and MSH-21 360X */
  is360x: boolean;
}

/**
 * The answer's MSH: MSH-3/4 the request's MSH-5/6 and MSH-5/6 its MSH-3/4, MSH-7 the answer's time, MSH-10 its
 * id, MSH-11 and MSH-12 as the request's, MSH-18 as the request's (made UNICODE UTF-8 by withCharset when the text
 * needs it).
 */
export function mshOf(header: Hl7MessageHeader, answer: Pick<Answer, 'id' | 'at'>, options: AnswerHeaderOptions): Er7Segment {
  const fields: Record<number, Er7Field> = {
    3: header.receivingApplication,
    4: header.receivingFacility,
    5: header.sendingApplication,
    6: header.sendingFacility,
    7: makeField(formatHl7Date(answer.at)),
    9: makeField(...options.type),
    10: makeField(answer.id),
    11: makeField(header.processingId || 'P'),
    12: makeField(header.version || options.defaultVersion),
    18: makeField(charsetOf(header.characterSet) ? header.characterSet : ''),
  };
  if (options.is360x) {
    fields[15] = makeField('NE');
    fields[16] = makeField('NE');
    fields[21] = makeField('360X');
  }
  return makeSegment('MSH', fields);
}

/** The message with MSH-18 kept when its character set can write every value, else UNICODE UTF-8. */
export function withCharset(message: Er7Message): Er7Message {
  const [msh, ...rest] = message.segments;
  const declared = charsetOf(msh?.fields[18]?.[0]?.[0]?.[0] ?? '') ?? 'ASCII';
  if (!msh || fitsCharset(buildEr7Text(message), declared)) return message;
  const fields = [...msh.fields];
  while (fields.length <= 18) fields.push([]);
  fields[18] = makeField('UNICODE UTF-8');
  return { delimiters: message.delimiters, segments: [{ name: 'MSH', fields }, ...rest] };
}
