/**
 * An expert's answer said by their software: an HL7 v2 OSU^O51 (360X) or RRI^I12 attached to the reply, or a FHIR
 * Task (with its Communication or note, and the opinion's document Bundle). What an attachment that is no answer
 * (the original request quoted back, an appointment) gives nothing, so that the mail's text is read instead.
 * Pure; the project's HL7 and FHIR readers do the parsing.
 *
 * HL7 events (hl7-tables.ts) → verbs: accepted and in-progress → accept; declined, cancelled and discontinued (the
 * expert giving the case up) → decline; information-requested and on-hold → ask; finalized → opinion; corrected →
 * correction. RRI^I12 kinds likewise. FHIR Task.status: accepted and in-progress → accept; rejected and cancelled →
 * decline; on-hold → ask; completed → opinion, or correction when Task.businessStatus says corrected or the
 * Composition is amended (or its version is above 1). Draft, requested, received and ready Tasks, and any Bundle
 * holding a ServiceRequest, are the request itself.
 */
import type { Identifier } from '../domain/canonical-request.ts';
import type { Problem } from '../errors/result.ts';
import { ANSWER_KIND_SYSTEM } from '../payload/fhir/fhir-codes.ts';
import { getObject, getObjects, getString, isObject, type JsonObject } from '../payload/fhir/fhir-json.ts';
import { parseFhirAnswer } from '../payload/fhir/parse-fhir-answer.ts';
import { decodeStrictBase64 } from '../payload/strict-base64.ts';
import { parseCodings, parseIdentifier } from '../payload/fhir/parse-fhir-datatypes.ts';
import type { OrderEvent, ReferralResponseKind } from '../payload/hl7v2/hl7-tables.ts';
import { parseHl7v2Message } from '../payload/hl7v2/parse-hl7v2-message.ts';
import { messageTypeOf } from '../payload/hl7v2/parse-hl7v2-request.ts';
import { readEr7 } from '../payload/hl7v2/parse-er7.ts';
import type { ObservationDocument } from '../payload/hl7v2/read-observations.ts';
import type { PayloadPart } from '../payload/mime/find-payload.ts';
import { buildPayloadDocument, type PayloadDocument } from '../payload/mime/payload-document.ts';
import type { ReplyVerb } from './reply-verbs.ts';
import { parseIJson } from '../payload/fhir/parse-i-json.ts';

export interface StructuredReply {
  verb: ReplyVerb;
  text?: string;
  documents: PayloadDocument[];
  source: 'hl7v2' | 'fhir';
  referral?: Identifier;
  /** the MIME part(s) it was read from */
  path: string;
}

/** `none` with a document: an attachment of the dialect that is neither an answer nor the request (an ORU^R01 result). */
export type StructuredReading = { kind: 'reply'; reply: StructuredReply } | { kind: 'none'; document?: PayloadDocument } | { kind: 'invalid'; problems: Problem[] };

const VERB_OF_EVENT: Partial<Record<OrderEvent | ReferralResponseKind, ReplyVerb>> = {
  accepted: 'accept',
  'in-progress': 'accept',
  declined: 'decline',
  cancelled: 'decline',
  discontinued: 'decline',
  'information-requested': 'ask',
  'on-hold': 'ask',
  finalized: 'opinion',
  corrected: 'correction',
};

const VERB_OF_TASK_STATUS: Readonly<Record<string, ReplyVerb>> = {
  accepted: 'accept',
  'in-progress': 'accept',
  rejected: 'decline',
  cancelled: 'decline',
  'on-hold': 'ask',
  completed: 'opinion',
};

/** Task statuses of a request not yet answered: such a Task is the original request quoted back. */
const REQUEST_TASK_STATUSES = new Set(['draft', 'requested', 'received', 'ready']);

function nonEmpty(...texts: Array<string | undefined>): string | undefined {
  const t = texts
    .filter((s): s is string => s !== undefined && s.trim() !== '')
    .join('\n\n')
    .trim();
  return t === '' ? undefined : t;
}

