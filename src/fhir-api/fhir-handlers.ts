/**
 * What each interaction of the FHIR API does, given the caller's identity: effects at the edge (the store, the blob
 * store, the pipeline's wake-up), the decisions in the pure pieces beside it (views, search parameters, the expert's
 * Task change). Every refusal is an OperationOutcome from the fixed table (operation-outcome.ts).
 *
 * - POST [base] with a signed request Bundle: the signature and the content checked now (refused at once when they
 *   do not hold), then the bytes stored as a message (channel fhir) with the Task id, on disk before the 201; the
 *   pipeline does the rest and the Task says how it goes.
 * - PUT/PATCH Task: the assigned expert's move, or the requester's cancellation before an expert accepted, stored as
 *   a reply message and relayed by the same relay stage as a mail; the answer waits (fhir.replyWaitMs) for the
 *   step's verdict.
 * - POST Communication: the expert's question, or the requester's answer to it.
 * - Reads and searches show only the requests the caller is part of (requester or assigned expert): any other id is
 *   not found.
 */
import { createHash } from 'node:crypto';
import type { Practitioner } from '../domain/canonical-request.ts';
import type { Problem } from '../errors/result.ts';
import { signAsGateway } from '../fhir-signature/sign-as-gateway.ts';
import type { Bundle } from '../fhir-signature/sign-bundle.ts';
import type { Logger } from '../log/logger.ts';
import { getObject, getObjects, getString, isObject, type JsonObject } from '../payload/fhir/fhir-json.ts';
import { parseIJson } from '../payload/fhir/parse-i-json.ts';
import { readBlob } from '../payload/blob-store.ts';
import { newId } from '../pipeline/new-id.ts';
import type { PipelineContext } from '../pipeline/pipeline-context.ts';
import type { FhirIntakeSummary } from '../pipeline/open-fhir-request.ts';
import { REPLY_STATE } from '../pipeline/parse-stage.ts';
import { ALLOWED_REPLIES } from '../pipeline/relay-stage.ts';
import { CANCELLABLE_STATES } from '../pipeline/cancel-request.ts';
import { parseFhirApiReply } from '../relay/parse-expert-reply.ts';
import { getCommunication, listCommunications, type CommunicationRow } from '../store/communications.ts';
import { findFhirTaskByDedupKey, messageOutcome, searchTaskIds, storeFhirMessage, storeFhirRequest } from '../store/fhir-tasks.ts';
import type { AcceptInput } from '../store/messages.ts';
import type { Db } from '../store/open-database.ts';
import { findVisibleDocument, getRequest, searchRequests } from '../store/requests.ts';
import { applyJsonPatch } from './apply-json-patch.ts';
import { jsonRefusal, type BundleShape, type FhirSubmissionCheck, type FhirSubmissionRequest } from './check-fhir-submission.ts';
import { buildCommunicationView } from './build-communication-view.ts';
import { buildOpinionDocumentView } from './build-opinion-document-view.ts';
import { buildSearchBundle, pageLinks } from './build-search-bundle.ts';
import { buildServiceRequestView } from './build-service-request-view.ts';
import { buildTaskView, TASK_STATUS_OF_MESSAGE_STATE, TASK_STATUS_OF_REQUEST_STATE } from './build-task-view.ts';
import { etagOf, parseIfMatch } from './fhir-version-id.ts';
import type { ClientIdentity } from './identify-client.ts';
import { buildOperationOutcome } from './operation-outcome.ts';
import { prepareTaskReply } from './prepare-task-reply.ts';
import { readTaskSource, taskSourceOfRequest, type TaskSourceLookups } from './read-task-source.ts';
import { applyDateValue, parseReferenceValue, readPaging, unknownParams, type DateBound, type ReferenceValue } from './search-params.ts';
import type { TaskSource } from './task-source.ts';
import { validateFhirResource } from './validate-fhir-resource.ts';

