/**
 * The CON segment (consent, HL7 v2.5.1 §9) as the canonical consent: CON-11 status (table 0498: A active and
 * L limited are a consent; B bypassed, P pending, R refused, X rescinded are not), CON-13 decision date (else
 * CON-14 effective, else CON-12 discussion), source 'hl7-con'. What the patient was informed of has no standard
 * place in CON: `covers` stays false, for the policy to judge.
 */
import type { Consent } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { fieldAt, getSegment } from './get-value.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { CONSENT_GRANTED } from './hl7-tables.ts';
import { readDtm, textOf } from './read-data-types.ts';
import { lookup } from './lookup.ts';

export function readConsent(message: Er7Message, problems: Problem[]): Consent | undefined {
  const con = getSegment(message, 'CON');
  if (!con) return undefined;
  const status = textOf(fieldAt(con, 11)[0], 1).toUpperCase();
  const granted = lookup(CONSENT_GRANTED, status);
  if (!status) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'CON-11', 'the consent status is required'));
  else if (granted === undefined) problems.push(hl7Problem(HL7_CODES.UNKNOWN_CODE, 'CON-11', `consent status '${status.slice(0, 8)}' is not a code of HL7 table 0498`));
  let date: string | undefined;
  for (const n of [13, 14, 12]) {
    const d = readDtm(fieldAt(con, n)[0], `CON-${n}`, problems, false);
    if (!d) continue;
    if (d.precision === 'year' || d.precision === 'month') problems.push(hl7Problem(HL7_CODES.IMPRECISE_DATE, `CON-${n}`, 'a consent date needs at least a day'));
    else date = d.iso;
    break;
  }
  return {
    granted: granted ?? false,
    ...(date ? { date } : {}),
    covers: { reason: false, requestedIdentity: false, requestedSpecialty: false, modeOfReturn: false },
    source: 'hl7-con',
  };
}