function documentsOf(docs: readonly ObservationDocument[]): PayloadDocument[] {
  return docs.map((d) => buildPayloadDocument(Buffer.from(d.data, 'base64'), { contentType: d.contentType }));
}

function withPath(problems: readonly Problem[], prefix: string): Problem[] {
  return problems.map((p) => ({ ...p, path: `${prefix}:${p.path}` }));
}

const ANSWER_TYPES = new Set(['OSU^O51', 'RRI^I12']);
const REQUEST_TYPES = /^(OMG\^O19|REF\^I12|SIU\^S\d\d)$/;

/**
 * One HL7 v2 part: an OSU^O51 or RRI^I12 is an answer; a request or an appointment (the original quoted back) is
 * ignored; any other message (a lab result…) is a document of the reply; bytes that are no HL7 message, problems.
 */
export function readHl7v2Reply(part: PayloadPart): StructuredReading {
  const reading = readEr7(part.bytes);
  if (!reading.message) return { kind: 'invalid', problems: withPath(reading.problems, part.path) };
  const type = messageTypeOf(reading.message);
  if (!ANSWER_TYPES.has(type)) {
    if (REQUEST_TYPES.test(type)) return { kind: 'none' };
    return { kind: 'none', document: buildPayloadDocument(part.bytes, { contentType: part.contentType, ...(part.name ? { name: part.name } : {}) }) };
  }
  const parsed = parseHl7v2Message(part.bytes);
  if (!parsed.ok) return { kind: 'invalid', problems: withPath(parsed.problems, part.path) };
  const payload = parsed.value;
  if (payload.kind === 'order-status') {
    const u = payload.update;
    const verb = VERB_OF_EVENT[u.event];
    if (!verb) return unsupported(part.path, `ORC-1 ${u.orderControl}${u.orderStatus ? `/ORC-5 ${u.orderStatus}` : ''} (${u.event}) is not an expert's answer`);
    const notes = nonEmpty(...u.notes);
    const text = verb === 'opinion' || verb === 'correction' ? u.opinion?.text : verb === 'accept' ? notes : nonEmpty(u.reason) ?? notes;
    return reply({ verb, text, documents: documentsOf(u.opinion?.documents ?? []), source: 'hl7v2', referral: u.referral, path: part.path });
  }
  if (payload.kind === 'referral-response') {
    const r = payload.response;
    const verb = VERB_OF_EVENT[r.kind];
    if (!verb) return unsupported(part.path, `RF1-1 ${r.status} (${r.kind}) is not an expert's answer`);
    const notes = nonEmpty(...r.notes);
    const text = verb === 'opinion' || verb === 'correction' ? r.opinion?.text : verb === 'accept' ? notes : nonEmpty(r.reason) ?? notes;
    return reply({ verb, text, documents: documentsOf(r.opinion?.documents ?? []), source: 'hl7v2', referral: r.referral ?? r.externalIds[0], path: part.path });
  }
  return { kind: 'none' };
}

function unsupported(path: string, message: string): StructuredReading {
  return { kind: 'invalid', problems: [{ code: 'REPLY_UNSUPPORTED_STATUS', path, message }] };
}

function reply(r: { verb: ReplyVerb; text: string | undefined; documents: PayloadDocument[]; source: 'hl7v2' | 'fhir'; referral: Identifier | undefined; path: string }): StructuredReading {
  const text = nonEmpty(r.text);
  return {
    kind: 'reply',
    reply: { verb: r.verb, ...(text ? { text } : {}), documents: r.documents, source: r.source, ...(r.referral ? { referral: r.referral } : {}), path: r.path },
  };
}

interface FhirFound {
  tasks: Array<{ task: JsonObject; path: string }>;
  communications: JsonObject[];
  documents: Array<{ bundle: JsonObject; path: string }>;
  problems: Problem[];
}