export interface FhirApiDeps {
  db: Db;
  now: () => Date;
  log: Logger;
  /** e.g. https://127.0.0.1:8443/fhir */
  baseUrl: string;
  context: () => PipelineContext;
  requireSignature: boolean;
  pageSize: number;
  maxPageSize: number;
  replyWaitMs: number;
  blobsDir: string;
  /** the pipeline has work */
  wake: () => void;
  /** the checks of a request Bundle (checkFhirSubmission with the pipeline's trust), in a stage thread when there is one */
  checkSubmission: (body: Buffer, request: FhirSubmissionRequest) => Promise<FhirSubmissionCheck>;
  /** addresses by a directory identifier (search by requester or owner identifier) */
  addressesOfIdentifier: (system: string, value: string) => string[];
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function refusal(code: string, problems: readonly Problem[] = []): ApiResponse {
  const o = buildOperationOutcome(code, problems);
  return { status: o.status, body: o.body };
}

function lookups(deps: FhirApiDeps): TaskSourceLookups {
  return {
    expertOf(address: string): Practitioner | undefined {
      const p = deps.context().practitioner({ identifiers: [], address });
      if (!p) return undefined;
      return {
        identifiers: p.identifiers,
        ...(p.name ? { name: p.name } : {}),
        ...(p.profession ? { profession: p.profession } : {}),
        ...(p.specialties[0] ? { specialty: p.specialties[0] } : {}),
        address,
      };
    },
  };
}

const lower = (a: string | undefined) => (a ?? '').toLowerCase();

/** The caller is the request's requester or its assigned expert. */
function partOf(source: TaskSource, me: ClientIdentity): 'requester' | 'expert' | undefined {
  if (me.addresses.includes(lower(source.request?.expertAddress))) return 'expert';
  if (me.addresses.includes(lower(source.requester))) return 'requester';
  return undefined;
}

function resourceResponse(resource: JsonObject, status = 200, extra: Record<string, string> = {}): ApiResponse {
  const meta = getObject(resource, 'meta');
  const versionId = getString(meta, 'versionId');
  const lastUpdated = getString(meta, 'lastUpdated');
  return {
    status,
    body: resource,
    headers: {
      ...(versionId ? { etag: etagOf(versionId) } : {}),
      ...(lastUpdated ? { 'last-modified': new Date(lastUpdated).toUTCString() } : {}),
      ...extra,
    },
  };
}

function taskView(source: TaskSource): JsonObject {
  return buildTaskView(source) as JsonObject;
}

/** The Task of a visible request, with who the caller is to it. */
function visibleTask(deps: FhirApiDeps, id: string, me: ClientIdentity): { source: TaskSource; role: 'requester' | 'expert' } | undefined {
  const source = readTaskSource(deps.db, id, lookups(deps));
  const role = source ? partOf(source, me) : undefined;
  return source && role ? { source, role } : undefined;
}

// ---------------------------------------------------------------- POST [base]: a request

/** The body as I-JSON, or the refusal: not JSON, or an object with two members of the same name. */
function parseJson(body: Buffer, root: string): { ok: true; value: unknown } | { ok: false; refusal: ApiResponse } {
  const read = parseIJson(body, root);
  if (read.ok) return read;
  const { code, problems } = jsonRefusal(read);
  return { ok: false, refusal: refusal(code, problems) };
}

export async function createRequest(deps: FhirApiDeps, me: ClientIdentity, body: Buffer, remoteAddress: string | undefined, clientCertPem: string | undefined): Promise<ApiResponse> {
  const ctx = deps.context();
  const at = deps.now();
  let check: FhirSubmissionCheck;
  try {
    // off the main thread when there is a stage thread: the whole body is parsed, canonicalised and hashed
    check = await deps.checkSubmission(body, { at, expectedSigner: { email: me.address, identifiers: me.identifiers }, requireSignature: deps.requireSignature });
  } catch (err) {
    deps.log.error('fhir api: the check of a request failed', { error: err as Error });
    return refusal('FHIR_UNAVAILABLE');
  }
  if (!check.shape) return refusal(check.ok ? 'FHIR_INTERNAL' : check.code, check.ok ? [] : check.problems);
  // a retry of what is stored already (its answer was lost) gets its Task back, whatever changed since (a
  // certificate expired or revoked meanwhile): the pipeline checked it as of its reception
  const dedupKey = `fhir ${me.address.toLowerCase()} sha256:${createHash('sha256').update(body).digest('hex')}`;
  const known = findFhirTaskByDedupKey(deps.db, dedupKey);
  if (known) return createdResponse(deps, check.shape, known, true);
  if (!check.ok) return refusal(check.code, check.problems);

  const taskId = newId('req', at.getTime());
  const summary: FhirIntakeSummary = { client: me.address, requestId: taskId, signerIdentifiers: me.identifiers, ...(check.signed ? {} : { unsigned: true }) };
  const accept: AcceptInput = {
    id: newId('msg', at.getTime()),
    channel: 'fhir',
    envelopeFrom: me.address,
    envelopeTo: [ctx.gatewayAddress],
    messageId: undefined,
    dedupKey,
    remoteAddress,
    tls: true,
    clientCert: clientCertPem,
    raw: body,
    state: 'accepted',
    at,
    summary: summary as unknown as Record<string, unknown>,
  };
  const stored = storeFhirRequest(deps.db, accept, taskId, me.address);
  if (!stored.duplicate) {
    deps.log.info('fhir request stored', { message: accept.id, request: stored.taskId, task: stored.taskId, signed: check.signed });
    deps.wake();
  }
  return createdResponse(deps, check.shape, stored.taskId, stored.duplicate);
}

/** The answer to a stored request: 201 with the Task (200 for a retry), or for a transaction its transaction-response. */
function createdResponse(deps: FhirApiDeps, bundle: BundleShape, taskId: string, duplicate: boolean): ApiResponse {
  const task = taskView(readTaskSource(deps.db, taskId, lookups(deps))!);
  const versionId = getString(getObject(task, 'meta'), 'versionId') ?? '';
  const location = `${deps.baseUrl}/Task/${taskId}/_history/${versionId}`;
  const status = duplicate ? 200 : 201;
  if (bundle.type === 'collection') return resourceResponse(task, status, { location });
  // a transaction: one response entry per entry; the Task and the ServiceRequest are served, the rest is kept with the request
  const entryStatus = `${status} ${status === 201 ? 'Created' : 'OK'}`;
  const entries = bundle.entryTypes.map((type) => {
    if (type === 'Task') return { resource: task, response: { status: entryStatus, location, etag: etagOf(versionId) } };
    if (type === 'ServiceRequest') return { response: { status: entryStatus, location: `${deps.baseUrl}/ServiceRequest/${taskId}` } };
    return { response: { status: '200 OK' } };
  });
  return { status: 200, body: { resourceType: 'Bundle', type: 'transaction-response', entry: entries }, headers: { location } };
}

// ---------------------------------------------------------------- Task

export function readTask(deps: FhirApiDeps, me: ClientIdentity, id: string): ApiResponse {
  const found = visibleTask(deps, id, me);
  return found ? resourceResponse(taskView(found.source)) : refusal('FHIR_NOT_FOUND');
}

/** The states (of requests, or of messages not read as requests yet) a Task status stands for. */
function statesOf(table: Readonly<Record<string, string>>): Readonly<Record<string, string[]>> {
  return Object.entries(table).reduce<Record<string, string[]>>((acc, [state, status]) => ({ ...acc, [status]: [...(acc[status] ?? []), state] }), {});
}
const REQUEST_STATES_OF_TASK_STATUS = statesOf(TASK_STATUS_OF_REQUEST_STATE);
const MESSAGE_STATES_OF_TASK_STATUS = statesOf(TASK_STATUS_OF_MESSAGE_STATE);
const TASK_STATUSES = new Set([...Object.values(TASK_STATUS_OF_REQUEST_STATE), ...Object.values(TASK_STATUS_OF_MESSAGE_STATE)]);

/** The addresses a reference search value names (directory identifiers resolved to their addresses). */
function addressesOf(deps: FhirApiDeps, v: ReferenceValue): string[] {
  if (v.kind === 'address') return [v.address.toLowerCase()];
  if (v.kind === 'identifier') return deps.addressesOfIdentifier(v.system, v.value).map((a) => a.toLowerCase());
  return [];
}

function referenceParam(deps: FhirApiDeps, params: URLSearchParams, name: string, problems: Problem[]): string[] | undefined {
  const values = [...params.getAll(name).map((v) => [v, false] as const), ...params.getAll(`${name}:identifier`).map((v) => [v, true] as const)];
  if (values.length === 0) return undefined;
  const out: string[] = [];
  for (const [raw, modifier] of values) {
    // a comma is an OR of values
    for (const one of raw.split(',')) {
      const v = parseReferenceValue(one, modifier);
      if (!v || v.kind === 'id') problems.push({ code: 'FHIR_BAD_SEARCH', path: name, message: 'an identifier system|value or mailto: address' });
      else out.push(...addressesOf(deps, v));
    }
  }
  return out;
}

export function searchTasks(deps: FhirApiDeps, me: ClientIdentity, params: URLSearchParams): ApiResponse {
  const problems: Problem[] = [];
  unknownParams(params, ['requester', 'requester:identifier', 'owner', 'owner:identifier', 'status', '_lastUpdated'], problems);
  const requester = referenceParam(deps, params, 'requester', problems);
  const owner = referenceParam(deps, params, 'owner', problems);
  // each status parameter is an OR of its comma-separated values; several parameters are an AND
  let statuses: string[] | undefined;
  for (const raw of params.getAll('status')) {
    const list = raw.split(',');
    for (const s of list) if (!TASK_STATUSES.has(s)) problems.push({ code: 'FHIR_BAD_SEARCH', path: 'status', message: 'not a Task status' });
    statuses = statuses ? statuses.filter((s) => list.includes(s)) : list;
  }
  const states = statuses?.flatMap((s) => REQUEST_STATES_OF_TASK_STATUS[s] ?? []);
  const messageStates = statuses?.flatMap((s) => MESSAGE_STATES_OF_TASK_STATUS[s] ?? []);
  const updated: DateBound = {};
  for (const raw of params.getAll('_lastUpdated')) if (!applyDateValue(updated, raw)) problems.push({ code: 'FHIR_BAD_SEARCH', path: '_lastUpdated', message: 'not a date search value' });
  const paging = readPaging(params, deps, problems);
  if (problems.length > 0) return refusal('FHIR_BAD_SEARCH', problems);
  const found = searchTaskIds(deps.db, {
    visibleTo: me.addresses,
    ...(requester ? { requester } : {}),
    ...(owner ? { expertAddress: owner } : {}),
    ...(states ? { states, messageStates } : {}),
    ...(updated.after ? { updatedAfter: updated.after } : {}),
    ...(updated.before ? { updatedBefore: updated.before } : {}),
    offset: paging.offset,
    limit: paging.count,
  });
  const l = lookups(deps);
  // a row may move between the search and its read (parsed meanwhile): it is read as it is now
  const resources = found.ids.flatMap((id) => {
    const source = readTaskSource(deps.db, id, l);
    return source ? [taskView(source)] : [];
  });
  return { status: 200, body: buildSearchBundle({ baseUrl: deps.baseUrl, resources, total: found.total, ...pageLinks(deps.baseUrl, 'Task', params, paging.offset, paging.count, found.total) }) };
}

/** Waits for the pipeline's step on a reply message: relayed, refused, or still running when the time is up. */
async function awaitStep(deps: FhirApiDeps, messageId: string): Promise<{ state: string; refusalCode: string | undefined } | undefined> {
  const until = Date.now() + deps.replyWaitMs;
  for (;;) {
    const o = messageOutcome(deps.db, messageId);
    if (o && o.state !== REPLY_STATE) return o;
    if (Date.now() >= until) return undefined;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function storeReply(deps: FhirApiDeps, me: ClientIdentity, requestId: string, kind: 'task' | 'communication' | 'cancel', resources: readonly unknown[], version: string): { id: string; duplicate: boolean } {
  const ctx = deps.context();
  const at = deps.now();
  const raw = Buffer.from(JSON.stringify({ resources }));
  return storeFhirMessage(deps.db, {
    id: newId('msg', at.getTime()),
    channel: 'fhir',
    envelopeFrom: me.address,
    envelopeTo: [ctx.gatewayAddress],
    messageId: undefined,
    // the same change of the same version twice is one change
    dedupKey: `fhir ${me.address.toLowerCase()} ${requestId} ${version} sha256:${createHash('sha256').update(raw).digest('hex')}`,
    remoteAddress: undefined,
    tls: true,
    clientCert: undefined,
    raw,
    state: REPLY_STATE,
    at,
    summary: { replyTo: requestId, signer: me.address, from: me.address, fhir: kind },
  });
}

/** HTTP status of a relay refusal. */
function relayRefusal(code: string | undefined): ApiResponse {
  if (code === 'RELAY_INVALID_TRANSITION') return refusal('FHIR_INVALID_TRANSITION', [{ code, path: 'Task.status', message: '' }]);
  if (code === 'RELAY_NOT_ASSIGNED') return refusal('FHIR_NOT_ASSIGNED');
  return refusal(code ?? 'FHIR_INVALID_RESOURCE', code ? [{ code, path: 'Task', message: '' }] : []);
}

export async function changeTask(deps: FhirApiDeps, me: ClientIdentity, id: string, body: Buffer, kind: 'put' | 'patch', ifMatch: string | undefined): Promise<ApiResponse> {
  const found = visibleTask(deps, id, me);
  if (!found) return refusal('FHIR_NOT_FOUND');
  const current = taskView(found.source);
  const version = getString(getObject(current, 'meta'), 'versionId') ?? '';
  const wanted = parseIfMatch(ifMatch);
  if (wanted !== undefined && wanted !== version) return refusal('FHIR_VERSION_CONFLICT');
  const read = parseJson(body, kind === 'patch' ? 'patch' : 'Task');
  if (!read.ok) return read.refusal;
  const input = read.value;
  let next: unknown = input;
  if (kind === 'patch') {
    const patched = applyJsonPatch(current, input);
    if (!patched.ok) return refusal(patched.problems[0]!.code, patched.problems);
    next = patched.value;
  }
  if (isObject(next)) {
    // meta is the server's
    const { meta: _meta, ...rest } = next;
    const invalid = validateFhirResource(rest);
    if (invalid.length > 0) return refusal('FHIR_INVALID_RESOURCE', invalid);
    next = rest;
  }
  // the requester's one move: cancelling the request before an expert accepted it
  if (found.role === 'requester') {
    if (!isObject(next) || next.status !== 'cancelled') return refusal('FHIR_NOT_ASSIGNED');
    if (!CANCELLABLE_STATES.includes(found.source.request?.state ?? '')) return refusal('FHIR_INVALID_TRANSITION', [{ code: 'RELAY_INVALID_TRANSITION', path: 'Task.status', message: '' }]);
    return awaitReply(deps, id, storeReply(deps, me, id, 'cancel', [next], version));
  }
  const prepared = prepareTaskReply(current, next);
  if (!prepared.ok) return refusal(prepared.problems[0]!.code, prepared.problems);
  if (prepared.status === getString(current, 'status') && prepared.status !== 'completed') return resourceResponse(current);
  const reply = parseFhirApiReply(prepared.resources);
  if (!reply.ok) return refusal('FHIR_INVALID_RESOURCE', reply.problems);
  const state = found.source.request?.state ?? '';
  if (!ALLOWED_REPLIES[reply.value.verb].includes(state)) return refusal('FHIR_INVALID_TRANSITION', [{ code: 'RELAY_INVALID_TRANSITION', path: 'Task.status', message: '' }]);
  return awaitReply(deps, id, storeReply(deps, me, id, 'task', prepared.resources, version));
}

/** The pipeline's verdict on a Task change stored as a reply: the new Task, the relay's refusal, or 202 when it has not run yet. */
async function awaitReply(deps: FhirApiDeps, id: string, stored: { id: string }): Promise<ApiResponse> {
  deps.wake();
  const outcome = await awaitStep(deps, stored.id);
  if (outcome?.state === 'reply-refused') return relayRefusal(outcome.refusalCode);
  const after = readTaskSource(deps.db, id, lookups(deps))!;
  return resourceResponse(taskView(after), outcome ? 200 : 202);
}

// ---------------------------------------------------------------- ServiceRequest

function serviceRequestOf(source: TaskSource): JsonObject | undefined {
  const r = source.request;
  if (!r) return undefined;
  return buildServiceRequestView(source.id, r.canonical, r.state, source.requester, source.updatedAt, source.receivedAt) as JsonObject;
}

export function readServiceRequest(deps: FhirApiDeps, me: ClientIdentity, id: string): ApiResponse {
  const found = visibleTask(deps, id, me);
  const view = found ? serviceRequestOf(found.source) : undefined;
  return view ? resourceResponse(view) : refusal('FHIR_NOT_FOUND');
}

export function searchServiceRequests(deps: FhirApiDeps, me: ClientIdentity, params: URLSearchParams): ApiResponse {
  const problems: Problem[] = [];
  unknownParams(params, ['patient', 'patient:identifier'], problems);
  const wanted = [...params.getAll('patient'), ...params.getAll('patient:identifier')].flatMap((raw) =>
    raw.split(',').flatMap((one) => {
      const bar = one.indexOf('|');
      if (bar <= 0 || bar === one.length - 1) {
        problems.push({ code: 'FHIR_BAD_SEARCH', path: 'patient', message: 'the patient as an identifier system|value' });
        return [];
      }
      return [{ system: one.slice(0, bar), value: one.slice(bar + 1) }];
    }),
  );
  const paging = readPaging(params, deps, problems);
  if (problems.length > 0) return refusal('FHIR_BAD_SEARCH', problems);
  // the caller's own requests (an index), the patient among them
  const found = searchRequests(deps.db, { visibleTo: me.addresses, ...(wanted.length ? { patient: wanted } : {}), offset: paging.offset, limit: paging.count });
  const l = lookups(deps);
  const resources = found.rows.flatMap((row) => {
    const view = serviceRequestOf(taskSourceOfRequest(deps.db, row, l));
    return view ? [view] : [];
  });
  return { status: 200, body: buildSearchBundle({ baseUrl: deps.baseUrl, resources, total: found.total, ...pageLinks(deps.baseUrl, 'ServiceRequest', params, paging.offset, paging.count, found.total) }) };
}

// ---------------------------------------------------------------- Communication

function communicationView(c: CommunicationRow): JsonObject {
  return buildCommunicationView({ id: c.id, request: c.request, sender: c.sender, recipient: c.recipient, text: c.text, sentAt: c.sentAt, documents: c.documents }) as JsonObject;
}

/** The request a Communication is about: partOf Task/…, else basedOn ServiceRequest/… or Task/…. */
function requestOfCommunication(c: JsonObject): string | undefined {
  for (const field of ['partOf', 'basedOn']) {
    for (const { value } of getObjects(c, field)) {
      const m = /^(?:.*\/)?(?:Task|ServiceRequest)\/([A-Za-z0-9\-.]{1,64})$/.exec(getString(value, 'reference') ?? '');
      if (m) return m[1];
    }
  }
  return undefined;
}

export async function createCommunication(deps: FhirApiDeps, me: ClientIdentity, body: Buffer): Promise<ApiResponse> {
  const read = parseJson(body, 'Communication');
  if (!read.ok) return read.refusal;
  const json = read.value;
  if (!isObject(json) || json.resourceType !== 'Communication') return refusal('FHIR_INVALID_RESOURCE', [{ code: 'FHIR_INVALID_RESOURCE', path: 'Communication', message: '' }]);
  const invalid = validateFhirResource(json);
  if (invalid.length > 0) return refusal('FHIR_INVALID_RESOURCE', invalid);
  const requestId = requestOfCommunication(json);
  const found = requestId ? visibleTask(deps, requestId, me) : undefined;
  if (!requestId || !found) return refusal('FHIR_NOT_FOUND', [{ code: 'FHIR_NOT_FOUND', path: 'Communication.partOf', message: '' }]);
  const text = getObjects(json, 'payload').some(({ value }) => getString(value, 'contentString') || getObject(value, 'contentAttachment'));
  if (!text) return refusal('FHIR_INVALID_RESOURCE', [{ code: 'REPLY_TEXT_MISSING', path: 'Communication.payload', message: '' }]);
  const state = found.source.request?.state ?? '';
  let resources: unknown[];
  if (found.role === 'expert') {
    // the expert's question: the Task on hold while the requester answers
    if (!ALLOWED_REPLIES.ask.includes(state)) return refusal('FHIR_INVALID_TRANSITION', [{ code: 'RELAY_INVALID_TRANSITION', path: 'Communication', message: '' }]);
    resources = [{ resourceType: 'Task', id: requestId, status: 'on-hold', intent: 'order' }, json];
  } else {
    if (state !== 'information-requested') return refusal('FHIR_INVALID_TRANSITION', [{ code: 'RELAY_INVALID_TRANSITION', path: 'Communication', message: '' }]);
    resources = [json];
  }
  const stored = storeReply(deps, me, requestId, 'communication', resources, state);
  deps.wake();
  const outcome = await awaitStep(deps, stored.id);
  if (outcome?.state === 'reply-refused') return relayRefusal(outcome.refusalCode);
  const made = getCommunication(deps.db, `com-${stored.id}`);
  if (!made) return resourceResponse(taskView(readTaskSource(deps.db, requestId, lookups(deps))!), 202);
  return resourceResponse(communicationView(made), 201, { location: `${deps.baseUrl}/Communication/${made.id}` });
}

export function readCommunication(deps: FhirApiDeps, me: ClientIdentity, id: string): ApiResponse {
  const c = getCommunication(deps.db, id);
  return c && visibleTask(deps, c.request, me) ? resourceResponse(communicationView(c)) : refusal('FHIR_NOT_FOUND');
}

export function searchCommunications(deps: FhirApiDeps, me: ClientIdentity, params: URLSearchParams): ApiResponse {
  const problems: Problem[] = [];
  unknownParams(params, ['part-of', 'based-on'], problems);
  const ids = [...params.getAll('part-of'), ...params.getAll('based-on')].flatMap((raw) =>
    raw.split(',').flatMap((one) => {
      const m = /^(?:Task|ServiceRequest)\/([A-Za-z0-9\-.]{1,64})$/.exec(one.trim());
      if (!m) problems.push({ code: 'FHIR_BAD_SEARCH', path: 'part-of', message: 'Task/id or ServiceRequest/id' });
      return m ? [m[1]!] : [];
    }),
  );
  if (ids.length === 0 && problems.length === 0) problems.push({ code: 'FHIR_BAD_SEARCH', path: 'part-of', message: 'name the request (part-of or based-on)' });
  const paging = readPaging(params, deps, problems);
  if (problems.length > 0) return refusal('FHIR_BAD_SEARCH', problems);
  const visible = [...new Set(ids)].filter((id) => visibleTask(deps, id, me));
  const all = listCommunications(deps.db, visible);
  const resources = all.slice(paging.offset, paging.offset + paging.count).map(communicationView);
  return { status: 200, body: buildSearchBundle({ baseUrl: deps.baseUrl, resources, total: all.length, ...pageLinks(deps.baseUrl, 'Communication', params, paging.offset, paging.count, all.length) }) };
}

// ---------------------------------------------------------------- Binary, opinion Bundle

export async function readBinary(deps: FhirApiDeps, me: ClientIdentity, id: string): Promise<ApiResponse> {
  const document = findVisibleDocument(deps.db, id, me.addresses);
  if (!document) return refusal('FHIR_NOT_FOUND');
  const bytes = await readBlob(deps.blobsDir, id);
  if (!bytes.ok) return refusal('FHIR_NOT_FOUND');
  return resourceResponse({ resourceType: 'Binary', id, contentType: document.contentType, data: bytes.value.toString('base64') });
}

/** An opinion as its document Bundle, signed by the gateway (Da Vinci CDex). */
export async function readOpinionBundle(deps: FhirApiDeps, me: ClientIdentity, id: string): Promise<ApiResponse> {
  const m = /^(.+)-opinion-(\d+)$/.exec(id);
  const found = m ? visibleTask(deps, m[1]!, me) : undefined;
  const request = found?.source.request;
  const opinion = found?.source.opinions.find((o) => o.version === Number(m![2]));
  if (!found || !request || !opinion) return refusal('FHIR_NOT_FOUND');
  const documents: { contentType: string; name?: string; data: Buffer }[] = [];
  for (const d of opinion.documents) {
    const bytes = await readBlob(deps.blobsDir, d.sha256);
    if (bytes.ok) documents.push({ contentType: d.contentType, ...(d.name ? { name: d.name } : {}), data: bytes.value });
  }
  const row = getRequest(deps.db, found.source.id);
  const expert = request.expert ?? { identifiers: [], ...(row?.expertAddress ? { address: row.expertAddress } : {}) };
  const view = buildOpinionDocumentView({ requestId: found.source.id, version: opinion.version, request: request.canonical, expert, at: opinion.at, text: opinion.text ?? '-', documents }) as Bundle;
  const ctx = deps.context();
  const signed = signAsGateway(view, ctx.signer, ctx.gatewayAddress, opinion.at);
  return resourceResponse(signed as JsonObject);
}
