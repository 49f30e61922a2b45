/**
 * A FHIR R4 request Bundle (transaction or collection, JSON) to the canonical request, dialect 'fhir'.
 *
 * ServiceRequest: identifier → ids.sender; requester (Practitioner / PractitionerRole) → requester; performer →
 * requested.expert (Task.owner when there is no performer), performerType → requested.specialty; subject →
 * patient; reasonCode / reasonReference → reason; note → notes; priority; insurance → coverage; supportingInfo
 * (DocumentReference, Binary, Media) → attachments. Task (focus = the ServiceRequest): restriction.period.end →
 * neededBy, description → question. Consent (decision 0012). Communication: text → question or notes,
 * attachments → attachments. Every problem is listed with a FHIRPath-like path; references resolve inside the
 * Bundle only.
 */
import type { CanonicalRequest, CanonicalRequestInput, Coding, Consent, Patient, Practitioner } from '../../domain/canonical-request.ts';
import { fail, type Problem, type Result } from '../../errors/result.ts';
import type { PayloadDocument } from '../mime/payload-document.ts';
import { finishParsedRequest, requestOf, uniqueDocuments, type ParsedRequest } from '../mime/parsed-request.ts';
import { getObject, getObjects, getString, isObject, type JsonObject } from './fhir-json.ts';
import { indexBundle, resolveReference, type BundleIndex, type IndexedResource } from './index-bundle.ts';
import { DOCUMENT_TYPES, parseAttachment, parseDocumentResource } from './parse-fhir-attachment.ts';
import { parseConsentFlag, parseConsentResource } from './parse-fhir-consent.ts';
import { FHIR_DATE_TIME, firstCoding, parseCodings, parseEmail, parseIdentifier, parseIdentifiers } from './parse-fhir-datatypes.ts';
import { parsePatientResource } from './parse-fhir-patient.ts';
import { logicalIdentifier, parseOrganizationReference, parsePractitionerReference, parsePractitionerResource } from './parse-fhir-practitioner.ts';
import { parseIJson } from './parse-i-json.ts';

export interface FhirParseOptions {
  /** how the request arrived: 'fhir' (the REST API, the default) or 'smtp' (a FHIR payload in a secure mail) */
  channel?: 'smtp' | 'fhir';
  /** largest JSON accepted (default 30 MB) */
  maxBytes?: number;
  /** largest decoded document (default 20 MB) */
  maxDocumentBytes?: number;
}

export const DEFAULT_FHIR_MAX_BYTES = 30 * 1024 * 1024;
export const DEFAULT_FHIR_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

const BUNDLE_TYPES = ['transaction', 'collection'];
const REQUEST_STATUSES = ['draft', 'active'];
const INTENTS = ['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option'];
const PRIORITIES = ['routine', 'urgent', 'asap', 'stat'] as const;
const REASON_TYPES = ['Condition', 'Observation', 'DiagnosticReport', 'DocumentReference'];
const PERFORMER_TYPES = ['Practitioner', 'PractitionerRole', 'Organization', 'HealthcareService'];

/** The canonical request of a FHIR request Bundle. */
export function parseFhirRequest(bytes: Buffer, options: FhirParseOptions = {}): Result<CanonicalRequest> {
  return requestOf(parseFhirPayload(bytes, options));
}

/** The canonical request and its documents (with their bytes). */
export function parseFhirPayload(bytes: Buffer, options: FhirParseOptions = {}): Result<ParsedRequest> {
  const maxBytes = options.maxBytes ?? DEFAULT_FHIR_MAX_BYTES;
  if (bytes.length > maxBytes) return fail({ code: 'FHIR_TOO_LARGE', path: 'Bundle', message: `over ${maxBytes} bytes` });
  const read = parseIJson(bytes, 'Bundle');
  if (!read.ok) {
    return read.reason === 'malformed'
      ? fail({ code: 'FHIR_MALFORMED', path: 'Bundle', message: 'not JSON in UTF-8' })
      : fail({ code: 'FHIR_DUPLICATE_MEMBER', path: read.path, message: 'an object has two members of this name' });
  }
  return parseFhirPayloadJson(read.value, options);
}

