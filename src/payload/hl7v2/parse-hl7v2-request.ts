/**
 * The bytes of an HL7 v2 referral request to the canonical request, dispatched on MSH-9: OMG^O19 → IHE 360X
 * (parse-360x.ts), REF^I12 → classic referral (parse-ref-i12.ts). Any other message type is a problem (status
 * updates, appointments and responses are not requests: parseHl7v2Message reads those). The problems of the
 * bytes (parse-er7.ts) and of the mapping are listed together.
 */
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import { fail, type Problem, type Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { fieldAt } from './get-value.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { parse360xRequest, type Hl7v2RequestOptions } from './parse-360x.ts';
import { readEr7 } from './parse-er7.ts';
import { parseRefI12 } from './parse-ref-i12.ts';
import { textOf } from './read-data-types.ts';

export function parseHl7v2Request(bytes: Uint8Array | string, options: Hl7v2RequestOptions = {}): Result<CanonicalRequest> {
  const reading = readEr7(bytes);
  if (!reading.message) return fail(...reading.problems);
  const type = messageTypeOf(reading.message);
  if (type !== 'OMG^O19' && type !== 'REF^I12') {
    return fail(...reading.problems, hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', 'not a referral request (OMG^O19 or REF^I12)'));
  }
  return mapHl7v2Request(reading.message, reading.problems, options);
}

/** MSH-9.1^MSH-9.2 of a parsed message: OMG^O19, REF^I12… ('' when absent). */
export function messageTypeOf(message: Er7Message): string {
  const type = fieldAt(message.segments[0]!, 9)[0];
  const code = textOf(type, 1);
  const event = textOf(type, 2);
  return code && event ? `${code}^${event}` : '';
}

/** The request of a parsed OMG^O19 or REF^I12, failing with the structural problems found before and the mapping's. */
export function mapHl7v2Request(message: Er7Message, structural: Problem[], options: Hl7v2RequestOptions = {}): Result<CanonicalRequest> {
  const mapped = messageTypeOf(message) === 'REF^I12' ? parseRefI12(message, options) : parse360xRequest(message, options);
  if (!mapped.ok) return fail(...structural, ...mapped.problems);
  return structural.length > 0 ? fail(...structural) : mapped;
}
