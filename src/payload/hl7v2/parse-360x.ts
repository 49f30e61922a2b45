/**
 * An IHE 360X referral request (OMG^O19, HL7 v2.5.1, MSH-21 360X) to the canonical request, dialect
 * 'hl7v2-360x':
 *
 * - ids.sender: ORC-2, the placer order number (= the referral id) with its assigning authority (OBR-2 must agree)
 * - ORC-1 must be NW; one order per message; OBR-4 must be LOINC 57133-1 (referral note)
 * - reason: OBR-31 (codes and text); question: text OBX (FT/TX/ST); attachments: OBX ED
 * - neededBy: TQ1-8 (end date/time), else TQ1-7; priority: TQ1-9 (S urgent, A asap, R routine)
 * - requester: ORC-12, else OBR-16 (XCN: id with its assigning authority, names)
 * - patient: PID; consent: CON; notes: NTE
 *
 * Every problem is listed, with its HL7 path.
 */
import type { CanonicalRequest, Identifier } from '../../domain/canonical-request.ts';
import type { Problem, Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { finishRequest } from './finish-request.ts';
import { fieldAt, getSegment, getSegments } from './get-value.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { PRIORITY_OF_CODE } from './hl7-tables.ts';
import { readConsent } from './read-consent.ts';
import { readCwe, readDtm, readEi, textOf, toIdentifier } from './read-data-types.ts';
import { readMessageHeader } from './read-message-header.ts';
import { attachmentOf, readNotes, readObservations } from './read-observations.ts';
import { readPatient } from './read-patient.ts';
import { readXcnPractitioner } from './read-practitioner.ts';
import { lookup } from './lookup.ts';

export interface Hl7v2RequestOptions {
  /** how the payload arrived; default 'smtp' (Direct) */
  channel?: 'smtp' | 'fhir';
}

const REFERRAL_NOTE = { system: 'http://loinc.org', code: '57133-1' };

export function parse360xRequest(message: Er7Message, options: Hl7v2RequestOptions = {}): Result<CanonicalRequest> {
  const problems: Problem[] = [];
  const header = readMessageHeader(message, problems);
  if (header.messageCode !== 'OMG' || header.triggerEvent !== 'O19') {
    problems.push(hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', 'a 360X referral request is an OMG^O19'));
  }
  if (!header.profiles.some((p) => p.toUpperCase() === '360X')) {
    problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, 'MSH-21', 'a 360X referral request names the 360X profile in MSH-21'));
  }

  const orc = getSegment(message, 'ORC');
  const obr = getSegment(message, 'OBR');
  if (!orc) problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'ORC', 'the order (ORC) is required'));
  if (!obr) problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'OBR', 'the order detail (OBR) is required'));
  if (getSegments(message, 'ORC').length > 1) problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, 'ORC[2]', 'a 360X referral request holds one order'));

  const control = orc ? textOf(fieldAt(orc, 1)[0], 1) : '';
  if (orc && control !== 'NW') {
    problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, 'ORC-1', control ? `order control '${control.slice(0, 8)}' where a referral request has NW` : 'the order control (NW) is required'));
  }

  // the referral id: ORC-2, repeated in OBR-2
  const placer = orc ? readEi(fieldAt(orc, 2)[0]) : undefined;
  const placerInObr = obr ? readEi(fieldAt(obr, 2)[0]) : undefined;
  let sender: Identifier | undefined;
  if (placer) sender = toIdentifier(placer, 'ORC-2', problems);
  else if (placerInObr) sender = toIdentifier(placerInObr, 'OBR-2', problems);
  else if (orc) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'ORC-2', 'the placer order number (the referral id) is required'));
  if (placer && placerInObr && (placer.value !== placerInObr.value || placer.system !== placerInObr.system)) {
    problems.push(hl7Problem(HL7_CODES.INCONSISTENT, 'OBR-2', 'the placer order number differs from ORC-2'));
  }

  if (obr) {
    const service = readCwe(fieldAt(obr, 4)[0]);
    if (service.codings.length === 0) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'OBR-4', 'the universal service identifier is required'));
    else if (!service.codings.some((c) => c.system === REFERRAL_NOTE.system && c.code === REFERRAL_NOTE.code)) {
      problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, 'OBR-4', 'a 360X referral is LOINC 57133-1 (referral note)'));
    }
  }

  // the reason: every repetition of OBR-31
  const reasons = obr ? fieldAt(obr, 31).map(readCwe) : [];
  const reasonText = reasons.map((r) => r.text).filter((t): t is string => !!t).join('; ');
  if (obr && reasons.every((r) => r.codings.length === 0 && !r.text)) {
    problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'OBR-31', 'the reason for the referral is required'));
  }

  // timing: TQ1-8 end date/time is the deadline (TQ1-7 start when there is no end), TQ1-9 the priority
  const tq1 = getSegment(message, 'TQ1');
  let neededBy: string | undefined;
  let priority: CanonicalRequest['priority'] | undefined;
  if (tq1) {
    const n = fieldAt(tq1, 8).length > 0 ? 8 : 7;
    const due = readDtm(fieldAt(tq1, n)[0], `TQ1-${n}`, problems, true);
    if (due && ['year', 'month'].includes(due.precision)) problems.push(hl7Problem(HL7_CODES.IMPRECISE_DATE, `TQ1-${n}`, 'a deadline needs at least a day'));
    else if (due) neededBy = due.iso;
    const code = textOf(fieldAt(tq1, 9)[0], 1).toUpperCase();
    if (code) {
      priority = lookup(PRIORITY_OF_CODE, code);
      if (!priority) problems.push(hl7Problem(HL7_CODES.UNKNOWN_CODE, 'TQ1-9', `priority '${code.slice(0, 8)}' is not one this gateway maps (S, A, R)`));
    }
  }

  // the requester: ORC-12, else OBR-16
  const byOrc = orc ? readXcnPractitioner(fieldAt(orc, 12)[0], 'ORC-12', problems) : undefined;
  const requester = byOrc ?? (obr ? readXcnPractitioner(fieldAt(obr, 16)[0], 'OBR-16', problems) : undefined);
  if (!requester && orc) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'ORC-12', 'the ordering provider (the requester) is required'));

  const patient = readPatient(message, problems);
  const consent = readConsent(message, problems);
  const observations = readObservations(message, problems);
  const { notes, reasons: noteReasons } = readNotes(message);
  const question = observations.texts.join('\n\n').replace(/\n+$/, '');

  return finishRequest(
    {
      ids: sender ? { sender } : {},
      channel: options.channel ?? 'smtp',
      dialect: 'hl7v2-360x',
      requester: requester ?? {},
      requested: {},
      patient: patient ?? {},
      reason: {
        codes: reasons.flatMap((r) => r.codings),
        ...(reasonText ? { text: reasonText } : {}),
      },
      ...(question ? { question } : {}),
      ...(priority ? { priority } : {}),
      ...(neededBy ? { neededBy } : {}),
      ...(consent ? { consent } : {}),
      attachments: observations.documents.map(attachmentOf),
      notes: [...noteReasons, ...notes],
    },
    problems,
  );
}