/** Tasks, Communications and document Bundles of the FHIR parts (each a resource, or a Bundle of them). */
function collectFhir(parts: readonly PayloadPart[]): FhirFound {
  const found: FhirFound = { tasks: [], communications: [], documents: [], problems: [] };
  const visit = (resource: unknown, path: string, depth: number): void => {
    if (!isObject(resource) || depth > 2) return;
    const type = getString(resource, 'resourceType');
    if (type === 'Task') found.tasks.push({ task: resource, path });
    else if (type === 'Communication') found.communications.push(resource);
    else if (type === 'Bundle' && getString(resource, 'type') === 'document') found.documents.push({ bundle: resource, path });
    else if (type === 'Bundle') {
      const entries = getObjects(resource, 'entry');
      // a Bundle with a ServiceRequest is a request (the original, sent back with the reply): none of it answers
      if (entries.some(({ value }) => getString(getObject(value, 'resource'), 'resourceType') === 'ServiceRequest')) return;
      entries.forEach(({ value, index }) => visit(value.resource, `${path}.entry[${index}]`, depth + 1));
    }
  };
  for (const part of parts) {
    const read = parseIJson(part.bytes);
    if (!read.ok) {
      found.problems.push({ code: 'REPLY_PAYLOAD_INVALID', path: part.path, message: read.reason === 'malformed' ? 'the FHIR attachment is not JSON in UTF-8' : 'the FHIR attachment has an object with two members of one name' });
      continue;
    }
    visit(read.value, part.path, 0);
  }
  return found;
}

/** The FHIR parts of a reply: one Task that answers (or, without one, an opinion's document Bundle). */
export function readFhirReply(parts: readonly PayloadPart[]): StructuredReading {
  if (parts.length === 0) return { kind: 'none' };
  const found = collectFhir(parts);
  const answers = found.tasks.filter(({ task }) => !REQUEST_TASK_STATUSES.has(getString(task, 'status') ?? ''));
  if (answers.length > 1) {
    return { kind: 'invalid', problems: answers.map(({ path }) => ({ code: 'REPLY_AMBIGUOUS', path, message: 'more than one Task answers the request' })) };
  }
  if (found.documents.length > 1) {
    return { kind: 'invalid', problems: found.documents.map(({ path }) => ({ code: 'REPLY_AMBIGUOUS', path, message: 'more than one opinion document' })) };
  }
  const document = found.documents[0];
  const problems = [...found.problems];
  const opinion = document ? readOpinionDocument(document.bundle, document.path, problems) : undefined;
  if (problems.length > 0) return { kind: 'invalid', problems };
  const answer = answers[0];
  if (!answer) {
    if (!opinion) return { kind: 'none' };
    return reply({ verb: opinion.corrected ? 'correction' : 'opinion', text: opinion.text, documents: opinion.documents, source: 'fhir', referral: undefined, path: document!.path });
  }
  const { task, path } = answer;
  const status = getString(task, 'status') ?? '';
  let verb = VERB_OF_TASK_STATUS[status];
  if (!verb) return unsupported(path, `Task.status '${status.slice(0, 24)}' is not an expert's answer`);
  const kind = parseCodings(getObject(task, 'businessStatus')).find((c) => c.system === ANSWER_KIND_SYSTEM)?.code;
  if (verb === 'opinion' && (kind === 'corrected' || opinion?.corrected)) verb = 'correction';
  const notes = nonEmpty(...getObjects(task, 'note').map(({ value }) => getString(value, 'text')));
  const said = nonEmpty(...found.communications.flatMap((c) => getObjects(c, 'payload').map(({ value }) => getString(value, 'contentString'))));
  const reason = nonEmpty(getString(getObject(task, 'statusReason'), 'text') ?? parseCodings(getObject(task, 'statusReason'))[0]?.display);
  const output = nonEmpty(...getObjects(task, 'output').map(({ value }) => getString(value, 'valueString')));
  const documents = [...(opinion?.documents ?? []), ...attachmentsOf(task, problems), ...found.communications.flatMap((c) => attachmentsOf(c, problems))];
  if (problems.length > 0) return { kind: 'invalid', problems };
  const text =
    verb === 'opinion' || verb === 'correction'
      ? (output ?? opinion?.text)
      : verb === 'decline'
        ? (reason ?? notes ?? said)
        : verb === 'ask'
          ? (said ?? reason ?? notes)
          : notes;
  return reply({ verb, text, documents, source: 'fhir', referral: referralOf(task), path });
}

