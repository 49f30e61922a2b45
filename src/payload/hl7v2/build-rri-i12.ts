/**
 * The answer to a REF^I12, as an RRI^I12 (pure): MSA (AA, the REF's control id: optional in v2.4, written so the
 * requester can correlate), RF1 (RF1-1 status per answer kind: accepted/finalized/corrected A, declined R,
 * information requested P, cancelled C (a local code of user-defined table 0283); RF1-2 the request's priority;
 * RF1-6 the original referral id; RF1-9 the answer's time; RF1-11 txgate's id), PRD CP (the expert) and RP
 * (the requester), PID, a finalized or corrected opinion as OBR + OBX FT + OBX ED, and the reason (declined,
 * cancelled, the question asked) as an NTE of comment type 1R (primary reason, table 0364).
 */
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import type { Answer } from '../../domain/answer.ts';
import { buildEr7 } from './build-er7.ts';
import { CONSULT_NOTE, eiOf, mshOf, obxOfOpinion, pidOf, prdOf, withCharset } from './build-answer-segments.ts';
import type { Er7Segment } from './er7-types.ts';
import { formatHl7Date } from './hl7-date.ts';
import { CODE_OF_PRIORITY, PROVIDER_ROLE, REFERRAL_STATUS_OF_ANSWER } from './hl7-tables.ts';
import { makeField, makeMessage, makeSegment } from './make-er7.ts';
import type { Hl7MessageHeader } from './read-message-header.ts';

/** Throws a RangeError when `answer.at` is not ISO 8601. */
export function buildRriI12(request: CanonicalRequest, answer: Answer, header: Hl7MessageHeader): Buffer {
  const at = formatHl7Date(answer.at);
  const [status, statusText] = REFERRAL_STATUS_OF_ANSWER[answer.kind];
  const referral = request.ids.sender;
  const segments: Er7Segment[] = [mshOf(header, answer, { type: ['RRI', 'I12', 'RRI_I12'], defaultVersion: '2.4', is360x: false })];
  if (header.controlId) segments.push(makeSegment('MSA', { 1: makeField('AA'), 2: makeField(header.controlId) }));
  segments.push(
    makeSegment('RF1', {
      1: makeField(status, statusText, status === 'C' ? 'L' : 'HL70283'),
      2: makeField(CODE_OF_PRIORITY[request.priority], '', 'HL70280'),
      6: referral ? [eiOf(referral)] : [],
      9: makeField(at),
      11: request.ids.txgate ? makeField(request.ids.txgate, 'TXGATE') : [],
    }),
  );
  segments.push(prdOf([PROVIDER_ROLE.consulting, 'Consulting Provider'], answer.expert));
  segments.push(prdOf([PROVIDER_ROLE.referring, 'Referring Provider'], request.requester));
  segments.push(pidOf(request.patient));
  if ((answer.kind === 'finalized' || answer.kind === 'corrected') && answer.opinion) {
    const resultStatus = answer.kind === 'corrected' ? 'C' : 'F';
    segments.push(
      makeSegment('OBR', {
        1: makeField('1'),
        2: referral ? [eiOf(referral)] : [],
        4: makeField(...CONSULT_NOTE),
        7: makeField(at),
        22: makeField(at),
        25: makeField(resultStatus),
      }),
      ...obxOfOpinion(answer.opinion, resultStatus),
    );
  }
  if (answer.reason && answer.kind !== 'accepted' && answer.kind !== 'finalized' && answer.kind !== 'corrected') {
    segments.push(makeSegment('NTE', { 1: makeField('1'), 3: makeField(answer.reason), 4: makeField('1R', 'Primary Reason', 'HL70364') }));
  }
  return buildEr7(withCharset(makeMessage(segments)));
}