/** The canonical request and its documents from the JSON of a Bundle already read as I-JSON (the FHIR API checks it first). */
export function parseFhirPayloadJson(json: unknown, options: FhirParseOptions = {}): Result<ParsedRequest> {
  if (!isObject(json) || json.resourceType !== 'Bundle') {
    return fail({ code: 'FHIR_NOT_BUNDLE', path: 'Bundle.resourceType', message: 'a request is a Bundle' });
  }
  return parseRequestBundle(json, { channel: options.channel ?? 'fhir', maxDocumentBytes: options.maxDocumentBytes ?? DEFAULT_FHIR_MAX_DOCUMENT_BYTES });
}

interface Context {
  index: BundleIndex;
  problems: Problem[];
  maxDocumentBytes: number;
}

function parseRequestBundle(bundle: JsonObject, options: { channel: 'smtp' | 'fhir'; maxDocumentBytes: number }): Result<ParsedRequest> {
  const problems: Problem[] = [];
  const type = getString(bundle, 'type');
  if (type === undefined || !BUNDLE_TYPES.includes(type)) {
    problems.push({ code: 'FHIR_BUNDLE_TYPE', path: 'Bundle.type', message: 'a request Bundle is of type transaction or collection' });
  }
  const index = indexBundle(bundle, problems);
  const ctx: Context = { index, problems, maxDocumentBytes: options.maxDocumentBytes };
  const sr = pickServiceRequest(ctx);
  if (!sr) return fail(...problems);
  const r = sr.resource;

  const status = getString(r, 'status');
  if (status === undefined || !REQUEST_STATUSES.includes(status)) {
    problems.push({ code: status === undefined ? 'FHIR_MISSING' : 'FHIR_INVALID', path: `${sr.path}.status`, message: 'a new request is draft or active' });
  }
  const intent = getString(r, 'intent');
  if (intent === undefined || !INTENTS.includes(intent)) {
    problems.push({ code: intent === undefined ? 'FHIR_MISSING' : 'FHIR_INVALID', path: `${sr.path}.intent`, message: 'intent is required and must be an R4 request-intent code' });
  }

  const sender = pickSenderIdentifier(r, sr.path, problems);
  const patientRef = parseSubject(ctx, sr);
  const requester = parseRequester(ctx, sr);
  const tasks = findTasks(ctx, sr);
  const task = tasks[0];
  const requested = parseRequested(ctx, sr, task);
  const reason = parseReason(ctx, sr);
  const notes = getObjects(r, 'note').flatMap(({ value }) => getString(value, 'text') ?? []);
  const priority = parsePriority(r, sr.path, problems);
  const coverage = parseCoverage(ctx, sr);
  const consent = parseConsent(ctx, sr, patientRef?.target);
  const documents: PayloadDocument[] = parseSupportingDocuments(ctx, sr);

  let neededBy: string | undefined;
  let question: string | undefined;
  if (task) {
    const end = getString(getObject(getObject(task.resource, 'restriction'), 'period'), 'end');
    if (end !== undefined) {
      if (FHIR_DATE_TIME.test(end) && /^\d{4}-\d{2}-\d{2}/.test(end)) neededBy = end;
      else problems.push({ code: 'FHIR_INVALID', path: `${task.path}.restriction.period.end`, message: 'a deadline is a dateTime with at least a full date' });
    }
    question = getString(task.resource, 'description');
  }
  for (const communication of index.entries.filter((e) => e.resourceType === 'Communication')) {
    for (const { value, index: i } of getObjects(communication.resource, 'payload')) {
      const text = getString(value, 'contentString');
      if (text !== undefined) {
        if (question === undefined) question = text;
        else notes.push(text);
      }
      const attachment = getObject(value, 'contentAttachment');
      if (attachment) {
        const doc = parseAttachment(index, attachment, communication, `${communication.path}.payload[${i}].contentAttachment`, ctx.maxDocumentBytes, problems, undefined);
        if (doc) documents.push(doc);
      }
    }
  }

  const unique = uniqueDocuments(documents);
  const input: CanonicalRequestInput = {
    ids: sender ? { sender } : {},
    channel: options.channel,
    dialect: 'fhir',
    requester: requester ?? { identifiers: [] },
    requested,
    patient: patientRef?.patient ?? { identifiers: [], names: [] },
    ...(coverage ? { coverage } : {}),
    reason,
    ...(question ? { question } : {}),
    priority,
    ...(neededBy ? { neededBy } : {}),
    ...(consent ? { consent } : {}),
    attachments: unique.map((d) => d.attachment),
    notes,
  };
  return finishParsedRequest(input, unique, problems, 'FHIR', 'Bundle');
}

