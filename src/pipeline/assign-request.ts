/**
 * Routing an admitted request (or one to reassign) and forwarding it: the routing decision (src/routing, pure) on
 * the directory's candidates, then, when an expert is chosen, the request forwarded to them signed and encrypted
 * with its own Reply-To address; the request's assignment and clock set; the decision recorded. Used by the route
 * stage, and by the relay and timer stages when an expert declines or lets the deadline pass. Pure apart from the
 * injected context.
 */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { buildMail, type MailAttachment } from '../mime/build-mail.ts';
import { readMail } from '../payload/mime/find-payload.ts';
import { localDate } from '../policy/local-date.ts';
import type { RulePack } from '../policy/rule-pack-schema.ts';
import { buildReplyHelp } from '../relay/parse-expert-reply.ts';
import { resolvePoolSpecialty, routeRequest, type RouteDecision } from '../routing/route-request.ts';
import type { RequestUpdate, RoutingDecisionInsert, RequestRow } from '../store/requests.ts';
import type { OutboxInsert } from '../store/outbox.ts';
import { answerDueAt } from './assignment-clock.ts';
import { buildForwardText } from './build-forward-mail.ts';
import { buildSealedOutbox } from './build-sealed-outbox.ts';
import type { PipelineContext } from './pipeline-context.ts';
import { parseFhirPayload } from '../payload/fhir/parse-fhir-request.ts';

export interface Assignment {
  decision: RouteDecision;
  requestUpdate: RequestUpdate;
  routingDecisions: RoutingDecisionInsert[];
  outbox: OutboxInsert[];
  detail: string;
}

/** The per-request reply address: a sub-address of the gateway's own (gateway+req-…@domain). */
export function replyAddressOf(ctx: Pick<PipelineContext, 'gatewayAddress'>, requestId: string): string {
  const at = ctx.gatewayAddress.lastIndexOf('@');
  return `${ctx.gatewayAddress.slice(0, at)}+${requestId}${ctx.gatewayAddress.slice(at)}`;
}

/** The request id a reply address names, if it is one of this gateway's. */
export function requestIdOfAddress(ctx: Pick<PipelineContext, 'gatewayAddress'>, address: string): string | undefined {
  const at = ctx.gatewayAddress.lastIndexOf('@');
  const local = ctx.gatewayAddress.slice(0, at).toLowerCase();
  const domain = ctx.gatewayAddress.slice(at).toLowerCase();
  const m = new RegExp(`^${local.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\+(req-[0-9a-z]+)${domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`).exec(address.toLowerCase());
  return m?.[1];
}

/** The original payload part and documents of the request's mail, to attach to what the expert receives. */
export function requestAttachments(content: Buffer | undefined, channel = 'smtp'): MailAttachment[] {
  if (!content) return [];
  if (channel === 'fhir') {
    // a request made over the FHIR API: its signed Bundle as received, and the documents it carries
    const parsed = parseFhirPayload(content, { channel: 'fhir' });
    return [
      { contentType: 'application/fhir+json', name: 'request.json', data: content },
      ...(parsed.ok ? parsed.value.documents.map((d, i) => ({ contentType: d.attachment.contentType, name: d.attachment.name ?? `document-${i + 1}`, data: d.bytes })) : []),
    ];
  }
  const mail = readMail(content);
  if (!mail.ok) return [];
  return [
    ...mail.value.payloads.map((p, i) => ({ contentType: p.contentType, name: p.name ?? `payload-${i + 1}`, data: p.bytes })),
    ...mail.value.documents.map((d, i) => ({ contentType: d.attachment.contentType, name: d.attachment.name ?? `document-${i + 1}`, data: d.bytes })),
  ];
}

/** The codings (every system of the vocabulary × every code of the entry) that mean a pack specialty. */
export function codingsOfSpecialty(pack: RulePack, id: string): { system: string; code: string }[] {
  const entry = pack.specialties.entries.find((e) => e.id === id);
  if (!entry) return [];
  return pack.specialties.systems.flatMap((system) => entry.codes.map((code) => ({ system, code })));
}

