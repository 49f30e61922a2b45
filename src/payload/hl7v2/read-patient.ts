/**
 * The PID segment as the canonical patient: PID-3 identifiers (CX, the assigning authority as system, checked
 * when the system has a rule), PID-5 names, PID-7 birth date at the precision sent, PID-8 sex (table 0001).
 * Problems name the path and never the value.
 */
import type { Identifier, Patient } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { fieldAt, getSegment, valueAt } from './get-value.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { readCx, readDtm, readXpn, toIdentifier, type HumanName } from './read-data-types.ts';
import { lookup } from './lookup.ts';

/** HL7 table 0001 (administrative sex). */
const SEX: Record<string, Patient['sex']> = { M: 'male', F: 'female', O: 'other', A: 'other', X: 'other', U: 'unknown', N: 'unknown' };

export interface PatientInput {
  identifiers: Identifier[];
  names: HumanName[];
  birthDate?: string;
  sex?: Patient['sex'];
}

/** The patient of the first PID; `required`: a missing PID or PID-3 is a problem. */
export function readPatient(message: Er7Message, problems: Problem[], required = true): PatientInput | undefined {
  const pid = getSegment(message, 'PID');
  if (!pid) {
    if (required) problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'PID', 'the patient (PID) is required'));
    return undefined;
  }
  const identifiers: Identifier[] = [];
  fieldAt(pid, 3).forEach((rep, i) => {
    const cx = readCx(rep);
    const path = i === 0 ? 'PID-3' : `PID-3[${i + 1}]`;
    const id = cx && toIdentifier(cx, path, problems);
    if (id) identifiers.push(id);
  });
  if (required && fieldAt(pid, 3).length === 0) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'PID-3', 'the patient identifier list is required'));

  const names = fieldAt(pid, 5)
    .map(readXpn)
    .filter((n): n is HumanName => n !== undefined);
  const born = readDtm(fieldAt(pid, 7)[0], 'PID-7', problems, false);
  const sexCode = valueAt(pid, 8).trim();
  const sex = sexCode ? lookup(SEX, sexCode.toUpperCase()) : undefined;
  if (sexCode && !sex) problems.push(hl7Problem(HL7_CODES.UNKNOWN_CODE, 'PID-8', 'not a code of HL7 table 0001 (administrative sex)'));
  return {
    identifiers,
    names,
    ...(born ? { birthDate: born.iso.slice(0, 10) } : {}),
    ...(sex ? { sex } : {}),
  };
}
