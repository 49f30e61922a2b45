/**
 * HL7 v2 payloads: the public surface of src/payload/hl7v2.
 *
 * - ER7 structure: parseEr7 / readEr7 (bytes → structure, every problem with its HL7 path), buildEr7 (structure →
 *   bytes), getValue / getField ('PID-3[2].4.1'), escapes, HL7 dates, the make* constructors.
 * - Requests: parseHl7v2Request (OMG^O19 360X, REF^I12 → the canonical request).
 * - Everything txgate takes: parseHl7v2Message (adds OSU^O51 status updates, SIU appointments, RRI^I12 responses).
 * - Answers: buildOsuO51 (360X), buildRriI12 (REF), from the request, the answer and the request's header.
 */
export type { Er7Charset, Er7Component, Er7Delimiters, Er7Field, Er7Message, Er7Repetition, Er7Segment } from './er7-types.ts';
export { STANDARD_DELIMITERS } from './er7-types.ts';
export { parseEr7, readEr7, type Er7Reading, type ParseEr7Options } from './parse-er7.ts';
export { buildEr7, buildEr7Text, type BuildEr7Options } from './build-er7.ts';
export { fieldAt, getField, getSegment, getSegments, getValue, parseEr7Path, valueAt, type Er7Path } from './get-value.ts';
export { escapeEr7, unescapeEr7, type EscapeIssue } from './escape.ts';
export { formatHl7Date, parseHl7Date, type Hl7Date, type Hl7DatePrecision, type Hl7DateResult } from './hl7-date.ts';
export { makeComponent, makeField, makeMessage, makeRepeatedField, makeRepetition, makeSegment, trimField, type Er7ComponentInput } from './make-er7.ts';
export { HL7_CODES, formatHl7Path, type Hl7Code, type Hl7Reading } from './hl7-problem.ts';
export type { OrderEvent, ReferralResponseKind } from './hl7-tables.ts';
export { readMessageHeader, type Hl7MessageHeader } from './read-message-header.ts';
export { readObservationDocuments, readObservations, type ObservationDocument, type Observations } from './read-observations.ts';
export { parse360xRequest, type Hl7v2RequestOptions } from './parse-360x.ts';
export { parseRefI12 } from './parse-ref-i12.ts';
export { parseOsuO51, readOsuO51, type OrderStatusUpdate } from './parse-osu-o51.ts';
export { parseSiu, readSiu, type AppointmentEvent, type AppointmentEventKind } from './parse-siu.ts';
export { parseRriI12, readRriI12, type ReferralResponse } from './parse-rri-i12.ts';
export { mapHl7v2Request, messageTypeOf, parseHl7v2Request } from './parse-hl7v2-request.ts';
export { parseHl7v2Message, type Hl7v2Payload } from './parse-hl7v2-message.ts';
export { buildOsuO51 } from './build-osu-o51.ts';
export { buildRriI12 } from './build-rri-i12.ts';
