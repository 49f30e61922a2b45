/**
 * A request by FHIR: the programme's FHIR requester (a nurse) uses software that speaks FHIR R4. Over HTTPS with
 * her certificate (mutual TLS), it reads the CapabilityStatement, POSTs her request Bundle signed with her key
 * (Da Vinci CDex), and follows her Task with fhir-kit-client: `requested`, then `received` once the gateway has
 * admitted it and routed it to an expert of the pool. The expert's mailbox gets the request by secure mail and
 * the expert answers by secure mail (accept, then the opinion): the same mailbox as in the round trip, the request's
 * channel does not matter to the expert. The requester is answered by her Task, never by mail: she reads it
 * `completed`, follows its output to the opinion Bundle and checks the gateway's signature on it. Last, the
 * insurer receives the claims of her request (or nothing, for a pack that bills nothing). A programme with no FHIR
 * requester says so in a step of its own, which passes.
 */
import type { Client } from 'fhir-kit-client';
import type { Bundle } from '../fhir-signature/sign-bundle.ts';
import { verifyBundleSignature } from '../fhir-signature/verify-bundle-signature.ts';
import { codingsOfSpecialty } from '../pipeline/assign-request.ts';
import { getRequest } from '../store/requests.ts';
import { buildDemoFhirRequest, type FhirJson } from './build-demo-fhir-request.ts';
import { createDemoFhirClient, signDemoBundle } from './demo-fhir-client.ts';
import type { DemoMail } from './demo-peers.ts';
import { expectedClaims, type DemoFhirRequest, type DemoPerson } from './demo-programme.ts';
import type { DemoContext, DemoScene } from './demo-scene.ts';
import { readDirectoryEntry } from './demo-workspace.ts';
import { describeAdmission } from './describe-admission.ts';
import { readRequestClaims } from './read-request-claims.ts';

/** The step a programme without a FHIR requester plays instead, and what it reads. */
export const NO_FHIR_REQUESTER = 'not played';

interface TaskJson extends FhirJson {
  id?: string;
  status?: string;
  owner?: { identifier?: { value?: string }; display?: string };
  restriction?: { period?: { end?: string } };
  output?: { valueReference?: { reference?: string } }[];
}

export const playFhirRequest: DemoScene = async (ctx) => {
  const { programme: p, pack, step, log } = ctx;
  const fhir = p.fhir;
  if (!fhir) {
    log(`\n${pack.name}: no requester of this programme sends requests by FHIR in the demo's data.`);
    await step(`a request by FHIR: ${pack.name} has no FHIR requester in the demo, the scene is not played`, NO_FHIR_REQUESTER, () => NO_FHIR_REQUESTER);
    return;
  }
  const requester = fhir.requester;
  const party = ctx.party(requester.name);
  const baseUrl = ctx.gateway.fhirBaseUrl;
  log(`\nA request by FHIR: ${requester.short} (${requester.role})'s software, over HTTPS with her certificate, at ${baseUrl ?? '(no FHIR API)'}:`);
  if (!baseUrl) {
    await step('the gateway serves the FHIR API', 'listening', () => 'not listening');
    return;
  }
  const { client, close } = createDemoFhirClient({ baseUrl, party, caPem: ctx.caPem });
  try {
    await playWith(ctx, fhir, client, baseUrl);
  } finally {
    await close();
  }
};