/** Task.basedOn, else Task.focus, else the Task's `usual` identifier: the referral it answers. */
function referralOf(task: JsonObject): Identifier | undefined {
  const candidates = [
    ...getObjects(task, 'basedOn').map(({ value }) => getObject(value, 'identifier')),
    getObject(getObject(task, 'focus'), 'identifier'),
    getObjects(task, 'identifier').find(({ value }) => getString(value, 'use') === 'usual')?.value,
  ];
  for (const c of candidates) {
    if (!c) continue;
    const id = parseIdentifier(c, 'Task', []);
    if (id) return id;
  }
  return undefined;
}

/** Documents given inline: Task.output valueAttachment, Communication.payload contentAttachment (base64 data). */
function attachmentsOf(resource: JsonObject, problems: Problem[]): PayloadDocument[] {
  const attachments = [
    ...getObjects(resource, 'output').map(({ value }) => getObject(value, 'valueAttachment')),
    ...getObjects(resource, 'payload').map(({ value }) => getObject(value, 'contentAttachment')),
  ];
  return attachments.flatMap((a) => {
    const data = getString(a, 'data');
    if (!a || data === undefined) return [];
    const bytes = decodeStrictBase64(data);
    if (!bytes) {
      problems.push({ code: 'REPLY_PAYLOAD_INVALID', path: `${getString(resource, 'resourceType')}.attachment`, message: 'attachment data is not base64' });
      return [];
    }
    const contentType = getString(a, 'contentType');
    const name = getString(a, 'title');
    return [buildPayloadDocument(bytes, { ...(contentType ? { contentType } : {}), ...(name ? { name } : {}) })];
  });
}

interface OpinionDocument {
  text?: string;
  documents: PayloadDocument[];
  corrected: boolean;
}

/**
 * The opinion's document Bundle, read by parseFhirAnswer (the reader of the Bundle buildFhirAnswer makes), handed a
 * minimal completed Task: the Bundle's reader is private to it and reads only through a Task.
 */
function readOpinionDocument(bundle: JsonObject, path: string, problems: Problem[]): OpinionDocument | undefined {
  const composition = getObject(getObjects(bundle, 'entry')[0]?.value, 'resource');
  const timestamp = getString(bundle, 'timestamp') ?? getString(composition, 'date');
  const carrier = {
    resourceType: 'Task',
    id: 'reply',
    status: 'completed',
    lastModified: timestamp && /^\d{4}-\d{2}-\d{2}T/.test(timestamp) ? timestamp : '1970-01-01T00:00:00Z',
    contained: [{ resourceType: 'Practitioner', id: 'expert' }],
    owner: { reference: '#expert' },
  };
  const read = parseFhirAnswer(carrier, bundle);
  if (!read.ok) {
    problems.push(...read.problems.filter((p) => !p.path.startsWith('Task')).map((p) => ({ ...p, path: `${path}:${p.path}` })));
    if (problems.length === 0) problems.push({ code: 'REPLY_PAYLOAD_INVALID', path, message: 'the opinion document cannot be read' });
    return undefined;
  }
  const opinion = read.value.opinion;
  return {
    ...(opinion?.text ? { text: opinion.text } : {}),
    documents: (opinion?.documents ?? []).map((d) => buildPayloadDocument(Buffer.from(d.data, 'base64'), { contentType: d.contentType, ...(d.name ? { name: d.name } : {}) })),
    corrected: getString(composition, 'status') === 'amended' || (opinion?.version ?? 1) > 1,
  };
}
