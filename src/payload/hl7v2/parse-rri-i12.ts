/**
 * A referral response (RRI^I12, HL7 v2.4 chapter 11): the answer to a REF^I12, as peers send it and as txgate
 * builds it (build-rri-i12.ts). Matched to its referral by RF1-6 (originating referral id), else RF1-11
 * (external ids), else OBR-2 (placer order number), else MSA-2 (the REF's control id): v2.4 makes MSA optional and
 * real responses may carry none of RF1-6 or MSA, as the synthetic sample shows. Not a request.
 */
import type { Identifier, Practitioner } from '../../domain/canonical-request.ts';
import type { Problem, Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { fieldAt, getSegment, valueAt } from './get-value.ts';
import { formatHl7Path, HL7_CODES, hl7Problem, strictResult, type Hl7Reading } from './hl7-problem.ts';
import { kindOfReferralStatus, PROVIDER_ROLE, type ReferralResponseKind } from './hl7-tables.ts';
import { readDtm, readEi, textOf, toIdentifier } from './read-data-types.ts';
import { readMessageHeader } from './read-message-header.ts';
import { readNotes, readObservations, type ObservationDocument } from './read-observations.ts';
import { readPatient, type PatientInput } from './read-patient.ts';
import { readPrdPractitioner } from './read-practitioner.ts';

export interface ReferralResponse {
  messageId: string;
  sentAt?: string;
  /** MSA-2: the control id of the REF this answers */
  acknowledges?: string;
  /** RF1-1 as sent, and what it means */
  status: string;
  kind: ReferralResponseKind;
  /** RF1-6 */
  referral?: Identifier;
  /** RF1-11 */
  externalIds: Identifier[];
  /** OBR-2.1 */
  placerOrderNumber?: string;
  /** RF1-9 process date */
  processedAt?: string;
  /** PRD RT, else CP */
  expert?: Practitioner;
  /** PRD RP, else PP */
  requester?: Practitioner;
  patient?: PatientInput;
  opinion?: { text?: string; documents: ObservationDocument[] };
  /** NTE marked 1R (primary reason) */
  reason?: string;
  notes: string[];
}

export function parseRriI12(message: Er7Message): Result<ReferralResponse> {
  return strictResult(readRriI12(message));
}

export function readRriI12(message: Er7Message): Hl7Reading<ReferralResponse> {
  const problems: Problem[] = [];
  const header = readMessageHeader(message, problems);
  if (header.messageCode !== 'RRI' || header.triggerEvent !== 'I12') {
    problems.push(hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', 'a referral response is an RRI^I12'));
  }
  const msa = getSegment(message, 'MSA');
  const acknowledges = msa ? valueAt(msa, 2).trim() : '';
  const rf1 = getSegment(message, 'RF1');
  if (!rf1) {
    problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'RF1', 'the referral information (RF1) is required'));
    return { value: undefined, problems };
  }
  const observations = readObservations(message, problems);
  const corrected = observations.resultStatuses.some((s) => s.toUpperCase() === 'C');
  const text = observations.texts.join('\n\n');
  const hasOpinion = text !== '' || observations.documents.length > 0;
  const status = textOf(fieldAt(rf1, 1)[0], 1);
  const kind = kindOfReferralStatus(status, hasOpinion, corrected);
  if (!status) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'RF1-1', 'the referral status is required'));
  else if (!kind) problems.push(hl7Problem(HL7_CODES.UNKNOWN_CODE, 'RF1-1', `referral status '${status.slice(0, 8)}' is not a code of table 0283 (A, P, R, E; C local)`));

  const cat = textOf(fieldAt(rf1, 5)[0], 1);
  if (/^\d{4,}([.+-]\d+)*$/.test(cat)) {
    problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, 'RF1-5', `the referral category holds a date ('${cat.slice(0, 24)}') where a code of table 0284 is expected`));
  }
  for (const n of [7, 8]) readDtm(fieldAt(rf1, n)[0], `RF1-${n}`, problems, true);
  const processed = readDtm(fieldAt(rf1, 9)[0], 'RF1-9', problems, true);

  const originating = readEi(fieldAt(rf1, 6)[0]);
  const referral = originating && toIdentifier(originating, 'RF1-6', problems);
  const externalIds: Identifier[] = [];
  fieldAt(rf1, 11).forEach((rep, i) => {
    const ei = readEi(rep);
    const id = ei && toIdentifier(ei, i === 0 ? 'RF1-11' : `RF1-11[${i + 1}]`, problems);
    if (id) externalIds.push(id);
  });
  const obr = getSegment(message, 'OBR');
  const placerOrderNumber = obr ? textOf(fieldAt(obr, 2)[0], 1) : '';
  if (!referral && externalIds.length === 0 && !placerOrderNumber && !acknowledges) {
    problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'RF1-6', 'nothing to match this response to its referral (RF1-6, RF1-11, OBR-2 or MSA-2)'));
  }

  const roles = new Map<string, Practitioner>();
  let occurrence = 0;
  for (const seg of message.segments) {
    if (seg.name !== 'PRD') continue;
    occurrence++;
    const role = valueAt(seg, 1).trim().toUpperCase();
    if (role && !roles.has(role)) roles.set(role, readPrdPractitioner(seg, formatHl7Path('PRD', occurrence), problems));
  }
  const expert = roles.get(PROVIDER_ROLE.referredTo) ?? roles.get(PROVIDER_ROLE.consulting);
  const requester = roles.get(PROVIDER_ROLE.referring) ?? roles.get(PROVIDER_ROLE.primaryCare);
  const patient = readPatient(message, problems, false);
  const { notes, reasons } = readNotes(message);

  if (!kind) return { value: undefined, problems };
  return {
    value: {
      messageId: header.controlId,
      ...(header.sentAt ? { sentAt: header.sentAt } : {}),
      ...(acknowledges ? { acknowledges } : {}),
      status,
      kind,
      ...(referral ? { referral } : {}),
      externalIds,
      ...(placerOrderNumber ? { placerOrderNumber } : {}),
      ...(processed ? { processedAt: processed.iso } : {}),
      ...(expert ? { expert } : {}),
      ...(requester ? { requester } : {}),
      ...(patient ? { patient } : {}),
      ...(hasOpinion ? { opinion: { ...(text ? { text } : {}), documents: observations.documents } } : {}),
      ...(reasons[0] ? { reason: reasons.join('\n') } : {}),
      notes,
    },
    problems,
  };
}
