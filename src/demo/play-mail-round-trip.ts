/**
 * The round trip by secure mail: the requester sends the form to the pool, the gateway admits and routes it, the
 * expert's mailbox gets it (decrypted, signed by the gateway), the expert accepts and gives the opinion with a
 * report, the requester is told and receives the opinion with the record for the patient file, and the insurer
 * receives the claims of the acts the pack bills (or nothing, for a pack that bills nothing).
 */
import { getRequest, type RequestRow } from '../store/requests.ts';
import type { DemoMail } from './demo-peers.ts';
import { describeAdmission } from './describe-admission.ts';
import { expectedBilling } from './demo-programme.ts';
import type { DemoScene } from './demo-scene.ts';
import { readRequestClaims } from './read-request-claims.ts';

export const playMailRoundTrip: DemoScene = async (ctx) => {
  const { programme: p, step, log, peers } = ctx;
  const requester = ctx.party(p.requester.name);
  const pool = ctx.addressOf(p.pool);
  let first: RequestRow | undefined;
  peers.mark();
  await step(`${p.requester.short} (${p.requester.role}) sends a request to ${p.pool}@ by secure mail`, 'routed', async () => {
    const text = p.buildForm({ patient: p.patients.main, question: p.request.question, at: ctx.now });
    const id = await peers.send(requester, pool, text, { attachments: [p.request.attachment] });
    first = peers.requestOf(id);
    if (first) log(`    ${describeAdmission(first, ctx.pack.name)}`);
    return first?.state ?? peers.outcomeOf(id);
  });
  const expertPerson = p.experts.find((e) => e.address === first?.expertAddress) ?? p.experts[0];
  const expert = ctx.party(expertPerson.name);
  let forward: DemoMail | undefined;
  await step(`the ${p.expertRole}'s mailbox: the request, decrypted and verified`, 'signed by the gateway', () => {
    forward = peers.open(expert)[0];
    if (!forward) return 'nothing';
    log(`    Reply-To ${forward.replyTo}; attached: ${forward.files.join(', ')}`);
    return forward.opened.signer.email === `gateway@${ctx.domain}` ? 'signed by the gateway' : forward.opened.signer.email;
  });
  if (!forward?.replyTo || !first) return;
  const { replyTo, messageId } = forward;
  const requestId = first.id;
  peers.mark();
  await step(`the ${p.expertRole} accepts (reply "${p.expert.accept}")`, 'accepted', async () => {
    await peers.send(expert, replyTo, p.expert.accept, messageId ? { inReplyTo: messageId } : {});
    return getRequest(ctx.gateway.db, requestId)?.state ?? '?';
  });
  await step(`${p.requester.short} is told the request was accepted`, 'told', () => (peers.open(requester).some((m) => m.text.includes(p.acceptedText)) ? 'told' : 'not told'));
  peers.mark();
  await step(`the ${p.expertRole} gives the opinion, with a report`, 'answered', async () => {
    await peers.send(expert, replyTo, p.expert.opinion, { attachments: [p.expert.report] });
    return getRequest(ctx.gateway.db, requestId)?.state ?? '?';
  });
  await step(`${p.requester.short} receives the opinion and the record for the patient file`, 'received', () => {
    const m = peers.open(requester).find((x) => x.text.includes(p.expert.opinionText));
    if (!m) return 'nothing';
    log(`    attached: ${m.files.join(', ')}`);
    return m.files.includes('patient-record.json') && m.files.includes(p.expert.report.name ?? '') ? 'received' : `files: ${m.files.join(', ')}`;
  });
  await step(p.billing.step, expectedBilling(p), () => readRequestClaims(ctx, requestId));
};
