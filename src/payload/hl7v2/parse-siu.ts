/**
 * A scheduling notification (SIU^S12 new appointment … SIU^S26 no-show, 360X) recorded against its referral:
 * SCH-2 filler appointment id (else SCH-1 placer's), SCH-26 placer order number (= the referral id), SCH-6 event
 * reason, TQ1-7/TQ1-8 start and end (else SCH-11 components 4 and 5), the trigger event. Not a request.
 */
import type { Coding, Identifier } from '../../domain/canonical-request.ts';
import type { Problem, Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { fieldAt, getSegment } from './get-value.ts';
import { HL7_CODES, hl7Problem, strictResult, type Hl7Reading } from './hl7-problem.ts';
import { parseHl7Date } from './hl7-date.ts';
import { readCwe, readDtm, readEi, textOf, toIdentifier } from './read-data-types.ts';
import { readMessageHeader } from './read-message-header.ts';
import { readPatient, type PatientInput } from './read-patient.ts';
import { lookup } from './lookup.ts';

export type AppointmentEventKind = 'booked' | 'rescheduled' | 'modified' | 'cancelled' | 'discontinued' | 'deleted' | 'no-show';

const EVENTS: Readonly<Record<string, AppointmentEventKind>> = {
  S12: 'booked',
  S13: 'rescheduled',
  S14: 'modified',
  S15: 'cancelled',
  S16: 'discontinued',
  S17: 'deleted',
  S26: 'no-show',
};

export interface AppointmentEvent {
  messageId: string;
  sentAt?: string;
  /** MSH-9.2: S12, S26… */
  trigger: string;
  event: AppointmentEventKind;
  /** SCH-2 (filler) or SCH-1 (placer) appointment id */
  appointment: Identifier;
  /** SCH-26: the referral the appointment is for */
  referral: Identifier;
  start?: string;
  end?: string;
  reason?: { codings: Coding[]; text?: string };
  patient?: PatientInput;
}

export function parseSiu(message: Er7Message): Result<AppointmentEvent> {
  return strictResult(readSiu(message));
}

export function readSiu(message: Er7Message): Hl7Reading<AppointmentEvent> {
  const problems: Problem[] = [];
  const header = readMessageHeader(message, problems);
  const event = header.messageCode === 'SIU' ? lookup(EVENTS, header.triggerEvent) : undefined;
  if (!event) problems.push(hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', 'an appointment notification is an SIU^S12 to S17 or S26'));
  const sch = getSegment(message, 'SCH');
  if (!sch) {
    problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'SCH', 'the schedule activity (SCH) is required'));
    return { value: undefined, problems };
  }
  const filler = readEi(fieldAt(sch, 2)[0]);
  const placer = readEi(fieldAt(sch, 1)[0]);
  const appointment = filler ? toIdentifier(filler, 'SCH-2', problems) : placer ? toIdentifier(placer, 'SCH-1', problems) : undefined;
  if (!filler && !placer) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'SCH-2', 'the appointment id is required'));
  const order = readEi(fieldAt(sch, 26)[0]);
  const referral = order && toIdentifier(order, 'SCH-26', problems);
  if (!order) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'SCH-26', 'the placer order number (the referral id) is required'));

  const tq1 = getSegment(message, 'TQ1');
  let start = tq1 ? readDtm(fieldAt(tq1, 7)[0], 'TQ1-7', problems, true)?.iso : undefined;
  let end = tq1 ? readDtm(fieldAt(tq1, 8)[0], 'TQ1-8', problems, true)?.iso : undefined;
  if (!tq1) {
    const timing = fieldAt(sch, 11)[0];
    const s = parseHl7Date(textOf(timing, 4));
    const e = parseHl7Date(textOf(timing, 5));
    start = s.ok ? s.value.iso : undefined;
    end = e.ok ? e.value.iso : undefined;
  }
  const reason = readCwe(fieldAt(sch, 6)[0]);
  const patient = readPatient(message, problems, false);

  if (!event || !appointment || !referral) return { value: undefined, problems };
  return {
    value: {
      messageId: header.controlId,
      ...(header.sentAt ? { sentAt: header.sentAt } : {}),
      trigger: header.triggerEvent,
      event,
      appointment,
      referral,
      ...(start ? { start } : {}),
      ...(end ? { end } : {}),
      ...(reason.codings.length > 0 || reason.text ? { reason } : {}),
      ...(patient ? { patient } : {}),
    },
    problems,
  };
}
