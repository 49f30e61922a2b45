/**
 * An order status update (OSU^O51, 360X): the requester's cancellation (ORC-1 CA, with the ORC-16 reason), or any
 * other order control / status (tables 0119 and 0038, see hl7-tables.ts), including the answers txgate builds
 * (build-osu-o51.ts): ORC-19 the expert who acted, OBX FT the opinion, OBX ED its documents. Not a request.
 */
import type { Identifier, Practitioner } from '../../domain/canonical-request.ts';
import type { Problem, Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { fieldAt, getSegment } from './get-value.ts';
import { HL7_CODES, hl7Problem, strictResult, type Hl7Reading } from './hl7-problem.ts';
import { eventOfOrder, type OrderEvent } from './hl7-tables.ts';
import { readCwe, readDtm, readEi, textOf, toIdentifier } from './read-data-types.ts';
import { readMessageHeader } from './read-message-header.ts';
import { readNotes, readObservations, type ObservationDocument } from './read-observations.ts';
import { readPatient, type PatientInput } from './read-patient.ts';
import { readXcnPractitioner } from './read-practitioner.ts';

export interface OrderStatusUpdate {
  /** MSH-10 */
  messageId: string;
  /** MSH-7 */
  sentAt?: string;
  /** ORC-2: the referral id the update is about */
  referral: Identifier;
  /** ORC-1 and ORC-5 as sent */
  orderControl: string;
  orderStatus?: string;
  event: OrderEvent;
  /** ORC-9 date/time of the transaction */
  at?: string;
  /** ORC-16 order control code reason (its text) */
  reason?: string;
  /** ORC-12 */
  orderingProvider?: Practitioner;
  /** ORC-19: who did it (the expert, in txgate's answers) */
  actionBy?: Practitioner;
  patient?: PatientInput;
  /** OBX text and documents (a finalized or corrected opinion) */
  opinion?: { text?: string; documents: ObservationDocument[] };
  notes: string[];
}

export function parseOsuO51(message: Er7Message): Result<OrderStatusUpdate> {
  return strictResult(readOsuO51(message));
}

export function readOsuO51(message: Er7Message): Hl7Reading<OrderStatusUpdate> {
  const problems: Problem[] = [];
  const header = readMessageHeader(message, problems);
  if (header.messageCode !== 'OSU' || header.triggerEvent !== 'O51') {
    problems.push(hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', 'an order status update is an OSU^O51'));
  }
  const orc = getSegment(message, 'ORC');
  if (!orc) {
    problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'ORC', 'the order (ORC) is required'));
    return { value: undefined, problems };
  }
  const control = textOf(fieldAt(orc, 1)[0], 1).toUpperCase();
  const status = textOf(fieldAt(orc, 5)[0], 1).toUpperCase();
  const observations = readObservations(message, problems);
  const corrected = observations.resultStatuses.some((s) => s.toUpperCase() === 'C');
  const event = eventOfOrder(control, status, corrected);
  if (!control) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'ORC-1', 'the order control code is required'));
  else if (!event) problems.push(hl7Problem(HL7_CODES.UNKNOWN_CODE, 'ORC-1', `order control '${control.slice(0, 8)}'${status ? ` with status '${status.slice(0, 8)}'` : ''} is not one this gateway maps`));

  const placer = readEi(fieldAt(orc, 2)[0]);
  const referral = placer && toIdentifier(placer, 'ORC-2', problems);
  if (!placer) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'ORC-2', 'the placer order number (the referral id) is required'));

  const at = readDtm(fieldAt(orc, 9)[0], 'ORC-9', problems, true);
  const reason = readCwe(fieldAt(orc, 16)[0]);
  const reasonText = reason.text ?? reason.codings[0]?.code;
  const orderingProvider = readXcnPractitioner(fieldAt(orc, 12)[0], 'ORC-12', problems);
  const actionBy = readXcnPractitioner(fieldAt(orc, 19)[0], 'ORC-19', problems);
  const patient = readPatient(message, problems, false);
  const { notes, reasons } = readNotes(message);
  const text = observations.texts.join('\n\n');
  const hasOpinion = text !== '' || observations.documents.length > 0;

  if (!referral || !event) return { value: undefined, problems };
  return {
    value: {
      messageId: header.controlId,
      ...(header.sentAt ? { sentAt: header.sentAt } : {}),
      referral,
      orderControl: control,
      ...(status ? { orderStatus: status } : {}),
      event,
      ...(at ? { at: at.iso } : {}),
      ...(reasonText ? { reason: reasonText } : reasons[0] ? { reason: reasons[0] } : {}),
      ...(orderingProvider ? { orderingProvider } : {}),
      ...(actionBy ? { actionBy } : {}),
      ...(patient ? { patient } : {}),
      ...(hasOpinion ? { opinion: { ...(text ? { text } : {}), documents: observations.documents } } : {}),
      notes,
    },
    problems,
  };
}