async function playWith(ctx: DemoContext, fhir: DemoFhirRequest, client: Client, baseUrl: string): Promise<void> {
  const { programme: p, pack, step, log, peers } = ctx;
  const requester = fhir.requester;
  const party = ctx.party(requester.name);
  await step(`${requester.short}'s software reads GET /fhir/metadata`, 'CapabilityStatement, FHIR 4.0.1', async () => {
    const cs = (await client.capabilityStatement()) as FhirJson & { fhirVersion?: string; rest?: { resource?: { type: string }[] }[] };
    log(`    resources: ${(cs.rest?.[0]?.resource ?? []).map((r) => r.type).join(', ')}`);
    return `${String(cs.resourceType)}, FHIR ${cs.fhirVersion}`;
  });

  let taskId: string | undefined;
  peers.mark();
  await step(`${requester.short} signs her request Bundle and POSTs it (transaction)`, '201 Created: Task requested', async () => {
    const entry = readDirectoryEntry(requester);
    if (!entry.ok) return `no directory entry: ${entry.problems.map((x) => x.code).join(', ')}`;
    const poolSpecialty = pack.routing.pools[p.pool];
    const specialty = poolSpecialty === undefined ? undefined : codingsOfSpecialty(pack, poolSpecialty)[0];
    if (!specialty) return `no specialty for the pool ${p.pool}`;
    const at = new Date();
    const bundle = signDemoBundle(buildDemoFhirRequest({ request: fhir, requester: entry.value, specialty, at }), party, at);
    const response = (await client.transaction({ body: bundle })) as FhirJson & { type?: string; entry?: { resource?: TaskJson; response?: { status?: string } }[] };
    const taskEntry = response.entry?.find((e) => e.resource?.resourceType === 'Task');
    taskId = taskEntry?.resource?.id;
    const entries = (bundle.entry as unknown[]).length;
    log(`    POST ${baseUrl}: a ${entries}-entry Bundle asking ${specialty.code} (${poolSpecialty}), signed RS256 by mailto:${requester.address} → ${response.type}, Task/${taskId}`);
    return taskEntry ? `${taskEntry.response?.status}: Task ${taskEntry.resource?.status}` : `no Task in the ${response.type ?? 'answer'}`;
  });
  if (!taskId) return;
  const id = taskId;

  let expertPerson: DemoPerson | undefined;
  await step(`the gateway admits and routes it: her Task, read with fhir-kit-client`, `received, owned by a ${p.expertRole}`, async () => {
    await ctx.gateway.drain();
    const task = (await client.read({ resourceType: 'Task', id })) as TaskJson;
    const owner = task.owner?.identifier?.value;
    expertPerson = p.experts.find((e) => owner === `mailto:${e.address}`);
    const row = getRequest(ctx.gateway.db, id);
    if (row?.verdict) log(`    ${describeAdmission(row, pack.name)}`);
    log(`    Task/${id}: ${task.status}, owner ${task.owner?.display ?? '-'} <${owner?.replace(/^mailto:/, '') ?? '-'}>, answer due ${task.restriction?.period?.end ?? '-'}`);
    return `${task.status}, owned by ${expertPerson ? `a ${p.expertRole}` : (owner ?? 'nobody')}`;
  });
  if (!expertPerson) return;
  const expertName = expertPerson.short;
  const expert = ctx.party(expertPerson.name);

  let forward: DemoMail | undefined;
  await step(`${expertName}'s mailbox: ${requester.short}'s request, decrypted and verified`, 'signed by the gateway', () => {
    forward = peers.open(expert).find((m) => m.replyTo?.includes(id));
    if (!forward) return 'nothing';
    const attached = forward.files.length ? `attached: ${forward.files.join(', ')}` : `nothing attached (her documents are read at ${baseUrl}/Binary/{sha256})`;
    log(`    Reply-To ${forward.replyTo}; ${attached}`);
    return forward.opened.signer.email === `gateway@${ctx.domain}` ? 'signed by the gateway' : forward.opened.signer.email;
  });
  if (!forward?.replyTo) return;
  const { replyTo, messageId } = forward;

  await step(`${expertName} accepts by secure mail ("${p.expert.accept}"); her Task, read by FHIR`, 'accepted', async () => {
    await peers.send(expert, replyTo, p.expert.accept, messageId ? { inReplyTo: messageId } : {});
    return String(((await client.read({ resourceType: 'Task', id })) as TaskJson).status);
  });
  await step(`${expertName} gives the opinion by secure mail`, 'answered', async () => {
    await peers.send(expert, replyTo, fhir.opinion, messageId ? { inReplyTo: messageId } : {});
    return getRequest(ctx.gateway.db, id)?.state ?? '?';
  });

  await step(`${requester.short} reads her Task and the opinion Bundle it points to`, 'completed; the opinion, signed by the gateway', async () => {
    const task = (await client.read({ resourceType: 'Task', id })) as TaskJson;
    const reference = task.output?.find((o) => o.valueReference?.reference)?.valueReference?.reference;
    if (task.status !== 'completed' || !reference) return `${task.status}; ${reference ?? 'no output'}`;
    const [type, bundleId] = reference.split('/');
    const opinion = (await client.read({ resourceType: type!, id: bundleId! })) as Bundle;
    const verified = verifyBundleSignature(opinion, { trust: ctx.trust, at: new Date(), expectedSigner: { email: `gateway@${ctx.domain}` } });
    const found = JSON.stringify(opinion).includes(fhir.opinionText);
    const mails = peers.open(party).length;
    const checked = verified.ok ? `signed by gateway@${ctx.domain} (JWS RS256 with its chain, checked against the workspace's CA)` : 'its signature refused';
    log(`    Task.output → ${reference}: a document Bundle (${((opinion.entry as unknown[]) ?? []).length} entries), ${checked}`);
    log(`    ${mails === 0 ? 'nothing reached her by mail: she asked by FHIR, the Task is her answer' : `${mails} mail(s) reached her`}`);
    const signature = verified.ok ? 'signed by the gateway' : `signature refused (${verified.problems.map((x) => x.code).join(', ')})`;
    return `${task.status}; ${found ? 'the opinion' : 'a Bundle without the opinion'}, ${signature}${mails ? `; ${mails} mail(s) to her` : ''}`;
  });

  const billing = fhir.acts.length ? `the insurer receives the ${fhir.acts.join(' and ')} claims of her request` : `the insurer is sent no claim for her request (${pack.name} bills no act)`;
  await step(billing, expectedClaims(fhir.acts), () => readRequestClaims(ctx, id));
}