export function assignRequest(
  ctx: PipelineContext,
  row: RequestRow,
  request: CanonicalRequest,
  opts: { sourceMessage: string; excluded: string[]; note?: string; fromStates: string[] },
): Assignment {
  const pack = ctx.pack;
  const at = ctx.now();
  const day = localDate(at, pack.timeZone);
  const requester = ctx.practitioner(request.requester);
  const named = request.requested.expert ? ctx.practitioner(request.requested.expert) : request.requested.address ? ctx.practitioner({ identifiers: [], address: request.requested.address }) : undefined;
  const poolSpecialty = resolvePoolSpecialty(request, pack);
  const earlier = row.senderRef && pack.routing?.followUpDays ? ctx.findEarlierAnswered(row.senderRef, row.createdAt) : undefined;
  const hubIds = requester ? ctx.hubsOf(requester.id) : [];
  const candidates = ctx.expertCandidates({
    specialtyCodes: poolSpecialty ? codingsOfSpecialty(pack, poolSpecialty) : [],
    ids: [...(named ? [named.id] : []), ...(earlier?.expert ? [earlier.expert] : []), ...hubIds],
    day,
  });
  const decision = routeRequest({
    request,
    ...(requester ? { requester: { id: requester.id, ...(requester.profession ? { profession: requester.profession } : {}), ...(requester.specialties[0] ? { specialty: requester.specialties[0] } : {}) } } : {}),
    ...(named ? { namedExpertId: named.id } : {}),
    ...(poolSpecialty ? { poolSpecialty } : {}),
    candidates,
    excluded: opts.excluded,
    ...(earlier?.expert && earlier.assignedAt ? { previous: { expertId: earlier.expert, at: earlier.createdAt } } : {}),
    pack,
    at,
    random: ctx.random,
  });
  if (decision.outcome !== 'assigned') {
    const waiting = decision.outcome === 'waiting';
    return {
      decision,
      requestUpdate: {
        id: row.id,
        state: waiting ? 'waiting' : 'refused',
        fromStates: opts.fromStates,
        ...(waiting ? {} : { refusalCodes: [decision.code] }),
        set: { expert: null, expertAddress: null, assignedAt: null, dueAt: null, remindersSent: 0, pausedAt: null },
      },
      routingDecisions: [{ request: row.id, outcome: decision.outcome, reason: `${decision.code}: ${decision.reason}` }],
      outbox: [],
      detail: `request ${row.id} ${decision.outcome}: ${decision.code} (${decision.reason})`,
    };
  }
  const expert = candidates.find((c) => c.id === decision.expertId)!;
  const dueAt = answerDueAt(at, pack);
  const due = localDate(dueAt, pack.timeZone);
  const cert = ctx.encryptionCert(expert.address, at);
  const routingDecisions: RoutingDecisionInsert[] = [{ request: row.id, outcome: 'assigned', expert: expert.id, reason: `${decision.rule}: ${decision.reason}` }];
  if (!cert) {
    // the candidate list said it had one: a certificate that expired between the two reads
    return {
      decision: { outcome: 'waiting', code: 'ROUTE_NO_EXPERT', reason: `no certificate for ${expert.id}` },
      requestUpdate: { id: row.id, state: 'waiting', fromStates: opts.fromStates },
      routingDecisions: [{ request: row.id, outcome: 'waiting', expert: expert.id, reason: 'ROUTE_NO_EXPERT: no valid certificate to encrypt for the expert' }],
      outbox: [],
      detail: `request ${row.id} waiting: no certificate for ${expert.id}`,
    };
  }
  // the Message-ID names the request and the assignment (see undeliverableEvent in assignment-clock.ts)
  const messageId = `<fwd-${row.id}-${expert.id}-${at.getTime()}@${ctx.domain}>`;
  const attachments = requestAttachments(ctx.requestContent(row.message), row.channel);
  const { subject, text } = buildForwardText({
    request,
    requestId: row.id,
    language: pack.language,
    due,
    help: buildReplyHelp(pack.language),
    attachments,
    ...(opts.note ? { note: opts.note } : {}),
  });
  const inner = buildMail({
    from: ctx.gatewayAddress,
    to: expert.address,
    subject,
    messageId,
    date: at,
    headers: { 'Reply-To': replyAddressOf(ctx, row.id), 'Disposition-Notification-To': ctx.gatewayAddress },
    text,
    attachments,
  });
  return {
    decision,
    requestUpdate: {
      id: row.id,
      state: 'routed',
      fromStates: opts.fromStates,
      set: { expert: expert.id, expertAddress: expert.address, assignedAt: at, dueAt, remindersSent: 0, pausedAt: null },
    },
    routingDecisions,
    outbox: [
      buildSealedOutbox(ctx, {
        kind: 'forward',
        idempotencyKey: `forward:${row.id}:${expert.id}:${at.getTime()}`,
        sourceMessage: opts.sourceMessage,
        messageId,
        to: expert.address,
        recipientCert: cert,
        inner,
        expectsMdn: true,
      }),
    ],
    detail: `request ${row.id} routed to ${expert.id} (${decision.rule}), answer due ${due}`,
  };
}
