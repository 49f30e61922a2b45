/**
 * The FHIR channel end to end, over real HTTPS with client certificates, driven by fhir-kit-client: a GP creates a
 * signed request (a transaction Bundle), follows its Task through the pipeline to the cardiologist the directory
 * names, and the cardiologist works on the Task (accept with ETag/If-Match, a question as a Communication, the
 * requester's answer, the opinion as Task.output, a correction) until the GP reads the opinion, signed by the gateway;
 * an acceptance by PUT, a decline with its reason, searches page by page, the requester cancelling. Refusals:
 * an unsigned bundle, a bundle signed by someone else than the TLS client, an object naming a member twice, no client certificate, a stranger's
 * reads, an invalid transition, a stale If-Match. A mixed case: the request comes by FHIR and the expert answers
 * by secure mail. Every resource the API returns is validated against R4 with FHIR.js.
 */
import { createHash } from 'node:crypto';
import type { Client } from 'fhir-kit-client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { verifyBundleSignature } from '../../src/fhir-signature/verify-bundle-signature.ts';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { buildMail } from '../../src/mime/build-mail.ts';
import { headerValue, parseEntity } from '../../src/mime/parse-entity.ts';
import { readMail } from '../../src/payload/mime/find-payload.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { makeGatewayKey } from '../../src/smime/gateway-key.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { eventually } from '../helpers/eventually.ts';
import { clientAgent, fhirClient, gpRequestBundle, INS_SYSTEM, issueClientParty, signedBy, storeFhirParties, type ClientParty } from '../helpers/fhir-client.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { cert, testTrust } from '../helpers/test-pki.ts';
import { PATIENT_INS, type Json } from '../payload/fhir/request-bundle.ts';
import { nirWithKey } from '../../src/demo/synthetic-identifiers.ts';
import { SAMPLE_PDF } from '../payload/xdm/sample-xdm.ts';


let sink: SmtpSink;
let gw: Gateway;
let gp: ClientParty;
let expert: ClientParty;
let stranger: ClientParty;
let asGp: Client;
let asExpert: Client;
let asStranger: Client;

/** Every resource the API returns is R4. */
function valid<T>(resource: T): T {
  expect(validateFhirResource(resource)).toEqual([]);
  return resource;
}

/** The HTTP status and OperationOutcome of a refused call (fhir-kit-client throws). */
async function refusedWith(p: Promise<unknown>): Promise<{ status: number; codes: string[] }> {
  try {
    await p;
  } catch (err) {
    const r = (err as { response?: { status: number; data: Json } }).response;
    if (!r) throw err;
    valid(r.data);
    const issues = (r.data.issue as { details?: { coding?: { code: string }[] } }[]) ?? [];
    return { status: r.status, codes: issues.flatMap((i) => i.details?.coding?.map((c) => c.code) ?? []) };
  }
  throw new Error('not refused');
}

