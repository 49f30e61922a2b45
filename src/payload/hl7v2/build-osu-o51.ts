/**
 * The answer to a 360X referral, as an OSU^O51 (pure): ORC-1/ORC-5 per answer kind (hl7-tables.ts
 * ORDER_OF_ANSWER: accepted OK/IP, declined UA/CA, information requested SC/HD, finalized and corrected SC/CM,
 * cancelled OC/CA), ORC-2 the referral id so the requester can correlate, ORC-9 the answer's time, ORC-12 the
 * requester, ORC-16 the reason (declined, cancelled, the question asked), ORC-19 the expert; a finalized or
 * corrected opinion as OBR + OBX FT (the text) + OBX ED (each document, base64), OBX-11 F or C. MSH per 360X:
 * NE/NE, MSH-21 360X. See docs/decisions/0011-hl7v2-parser.md for the code choices.
 */
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import type { Answer } from '../../domain/answer.ts';
import { buildEr7 } from './build-er7.ts';
import { CONSULT_NOTE, eiOf, mshOf, obxOfOpinion, pidOf, withCharset, xcnOf } from './build-answer-segments.ts';
import type { Er7Segment } from './er7-types.ts';
import { formatHl7Date } from './hl7-date.ts';
import { ORDER_OF_ANSWER } from './hl7-tables.ts';
import { makeField, makeMessage, makeSegment } from './make-er7.ts';
import type { Hl7MessageHeader } from './read-message-header.ts';

/** Throws a RangeError when the request has no referral id (ids.sender) to answer to, or `answer.at` is not ISO 8601. */
export function buildOsuO51(request: CanonicalRequest, answer: Answer, header: Hl7MessageHeader): Buffer {
  const referral = request.ids.sender;
  if (!referral) throw new RangeError('the request has no referral id (ids.sender) to answer to');
  const { control, status } = ORDER_OF_ANSWER[answer.kind];
  const at = formatHl7Date(answer.at);
  const withReason = answer.kind === 'declined' || answer.kind === 'cancelled' || answer.kind === 'information-requested';
  const segments: Er7Segment[] = [mshOf(header, answer, { type: ['OSU', 'O51', 'OSU_O51'], defaultVersion: '2.5.1', is360x: true })];
  segments.push(pidOf(request.patient));
  segments.push(
    makeSegment('ORC', {
      1: makeField(control),
      2: [eiOf(referral)],
      5: makeField(status),
      9: makeField(at),
      12: [xcnOf(request.requester)],
      16: withReason && answer.reason ? makeField('', answer.reason) : [],
      19: [xcnOf(answer.expert)],
    }),
  );
  if ((answer.kind === 'finalized' || answer.kind === 'corrected') && answer.opinion) {
    const resultStatus = answer.kind === 'corrected' ? 'C' : 'F';
    segments.push(
      makeSegment('OBR', { 1: makeField('1'), 2: [eiOf(referral)], 4: makeField(...CONSULT_NOTE), 7: makeField(at), 22: makeField(at), 25: makeField(resultStatus) }),
      ...obxOfOpinion(answer.opinion, resultStatus),
    );
  }
  return buildEr7(withCharset(makeMessage(segments)));
}
