/**
 * Any HL7 v2 payload txgate takes, dispatched on MSH-9: OMG^O19 (360X referral request) and REF^I12 (referral
 * request) to the canonical request; OSU^O51 (order status), SIU^S12–S17/S26 (appointments) and RRI^I12
 * (referral response) to their own small results. Every problem of the bytes and of the mapping is listed.
 */
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { HL7_CODES, hl7Problem, type Hl7Reading } from './hl7-problem.ts';
import type { Hl7v2RequestOptions } from './parse-360x.ts';
import { readEr7 } from './parse-er7.ts';
import { readOsuO51, type OrderStatusUpdate } from './parse-osu-o51.ts';
import { mapHl7v2Request, messageTypeOf } from './parse-hl7v2-request.ts';
import { readRriI12, type ReferralResponse } from './parse-rri-i12.ts';
import { readSiu, type AppointmentEvent } from './parse-siu.ts';

export type Hl7v2Payload =
  | { kind: 'request'; request: CanonicalRequest; message: Er7Message }
  | { kind: 'order-status'; update: OrderStatusUpdate; message: Er7Message }
  | { kind: 'appointment'; appointment: AppointmentEvent; message: Er7Message }
  | { kind: 'referral-response'; response: ReferralResponse; message: Er7Message };

function fromReading<T, P>(structural: Problem[], reading: Hl7Reading<T>, wrap: (value: T) => P): Result<P> {
  const problems = [...structural, ...reading.problems];
  if (reading.value === undefined || problems.length > 0) return fail(...problems);
  return ok(wrap(reading.value));
}

export function parseHl7v2Message(bytes: Uint8Array | string, options: Hl7v2RequestOptions = {}): Result<Hl7v2Payload> {
  const reading = readEr7(bytes);
  const message = reading.message;
  if (!message) return fail(...reading.problems);
  const type = messageTypeOf(message);
  switch (type) {
    case 'OMG^O19':
    case 'REF^I12': {
      const r = mapHl7v2Request(message, reading.problems, options);
      return r.ok ? ok({ kind: 'request', request: r.value, message }) : r;
    }
    case 'OSU^O51':
      return fromReading(reading.problems, readOsuO51(message), (update) => ({ kind: 'order-status' as const, update, message }));
    case 'RRI^I12':
      return fromReading(reading.problems, readRriI12(message), (response) => ({ kind: 'referral-response' as const, response, message }));
    default:
      if (/^SIU\^S(1[2-7]|26)$/.test(type)) {
        return fromReading(reading.problems, readSiu(message), (appointment) => ({ kind: 'appointment' as const, appointment, message }));
      }
      return fail(
        ...reading.problems,
        type
          ? hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', `message type ${type.slice(0, 16)} is not one txgate takes (OMG^O19, REF^I12, OSU^O51, SIU^S12–S17/S26, RRI^I12)`)
          : hl7Problem(HL7_CODES.MISSING_FIELD, 'MSH-9', 'the message type and trigger event are required'),
      );
  }
}