beforeAll(async () => {
  sink = await startSmtpSink();
  gp = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.test');
  expert = issueClientParty('Dr Claire Durand', 'cardio.durand@chu-b.test');
  stranger = issueClientParty('Dr Stranger', 'dr.stranger@ailleurs.test');
  const made = testGatewayConfig(sink.port);
  gw = await startGateway({ ...made.config, pipeline: { ...made.config.pipeline, timerSweepMs: 3_600_000 } }, { log: silentLogger });
  storeFhirParties(gw.db, [
    { party: gp, specialty: 'SM54', rpps: '810001234567' },
    { party: expert, specialty: 'SM04' },
    { party: stranger, specialty: 'SM54' },
  ]);
  asGp = fhirClient(gw.fhirBaseUrl!, gp);
  asExpert = fhirClient(gw.fhirBaseUrl!, expert);
  asStranger = fhirClient(gw.fhirBaseUrl!, stranger);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

/** Creates a signed request as the GP; returns its Task id once the pipeline routed it. */
async function createRouted(ins: string): Promise<string> {
  const response = (await asGp.transaction({ body: signedBy(gpRequestBundle(gp, expert, ins), gp) })) as Json;
  valid(response);
  const task = (response.entry as { resource?: Json }[]).find((e) => e.resource?.resourceType === 'Task')!.resource!;
  expect(task.status).toBe('requested');
  // the requester's searches find it from the answer on, whether the pipeline has read it yet or not
  const found = valid((await asGp.search({ resourceType: 'Task', searchParams: { requester: `mailto:${gp.address}`, _lastUpdated: `ge${String((task.meta as Json).lastUpdated)}` } })) as Json);
  expect(((found.entry ?? []) as { resource: Json }[]).map((e) => e.resource.id)).toContain(task.id);
  await gw.drain();
  const routed = (await asGp.read({ resourceType: 'Task', id: String(task.id) })) as Json;
  expect(routed.status, JSON.stringify(routed.statusReason ?? routed.businessStatus)).toBe('received');
  return String(task.id);
}

describe('the FHIR API', () => {
  it('serves a CapabilityStatement true to R4', async () => {
    const cs = valid((await asGp.capabilityStatement()) as Json);
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
  });

  it('refuses an unsigned bundle, a bundle signed by another practitioner than the client, one naming a member twice, and a client without a certificate', async () => {
    expect(await refusedWith(asGp.transaction({ body: { ...gpRequestBundle(gp, expert, PATIENT_INS), resourceType: 'Bundle' } }))).toMatchObject({ status: 422, codes: expect.arrayContaining(['FHIR_SIGNATURE_REQUIRED']) });
    const other = await refusedWith(asGp.transaction({ body: signedBy(gpRequestBundle(gp, expert, PATIENT_INS), stranger) }));
    expect(other.status).toBe(422);
    expect(other.codes).toContain('FHIR_SIGNATURE_WRONG_SIGNER');
    // an edited bundle after signing: the signature no longer holds
    const edited = signedBy(gpRequestBundle(gp, expert, PATIENT_INS), gp) as Json;
    ((edited.entry as { resource: Json }[])[0]!.resource as Json).priority = 'stat';
    const broken = await refusedWith(asGp.transaction({ body: { ...edited, resourceType: 'Bundle' } }));
    expect(broken.status).toBe(422);
    expect(broken.codes.some((c) => c.startsWith('FHIR_SIGNATURE_'))).toBe(true);
    // a member written twice (the signed one last, as JSON.parse reads it): refused before anything is stored
    const twice = JSON.stringify(signedBy(gpRequestBundle(gp, expert, PATIENT_INS), gp)).replace('"intent":', '"intent":"proposal","intent":');
    const tasksBefore = gw.db.prepare('SELECT count(*) AS n FROM fhir_tasks').get();
    const raw = await request(gw.fhirBaseUrl!, { method: 'POST', body: twice, headers: { 'content-type': 'application/fhir+json' }, dispatcher: clientAgent(gp) });
    expect(raw.statusCode).toBe(400);
    const outcome = valid((await raw.body.json()) as Json);
    expect((outcome.issue as { details?: { coding?: { code: string }[] }; expression?: string[] }[]).map((i) => [i.details?.coding?.[0]?.code, i.expression?.[0]])).toEqual([
      ['FHIR_DUPLICATE_MEMBER', undefined],
      ['FHIR_DUPLICATE_MEMBER', expect.stringMatching(/^Bundle\.entry\[\d+\]\.resource\.intent$/)],
    ]);
    expect(gw.db.prepare('SELECT count(*) AS n FROM fhir_tasks').get()).toEqual(tasksBefore);
    // no client certificate: the TLS handshake fails
    await expect(fhirClient(gw.fhirBaseUrl!, undefined).read({ resourceType: 'Task', id: 'req-x' })).rejects.toThrow();
  });

  it('creates a request, routes it, and lets the expert accept, ask, hear the answer and give the opinion, which the requester reads signed', async () => {
    const id = await createRouted(nirWithKey('2840575123456'));
    const task = valid((await asExpert.read({ resourceType: 'Task', id })) as Json);
    expect((task.owner as Json).identifier).toEqual({ system: 'urn:ietf:rfc:3986', value: `mailto:${expert.address}` });
    // the forward also went by secure mail
    expect(sink.messages.some((m) => m.envelope.to.includes(expert.address))).toBe(true);

    // searches: by owner and status, by requester; a stranger sees nothing
    const mine = valid((await asExpert.search({ resourceType: 'Task', searchParams: { owner: `mailto:${expert.address}`, status: 'received' } })) as Json);
    expect((mine.entry as { resource: Json }[]).map((e) => e.resource.id)).toContain(id);
    const sent = valid((await asGp.search({ resourceType: 'Task', searchParams: { requester: `mailto:${gp.address}`, _lastUpdated: `ge${new Date(Date.now() - 3_600_000).toISOString()}` } })) as Json);
    expect((sent.entry as { resource: Json }[]).map((e) => e.resource.id)).toContain(id);
    expect(((await asStranger.search({ resourceType: 'Task', searchParams: {} })) as Json).total).toBe(0);
    expect(await refusedWith(asStranger.read({ resourceType: 'Task', id }))).toMatchObject({ status: 404 });
    // the requester may not work on the Task
    expect(await refusedWith(asGp.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'accepted' }] }))).toMatchObject({ status: 403 });

    // accept, with optimistic locking
    const version = String((task.meta as Json).versionId);
    expect(await refusedWith(asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'accepted' }], options: { headers: { 'If-Match': 'W/"0000000000000000"' } } }))).toMatchObject({ status: 412 });
    const accepted = valid((await asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'accepted' }], options: { headers: { 'If-Match': `W/"${version}"` } } })) as Json);
    expect(accepted.status).toBe('accepted');

    // a question as a Communication puts the Task on hold; the requester reads it and answers
    const question = valid((await asExpert.create({ resourceType: 'Communication', body: { resourceType: 'Communication', status: 'completed', partOf: [{ reference: `Task/${id}` }], payload: [{ contentString: 'Is there a previous ECG?' }] } })) as Json);
    expect(question.id).toBeDefined();
    expect(((await asGp.read({ resourceType: 'Task', id })) as Json).status).toBe('on-hold');
    const thread = valid((await asGp.search({ resourceType: 'Communication', searchParams: { 'part-of': `Task/${id}` } })) as Json);
    expect(JSON.stringify(thread)).toContain('Is there a previous ECG?');
    const answer = valid((await asGp.create({ resourceType: 'Communication', body: { resourceType: 'Communication', status: 'completed', partOf: [{ reference: `Task/${id}` }], payload: [{ contentString: 'Yes, from 2024: normal.' }] } })) as Json);
    expect(answer.id).toBeDefined();
    expect(((await asExpert.read({ resourceType: 'Task', id })) as Json).status).toBe('accepted');

    // an invalid transition is refused
    const onHold = await refusedWith(asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'requested' }] }));
    expect(onHold.status).toBe(409);

    // the opinion: Task completed with its output
    const done = valid(
      (await asExpert.patch({
        resourceType: 'Task',
        id,
        jsonPatch: [
          { op: 'replace', path: '/status', value: 'completed' },
          { op: 'add', path: '/output', value: [{ type: { text: 'opinion' }, valueString: 'Sinus rhythm; no treatment change. Review in 6 months.' }] },
        ],
      })) as Json,
    );
    expect(done.status).toBe('completed');
    const output = (done.output as { valueReference?: { reference: string } }[]).find((o) => o.valueReference)!;
    const [type, bundleId] = output.valueReference!.reference.split('/');
    const opinion = valid((await asGp.read({ resourceType: type!, id: bundleId! })) as Json);
    expect(JSON.stringify(opinion)).toContain('Sinus rhythm');
    const verified = verifyBundleSignature(opinion, { trust: testTrust(), at: new Date(), expectedSigner: { email: 'gateway@txgate.localhost' } });
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
    // a correction: the completed Task completed again with a new output; both versions stay
    const corrected = valid(
      (await asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/output', value: [{ type: { text: 'opinion' }, valueString: 'Correction: review in 3 months.' }] }] })) as Json,
    );
    const versions = (corrected.output as { valueReference?: { reference: string } }[]).map((o) => o.valueReference?.reference);
    expect(versions).toEqual([`Bundle/${id}-opinion-1`, `Bundle/${id}-opinion-2`]);
    expect(JSON.stringify(valid((await asGp.read({ resourceType: 'Bundle', id: `${id}-opinion-2` })) as Json))).toContain('review in 3 months');
    // a completed Task takes no new acceptance
    expect(await refusedWith(asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'accepted' }] }))).toMatchObject({ status: 409 });

    // the request and its document
    const byPatient = valid((await asGp.search({ resourceType: 'ServiceRequest', searchParams: { 'patient:identifier': `${INS_SYSTEM}|${nirWithKey('2840575123456')}` } })) as Json);
    expect(byPatient.total).toBe(1);
    expect(((await asGp.search({ resourceType: 'ServiceRequest', searchParams: { 'patient:identifier': `${INS_SYSTEM}|${nirWithKey('1999999999999')}` } })) as Json).total).toBe(0);
    const sr = valid((await asExpert.read({ resourceType: 'ServiceRequest', id })) as Json);
    expect(sr.status).toBe('completed');
    const sha = createHash('sha256').update(SAMPLE_PDF).digest('hex');
    const binary = valid((await asExpert.read({ resourceType: 'Binary', id: sha })) as Json);
    expect(Buffer.from(String(binary.data), 'base64').equals(SAMPLE_PDF)).toBe(true);
    expect(await refusedWith(asStranger.read({ resourceType: 'Binary', id: sha }))).toMatchObject({ status: 404 });
    // nothing went to the FHIR requester by mail: the Task is the answer
    expect(sink.messages.some((m) => m.envelope.to.includes(gp.address))).toBe(false);
  });

  it('gives the same Task back for the same signed bytes sent again (a retry after a lost answer), and stores the request once', async () => {
    const body = signedBy(gpRequestBundle(gp, expert, nirWithKey('2840575123458')), gp);
    const first = (await asGp.transaction({ body })) as Json;
    const again = (await asGp.transaction({ body })) as Json;
    const taskOf = (r: Json) => (r.entry as { resource?: Json; response: { status: string } }[]).find((e) => e.resource?.resourceType === 'Task')!;
    expect(taskOf(first).response.status).toBe('201 Created');
    expect(taskOf(again).response.status).toBe('200 OK');
    expect(taskOf(again).resource!.id).toBe(taskOf(first).resource!.id);
    expect((gw.db.prepare('SELECT count(*) AS n FROM fhir_tasks WHERE id = ?').get(taskOf(first).resource!.id) as { n: number }).n).toBe(1);
  });

  it('follows a request made by FHIR that the expert answers by secure mail', async () => {
    const id = await createRouted(nirWithKey('2840575123457'));
    const forward = [...sink.messages].reverse().find((m) => m.envelope.to.includes(expert.address) && m.envelope.from !== '')!;
    const opened = openMessage(forward.raw, { keys: [makeGatewayKey(expert.key, expert.cert)], trust: testTrust() });
    const replyTo = headerValue(parseEntity(opened.content).headers, 'reply-to')!;
    expect(replyTo).toContain(id);
    // the forward carries the signed Bundle as received and the documents it holds
    const forwarded = readMail(opened.content);
    if (!forwarded.ok) throw new Error(JSON.stringify(forwarded.problems));
    expect(forwarded.value.payloads.some((p) => p.name === 'request.json')).toBe(true);
    expect(forwarded.value.documents.some((d) => d.bytes.equals(SAMPLE_PDF))).toBe(true);
    const inner = buildMail({ from: expert.address, to: replyTo, subject: 'Re: tele-expertise', messageId: `<op-${id}@chu-b.test>`, date: new Date(), text: 'OPINION\nNo anomaly on the ECG.' });
    const sealed = sealMessage(inner, { signerKey: expert.key, signerCert: expert.cert, chain: [], recipients: [cert('gateway')], now: new Date() });
    const sent = await sendSmtp(gw.smtpPort!, { from: expert.address, to: [replyTo] }, sealed);
    expect(sent.ok, sent.response).toBe(true);
    await gw.drain();
    await eventually(async () => expect(((await asGp.read({ resourceType: 'Task', id })) as Json).status).toBe('completed'));
    const task = valid((await asGp.read({ resourceType: 'Task', id })) as Json);
    const ref = (task.output as { valueReference: { reference: string } }[])[0]!.valueReference.reference;
    const opinion = valid((await asGp.read({ resourceType: 'Bundle', id: ref.split('/')[1]! })) as Json);
    expect(JSON.stringify(opinion)).toContain('No anomaly on the ECG.');
  });
  it('accepts by PUT of the whole Task, takes a decline with its reason (the request goes to another expert or waits), and pages searches', async () => {
    const id = await createRouted(nirWithKey('2840575123459'));
    const task = (await asExpert.read({ resourceType: 'Task', id })) as Json;
    const { meta, ...body } = task;
    const put = valid((await asExpert.update({ resourceType: 'Task', id, body: { ...body, resourceType: 'Task', status: 'accepted' }, options: { headers: { 'If-Match': `W/"${String((meta as Json).versionId)}"` } } })) as Json);
    expect(put.status).toBe('accepted');
    // a decline without its reason is refused; with it, the expert gives the request up
    expect(await refusedWith(asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'rejected' }] }))).toMatchObject({ status: 422 });
    const declined = valid(
      (await asExpert.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'rejected' }, { op: 'add', path: '/statusReason', value: { text: 'Out of my field.' } }] })) as Json,
    );
    // no other cardiologist in the directory: the request waits for one, and this expert no longer holds it
    expect(declined.status).toBe('received');
    expect(declined.owner).toBeUndefined();
    expect(await refusedWith(asExpert.read({ resourceType: 'Task', id }))).toMatchObject({ status: 404 });
    expect(((await asGp.read({ resourceType: 'Task', id })) as Json).businessStatus).toMatchObject({ coding: [{ code: 'waiting' }] });

    // the GP's requests, one per page: every page has one, the ids differ, the total is the same
    const first = valid((await asGp.search({ resourceType: 'Task', searchParams: { _count: 1 } })) as Json);
    expect(first.total as number).toBeGreaterThanOrEqual(3);
    expect(first.entry as unknown[]).toHaveLength(1);
    const second = valid((await asGp.nextPage({ bundle: first as never })) as Json);
    expect(second.entry as unknown[]).toHaveLength(1);
    expect((second.entry as { resource: Json }[])[0]!.resource.id).not.toBe((first.entry as { resource: Json }[])[0]!.resource.id);
    expect(second.total).toBe(first.total);
  });
  it('lets the requester cancel a routed request through its Task: the place given back, the expert told; too late once accepted', async () => {
    const id = await createRouted(nirWithKey('2840575123460'));
    const before = sink.messages.length;
    const cancelled = valid((await asGp.patch({ resourceType: 'Task', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'cancelled' }] })) as Json);
    expect(cancelled.status).toBe('cancelled');
    expect(gw.db.prepare('SELECT count(*) AS n FROM quota_places WHERE request = ?').get(id)).toEqual({ n: 0 });
    // the expert's notice leaves by the outbox, after the answer
    await eventually(() => expect(sink.messages.slice(before).some((m) => m.envelope.to.includes(expert.address))).toBe(true));
    // the expert who held it reads it cancelled
    expect(((await asExpert.read({ resourceType: 'Task', id })) as Json).status).toBe('cancelled');

    const accepted = await createRouted(nirWithKey('2840575123461'));
    await asExpert.patch({ resourceType: 'Task', id: accepted, jsonPatch: [{ op: 'replace', path: '/status', value: 'accepted' }] });
    expect(await refusedWith(asGp.patch({ resourceType: 'Task', id: accepted, jsonPatch: [{ op: 'replace', path: '/status', value: 'cancelled' }] }))).toMatchObject({ status: 409 });
  });
});