/** The one ServiceRequest (when there are several, the one a Task is about). */
function pickServiceRequest(ctx: Context): IndexedResource | undefined {
  const srs = ctx.index.entries.filter((e) => e.resourceType === 'ServiceRequest');
  if (srs.length === 1) return srs[0];
  if (srs.length === 0) {
    ctx.problems.push({ code: 'FHIR_MISSING', path: 'Bundle.entry', message: 'the Bundle holds no ServiceRequest' });
    return undefined;
  }
  const focused = srs.filter((sr) => findTasks({ ...ctx, problems: [] }, sr).length > 0);
  if (focused.length === 1) return focused[0];
  ctx.problems.push({ code: 'FHIR_AMBIGUOUS', path: 'Bundle.entry', message: 'several ServiceRequests and no single one is the focus of a Task' });
  return undefined;
}

/** The sender's id: the placer identifier (type PLAC) if any, else the first identifier with a system. */
function pickSenderIdentifier(r: JsonObject, path: string, problems: Problem[]) {
  const ids = getObjects(r, 'identifier');
  const placer = ids.find(({ value }) => parseCodings(getObject(value, 'type')).some((c) => c.code === 'PLAC'));
  for (const { value, index } of placer ? [placer, ...ids] : ids) {
    const id = parseIdentifier(value, `${path}.identifier[${index}]`, problems);
    if (id) return id;
  }
  return undefined;
}

function parseSubject(ctx: Context, sr: IndexedResource): { patient: Patient; target?: IndexedResource } | undefined {
  const path = `${sr.path}.subject`;
  if (sr.resource.subject === undefined) {
    ctx.problems.push({ code: 'FHIR_MISSING', path, message: 'the request has no subject' });
    return undefined;
  }
  const resolved = resolveReference(ctx.index, sr.resource.subject, sr, path, ['Patient'], ctx.problems);
  if (!resolved) return undefined;
  if (resolved.kind === 'display') {
    ctx.problems.push({ code: 'FHIR_MISSING', path: `${path}.reference`, message: 'the subject must be a Patient of the Bundle or an identifier' });
    return undefined;
  }
  if (resolved.kind === 'identifier') return { patient: { identifiers: [logicalIdentifier(resolved, path, ctx.problems)], names: [] } };
  return { patient: parsePatientResource(resolved.target, ctx.problems), target: resolved.target };
}

function parseRequester(ctx: Context, sr: IndexedResource): Practitioner | undefined {
  const path = `${sr.path}.requester`;
  if (sr.resource.requester === undefined) {
    ctx.problems.push({ code: 'FHIR_MISSING', path, message: 'the request has no requester' });
    return undefined;
  }
  const before = ctx.problems.length;
  const requester = parsePractitionerReference(ctx.index, sr.resource.requester, sr, path, ctx.problems);
  if (!requester && ctx.problems.length === before) {
    ctx.problems.push({ code: 'FHIR_MISSING', path: `${path}.reference`, message: 'the requester must be a Practitioner or PractitionerRole of the Bundle, or an identifier' });
  }
  return requester;
}

/** Tasks whose focus is the ServiceRequest (a single Task without focus counts too). */
function findTasks(ctx: Context, sr: IndexedResource): IndexedResource[] {
  const tasks = ctx.index.entries.filter((e) => e.resourceType === 'Task');
  const about = tasks.filter((t) => {
    const focus = resolveReference(ctx.index, t.resource.focus, t, `${t.path}.focus`, undefined, []);
    return focus?.kind === 'resource' && focus.target === sr;
  });
  if (about.length > 0) return about;
  if (tasks.length === 1 && tasks[0]!.resource.focus === undefined) return tasks;
  for (const t of tasks) {
    if (t.resource.focus !== undefined) {
      const focus = resolveReference(ctx.index, t.resource.focus, t, `${t.path}.focus`, ['ServiceRequest'], ctx.problems);
      if (focus?.kind === 'resource' && focus.target !== sr) {
        ctx.problems.push({ code: 'FHIR_INVALID', path: `${t.path}.focus`, message: 'the Task is about another ServiceRequest' });
      }
    }
  }
  return [];
}

