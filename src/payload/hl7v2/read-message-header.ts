/**
 * What the MSH segment says: who sent it to whom (kept as fields, so that an answer can swap them exactly), the
 * message type, control id, version, character set and profiles. Answers are built from the request's header.
 */
import type { Problem } from '../../errors/result.ts';
import type { Er7Field, Er7Message } from './er7-types.ts';
import { fieldAt, valueAt } from './get-value.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { readDtm, textOf } from './read-data-types.ts';

export interface Hl7MessageHeader {
  sendingApplication: Er7Field;
  sendingFacility: Er7Field;
  receivingApplication: Er7Field;
  receivingFacility: Er7Field;
  /** MSH-7 as ISO, when valid */
  sentAt?: string;
  /** MSH-9.1, MSH-9.2, MSH-9.3: OMG, O19, OMG_O19 */
  messageCode: string;
  triggerEvent: string;
  messageStructure: string;
  /** MSH-10 */
  controlId: string;
  /** MSH-11 (P, T, D) */
  processingId: string;
  /** MSH-12 */
  version: string;
  /** MSH-15, MSH-16 */
  acceptAckType: string;
  applicationAckType: string;
  /** MSH-18 as written ('' = ASCII) */
  characterSet: string;
  /** MSH-21 entity identifiers (360X…) */
  profiles: string[];
}

/** The header, with a problem for each required part that is missing or invalid (MSH-7, MSH-9, MSH-10, MSH-12). */
export function readMessageHeader(message: Er7Message, problems: Problem[]): Hl7MessageHeader {
  const msh = message.segments[0]!;
  const type = fieldAt(msh, 9)[0];
  const sent = readDtm(fieldAt(msh, 7)[0], 'MSH-7', problems, true);
  const header: Hl7MessageHeader = {
    sendingApplication: fieldAt(msh, 3),
    sendingFacility: fieldAt(msh, 4),
    receivingApplication: fieldAt(msh, 5),
    receivingFacility: fieldAt(msh, 6),
    ...(sent ? { sentAt: sent.iso } : {}),
    messageCode: textOf(type, 1),
    triggerEvent: textOf(type, 2),
    messageStructure: textOf(type, 3),
    controlId: valueAt(msh, 10).trim(),
    processingId: valueAt(msh, 11).trim(),
    version: valueAt(msh, 12).trim(),
    acceptAckType: valueAt(msh, 15).trim(),
    applicationAckType: valueAt(msh, 16).trim(),
    characterSet: valueAt(msh, 18).trim(),
    profiles: fieldAt(msh, 21)
      .map((rep) => textOf(rep, 1))
      .filter((p) => p !== ''),
  };
  if (!valueAt(msh, 7)) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'MSH-7', 'the date/time of the message is required'));
  if (!header.messageCode || !header.triggerEvent) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'MSH-9', 'the message type and trigger event are required'));
  if (!header.controlId) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'MSH-10', 'the message control id is required'));
  if (!header.version) problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'MSH-12', 'the version id is required'));
  return header;
}