function parseRequested(ctx: Context, sr: IndexedResource, task: IndexedResource | undefined): CanonicalRequestInput['requested'] {
  const r = sr.resource;
  let expert: Practitioner | undefined;
  let specialty: Coding | undefined = firstCoding(getObject(r, 'performerType'));
  let address: string | undefined;
  const performers = getObjects(r, 'performer').map(({ value, index }) => ({ ref: value as unknown, from: sr, path: `${sr.path}.performer[${index}]` }));
  if (performers.length === 0 && task?.resource.owner !== undefined) performers.push({ ref: task.resource.owner, from: task, path: `${task.path}.owner` });
  for (const { ref, from, path } of performers) {
    const resolved = resolveReference(ctx.index, ref, from, path, PERFORMER_TYPES, ctx.problems);
    if (!resolved || resolved.kind === 'display') continue;
    if (resolved.kind === 'identifier') {
      if (resolved.type === undefined || resolved.type === 'Practitioner' || resolved.type === 'PractitionerRole') {
        expert ??= { identifiers: [logicalIdentifier(resolved, path, ctx.problems)] };
      }
      continue;
    }
    const t = resolved.target;
    if (t.resourceType === 'Practitioner' || t.resourceType === 'PractitionerRole') {
      expert ??= parsePractitionerResource(ctx.index, t, ctx.problems);
    } else {
      // a pool: an organisation or a service, with its secure address and specialty
      address ??= parseEmail(t.resource);
      if (t.resourceType === 'HealthcareService') specialty ??= firstCoding(getObjects(t.resource, 'specialty')[0]?.value);
    }
  }
  return { ...(expert ? { expert } : {}), ...(specialty ? { specialty } : {}), ...(address ? { address } : {}) };
}

function parseReason(ctx: Context, sr: IndexedResource): CanonicalRequestInput['reason'] {
  const codes: Coding[] = [];
  const texts: string[] = [];
  for (const { value } of getObjects(sr.resource, 'reasonCode')) {
    codes.push(...parseCodings(value));
    const text = getString(value, 'text');
    if (text) texts.push(text);
  }
  for (const { value, index } of getObjects(sr.resource, 'reasonReference')) {
    const resolved = resolveReference(ctx.index, value, sr, `${sr.path}.reasonReference[${index}]`, REASON_TYPES, ctx.problems);
    if (resolved?.kind === 'display') texts.push(resolved.display);
    if (resolved?.kind !== 'resource') continue;
    const t = resolved.target.resource;
    const concept = getObject(t, 'code') ?? getObject(t, 'type');
    codes.push(...parseCodings(concept));
    const text = getString(concept, 'text') ?? getString(t, 'description');
    if (text) texts.push(text);
  }
  return { codes, ...(texts.length > 0 ? { text: texts.join('\n') } : {}) };
}

function parsePriority(r: JsonObject, path: string, problems: Problem[]): (typeof PRIORITIES)[number] {
  const p = getString(r, 'priority');
  if (p === undefined) return 'routine';
  const known = PRIORITIES.find((k) => k === p);
  if (!known) problems.push({ code: 'FHIR_INVALID', path: `${path}.priority`, message: 'priority must be routine, urgent, asap or stat' });
  return known ?? 'routine';
}

function parseCoverage(ctx: Context, sr: IndexedResource): CanonicalRequestInput['coverage'] {
  const first = getObjects(sr.resource, 'insurance')[0];
  if (!first) return undefined;
  const resolved = resolveReference(ctx.index, first.value, sr, `${sr.path}.insurance[${first.index}]`, ['Coverage'], ctx.problems);
  if (!resolved) return undefined;
  if (resolved.kind !== 'resource') {
    return resolved.kind === 'identifier' ? { memberId: resolved.value } : undefined;
  }
  const c = resolved.target;
  const memberId = getString(c.resource, 'subscriberId') ?? parseIdentifiers(c.resource, 'identifier', c.path, ctx.problems)[0]?.value;
  const payor = getObjects(c.resource, 'payor')[0];
  const insurer = payor ? parseOrganizationReference(ctx.index, payor.value, c, `${c.path}.payor[${payor.index}]`, ctx.problems) : undefined;
  return { ...(insurer ? { insurer } : {}), ...(memberId ? { memberId } : {}) };
}

/**
 * The Consent: the one supportingInfo names, else the only Consent of the Bundle (several: FHIR_AMBIGUOUS); its
 * patient must be the subject. Without a Consent, an ANS-style `patient-consent` extension (valueBoolean or
 * valueReference to a Consent) on the ServiceRequest.
 */
function parseConsent(ctx: Context, sr: IndexedResource, patient: IndexedResource | undefined): Consent | undefined {
  const consents = ctx.index.entries.filter((e) => e.resourceType === 'Consent');
  let chosen: IndexedResource | undefined;
  for (const { value, index } of getObjects(sr.resource, 'supportingInfo')) {
    const resolved = resolveReference(ctx.index, value, sr, `${sr.path}.supportingInfo[${index}]`, undefined, []);
    if (resolved?.kind === 'resource' && resolved.target.resourceType === 'Consent') chosen ??= resolved.target;
  }
  for (const { value, index } of getObjects(sr.resource, 'extension')) {
    if (!getString(value, 'url')?.endsWith('patient-consent')) continue;
    if (value.valueReference !== undefined) {
      const resolved = resolveReference(ctx.index, value.valueReference, sr, `${sr.path}.extension[${index}].valueReference`, ['Consent'], ctx.problems);
      if (resolved?.kind === 'resource') chosen ??= resolved.target;
    } else if (!chosen && consents.length === 0) {
      return parseConsentFlag(value);
    }
  }
  if (!chosen) {
    if (consents.length > 1) {
      ctx.problems.push({ code: 'FHIR_AMBIGUOUS', path: 'Bundle.entry', message: 'several Consents and the ServiceRequest names none in supportingInfo' });
      return undefined;
    }
    chosen = consents[0];
  }
  if (!chosen) return undefined;
  const consent = parseConsentResource(chosen, ctx.problems);
  const who = resolveReference(ctx.index, chosen.resource.patient, chosen, `${chosen.path}.patient`, ['Patient'], ctx.problems);
  if (chosen.resource.patient === undefined) {
    ctx.problems.push({ code: 'FHIR_MISSING', path: `${chosen.path}.patient`, message: 'the Consent names no patient' });
  } else if (who?.kind === 'resource' && patient && who.target !== patient) {
    ctx.problems.push({ code: 'FHIR_CONSENT_PATIENT_MISMATCH', path: `${chosen.path}.patient`, message: 'the Consent is about another patient than the request' });
  }
  return consent;
}

/** Documents named by supportingInfo, then every DocumentReference of the Bundle not reached that way. */
function parseSupportingDocuments(ctx: Context, sr: IndexedResource): PayloadDocument[] {
  const reached = new Set<IndexedResource>();
  const docs: PayloadDocument[] = [];
  for (const { value, index } of getObjects(sr.resource, 'supportingInfo')) {
    const resolved = resolveReference(ctx.index, value, sr, `${sr.path}.supportingInfo[${index}]`, undefined, ctx.problems);
    if (resolved?.kind !== 'resource' || !(DOCUMENT_TYPES as readonly string[]).includes(resolved.target.resourceType)) continue;
    if (reached.has(resolved.target)) continue;
    reached.add(resolved.target);
    docs.push(...parseDocumentResource(ctx.index, resolved.target, ctx.maxDocumentBytes, ctx.problems));
  }
  for (const e of ctx.index.entries) {
    if (e.resourceType !== 'DocumentReference' || reached.has(e)) continue;
    docs.push(...parseDocumentResource(ctx.index, e, ctx.maxDocumentBytes, ctx.problems));
  }
  return docs;
}
