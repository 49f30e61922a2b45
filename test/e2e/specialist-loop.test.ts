/**
 * The specialist's loop over real loopback SMTP, S/MIME both ways: requester → gateway → expert → gateway →
 * requester, for an IHE 360X request and a REF^I12 request (accept, a question and its answer, the opinion and a
 * correction delivered in the request's dialect); a decline and a deadline expiry each reassign the request; a
 * reply signed by someone who is not the assigned expert is refused and recorded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config-schema.ts';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { buildMail, type MailAttachment } from '../../src/mime/build-mail.ts';
import { headerValue, parseEntity } from '../../src/mime/parse-entity.ts';
import { parseHl7v2Message } from '../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { readMail } from '../../src/payload/mime/find-payload.ts';
import { buildMdn } from '../../src/notify/build-mdn.ts';
import { parseNotification } from '../../src/notify/parse-notification.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { addCertificate, storeDirectoryEntries } from '../../src/store/directory.ts';
import { getMessage } from '../../src/store/messages.ts';
import { findRequestByMessage, getRequest, listOpinions, listRoutingDecisions, type RequestRow } from '../../src/store/requests.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { ROOT } from '../helpers/paths.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { cert, gatewayKey, party, testTrust, type Party } from '../helpers/test-pki.ts';

const PROFESSION = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
const REQUESTER = party('doctor'); // dr.martin@hopital-a.test, a GP
const EXPERTS: Record<string, Party> = { 'cardio.durand@chu-b.test': party('specialist'), 'dr.inter@hopital-a.test': party('via-intermediate') };
const INTERMEDIATE = cert('intermediate');
const NURSE = party('nurse');
const GATEWAY = cert('gateway');
const POOL = 'cardiologie@txgate.localhost';
const DAY_MS = 86_400_000;

let sink: SmtpSink;
let gw: Gateway;
let config: Config;
let clock = new Date();

const omg = readFileSync(join(ROOT, 'fixtures/hl7v2/360x/OMG_O19_referral_request.hl7'), 'utf8').replace(/\r?\n/g, '\r');
// the synthetic REF has an impossible birth date (PID-7 19761325) and a date as its category (RF1-5): corrected here
const ref = readFileSync(join(ROOT, 'fixtures/hl7v2/ref-rri-synthetic/REF_I12_cardiology_referral.hl7'), 'utf8').replace(/\r?\n/g, '\r').replace('19761325', '19761225').replace('|MED^Medical||20260803', '|MED^Medical|');

/** Addresses the peers' server refuses for good (550): a forward to them cannot be delivered. */
const unreachable = new Set<string>();

beforeAll(async () => {
  sink = await startSmtpSink({ rcptBehaviour: (address) => (unreachable.has(address.toLowerCase()) ? { code: 550, message: '5.1.1 No such user' } : 'accept') });
  const made = testGatewayConfig(sink.port);
  // the French pack, without the consent and quota rules the public HL7 samples (no CON segment, no INS) cannot meet
  const fr = JSON.parse(readFileSync(join(ROOT, 'src/policy/packs/fr-teleexpertise.json'), 'utf8')) as Record<string, unknown>;
  const packFile = join(made.dir, 'loop-pack.json');
  const unconfirmed = (fr.unconfirmed as { path: string }[]).filter((u) => !/^(quota|consent)\b/.test(u.path));
  writeFileSync(packFile, JSON.stringify({ ...fr, name: 'test-loop', consent: { required: false, covers: [] }, quota: undefined, unconfirmed }));
  config = { ...made.config, policy: { pack: packFile }, pipeline: { ...made.config.pipeline, timerSweepMs: 3_600_000 } };
  gw = await startGateway(config, { log: silentLogger, now: () => clock });
  // the directory: the requesting GP, two cardiologists with their certificates
  const entry = (address: string, specialty: string) => ({ identifiers: [], addresses: [address], profession: { system: PROFESSION, code: '10' }, specialties: [{ system: SPECIALTY, code: specialty }] });
  storeDirectoryEntries(gw.db, [entry(REQUESTER.cert.sanEmails[0]!, 'SM54'), ...Object.keys(EXPERTS).map((a) => entry(a, 'SM04'))], 'test', clock);
  for (const [address, p] of Object.entries(EXPERTS)) {
    const id = (gw.db.prepare('SELECT practitioner FROM practitioner_addresses WHERE address = ?').get(address) as { practitioner: string }).practitioner;
    addCertificate(gw.db, id, p.cert.der, p.cert.notBefore, p.cert.notAfter);
  }
  // the requester's certificate, for what the gateway sends back
  const doctorId = (gw.db.prepare('SELECT practitioner FROM practitioner_addresses WHERE address = ?').get(REQUESTER.cert.sanEmails[0]!) as { practitioner: string }).practitioner;
  addCertificate(gw.db, doctorId, REQUESTER.cert.der, REQUESTER.cert.notBefore, REQUESTER.cert.notAfter);
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

function sealedFrom(p: Party, to: string, text: string, opts: { inReplyTo?: string; attachments?: MailAttachment[]; headers?: Record<string, string> } = {}): Buffer {
  const from = p.cert.sanEmails[0]!;
  const inner = buildMail({
    from,
    to,
    subject: 'Re: tele-expertise',
    messageId: `<m-${Math.random().toString(36).slice(2)}@${from.split('@')[1]}>`,
    date: clock,
    ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    text,
    attachments: opts.attachments ?? [],
  });
  return sealMessage(inner, { signerKey: p.key, signerCert: p.cert, chain: p.name === 'via-intermediate' ? [INTERMEDIATE] : [], recipients: [GATEWAY], now: clock });
}

async function send(p: Party, to: string, text: string, opts: { inReplyTo?: string; attachments?: MailAttachment[]; headers?: Record<string, string> } = {}): Promise<string> {
  const r = await sendSmtp(gw.smtpPort!, { from: p.cert.sanEmails[0]!, to: [to] }, sealedFrom(p, to, text, opts));
  expect(r.ok, r.response).toBe(true);
  await gw.drain();
  return /queued as (\S+)/.exec(r.response)![1]!;
}

interface Received {
  messageId: string;
  replyTo: string | undefined;
  subject: string;
  text: string;
  attachments: { name: string; contentType: string; bytes: Buffer }[];
}

/** RFC 2047 encoded words (as the gateway writes subjects) back to text. */
function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?B\?([^?]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

let seen = 0;
/** What reached `p` since the last call (opened with their key, the gateway's signature checked), by kind of mail. */
function newMailFor(p: Party): Received[] {
  const address = p.cert.sanEmails[0]!;
  const out: Received[] = [];
  for (const m of sink.messages.slice(seen)) {
    if (!m.envelope.to.includes(address) || m.envelope.from === '') continue; // MDNs have a null sender
    const opened = openMessage(m.raw, { keys: [gatewayKey(p.name)], trust: testTrust() });
    expect(opened.signer.email).toBe('gateway@txgate.localhost');
    const headers = parseEntity(opened.content).headers;
    const mail = readMail(opened.content);
    if (!mail.ok) throw new Error(JSON.stringify(mail.problems));
    out.push({
      messageId: headerValue(headers, 'message-id')!,
      replyTo: headerValue(headers, 'reply-to'),
      subject: decodeWords(headerValue(headers, 'subject') ?? ''),
      text: mail.value.text ?? '',
      attachments: [...mail.value.payloads.map((x) => ({ name: x.name ?? '', contentType: x.contentType, bytes: x.bytes })), ...mail.value.documents.map((d) => ({ name: d.attachment.name ?? '', contentType: d.attachment.contentType, bytes: d.bytes }))],
    });
  }
  return out;
}

/** Marks everything the sink holds as read. */
function markRead(): void {
  seen = sink.messages.length;
}

function expertOf(row: RequestRow): Party {
  return EXPERTS[row.expertAddress!]!;
}

function otherExpert(p: Party): Party {
  return Object.values(EXPERTS).find((e) => e !== p)!;
}

/** Sends a request, returns the request row and the forward the assigned expert received. */
async function requestAndForward(payload: string, name: string): Promise<{ row: RequestRow; expert: Party; forward: Received }> {
  markRead();
  const id = await send(REQUESTER, POOL, 'Demande d’avis cardiologique, voir la pièce jointe.', { attachments: [{ contentType: 'application/hl7-v2', name, data: Buffer.from(payload) }] });
  const row = findRequestByMessage(gw.db, id)!;
  expect(row, JSON.stringify(getMessage(gw.db, id)?.history)).toBeDefined();
  expect(row.state, JSON.stringify({ history: getMessage(gw.db, id)?.history.map((h) => h.detail), verdict: row.verdict })).toBe('routed');
  const expert = expertOf(row);
  const forwards = newMailFor(expert);
  expect(forwards).toHaveLength(1);
  return { row, expert, forward: forwards[0]! };
}

describe('delivery notifications along the loop', () => {
  it("sends the requester a dispatched MDN (final destination delivery) once the expert's side confirms the forward", async () => {
    markRead();
    const id = await send(REQUESTER, POOL, 'Demande d’avis.', {
      attachments: [{ contentType: 'application/hl7-v2', name: 'referral.hl7', data: Buffer.from(omg.replaceAll('889342', '889347')) }],
      headers: { 'Disposition-Notification-Options': 'X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true' },
    });
    const row = findRequestByMessage(gw.db, id)!;
    const expert = expertOf(row);
    const forward = newMailFor(expert)[0]!;
    // the expert's mail system answers the forward with a processed MDN, signed and encrypted for the gateway
    const mdn = buildMdn({
      disposition: 'processed',
      from: expert.cert.sanEmails[0]!,
      to: 'gateway@txgate.localhost',
      originalMessageId: forward.messageId,
      originalRecipient: expert.cert.sanEmails[0]!,
      reportingUa: 'chu-b.test; mail',
      messageId: `<mdn-${Math.random().toString(36).slice(2)}@chu-b.test>`,
      date: clock,
    });
    const sealed = sealMessage(mdn, { signerKey: expert.key, signerCert: expert.cert, chain: expert.name === 'via-intermediate' ? [INTERMEDIATE] : [], recipients: [GATEWAY], now: clock });
    expect((await sendSmtp(gw.smtpPort!, { from: '', to: ['gateway@txgate.localhost'] }, sealed)).ok).toBe(true);
    await gw.drain();
    const dispatched = sink.messages.slice(seen).filter((m) => m.envelope.to.includes(REQUESTER.cert.sanEmails[0]!) && m.envelope.from === '');
    const notes = dispatched.map((m) => parseNotification(openMessage(m.raw, { keys: [gatewayKey(REQUESTER.name)], trust: testTrust() }).content));
    expect(notes).toContainEqual(expect.objectContaining({ kind: 'mdn', disposition: 'dispatched' }));
  }, 60_000);
});

describe('a forward that cannot be delivered', () => {
  it('reassigns the request to the next expert, and waits (alerting the operator) when nobody can be reached', async () => {
    for (const address of Object.keys(EXPERTS)) unreachable.add(address);
    try {
      markRead();
      const id = await send(REQUESTER, POOL, 'Demande d’avis.', { attachments: [{ contentType: 'application/hl7-v2', name: 'referral.hl7', data: Buffer.from(omg.replaceAll('889342', '889346')) }] });
      // the first forward fails for good, the gateway (its originator) reassigns, the second fails too
      for (let i = 0; i < 4; i++) await gw.drain();
      const row = findRequestByMessage(gw.db, id)!;
      expect(listRoutingDecisions(gw.db, row.id).map((d) => d.outcome)).toEqual(['assigned', 'unreachable', 'assigned', 'unreachable', 'waiting']);
      expect(getRequest(gw.db, row.id)!.state).toBe('waiting');
    } finally {
      unreachable.clear();
    }
  }, 60_000);
});

describe('the operator endpoint of a running gateway', () => {
  it('is ready, and its metrics count the requests by state', async () => {
    await requestAndForward(omg.replaceAll('889342', '889345'), 'referral.hl7');
    const base = `http://127.0.0.1:${gw.opsPort}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/txgate_requests\{state="routed"\} [1-9]/);
  }, 60_000);
});

describe('the specialist loop by secure mail', () => {
  it('360X: forwards to a cardiologist of the pool, relays accept, a question and its answer, the opinion (OSU^O51) and a correction', async () => {
    const { row, expert, forward } = await requestAndForward(omg, 'referral.hl7');
    expect(forward.replyTo).toBe(`gateway+${row.id}@txgate.localhost`);
    expect(forward.text).toContain('Packton');
    expect(forward.text).toContain('Rule out headache');
    expect(forward.attachments.map((a) => a.name)).toContain('referral.hl7');
    expect(listRoutingDecisions(gw.db, row.id)).toMatchObject([{ outcome: 'assigned', expert: row.expert }]);

    // accept
    markRead();
    await send(expert, forward.replyTo!, 'ACCEPTE', { inReplyTo: forward.messageId });
    expect(getRequest(gw.db, row.id)!.state).toBe('accepted');
    const accepted = newMailFor(REQUESTER);
    expect(accepted).toHaveLength(1);
    const osu = parseHl7v2Message(accepted[0]!.attachments.find((a) => a.name === 'answer.hl7')!.bytes);
    expect(osu).toMatchObject({ ok: true, value: { kind: 'order-status', update: { referral: { value: '889342' } } } });

    // a question: the clock stops; the requester's answer goes to the expert, the clock runs again
    markRead();
    await send(expert, forward.replyTo!, 'QUESTION : quelle est la tension artérielle ?');
    const paused = getRequest(gw.db, row.id)!;
    expect(paused.state).toBe('information-requested');
    expect(paused.pausedAt).toBeDefined();
    const question = newMailFor(REQUESTER);
    expect(question[0]!.text).toContain('quelle est la tension artérielle ?');
    expect(question[0]!.replyTo).toBe(forward.replyTo);
    markRead();
    await send(REQUESTER, question[0]!.replyTo!, 'TA 150/90 ce matin.');
    expect(getRequest(gw.db, row.id)!).toMatchObject({ state: 'accepted', pausedAt: undefined });
    expect(newMailFor(expert)[0]!.text).toContain('TA 150/90 ce matin.');

    // the opinion, with a report: to the requester in 360X (OSU^O51 finalized), with the record for the patient file
    markRead();
    const report = { contentType: 'application/pdf', name: 'compte-rendu.pdf', data: Buffer.from('%PDF-1.4\n% avis\n%%EOF\n') };
    await send(expert, forward.replyTo!, 'AVIS : pas d’urgence, échographie cardiaque à prévoir.', { attachments: [report] });
    expect(getRequest(gw.db, row.id)!.state).toBe('answered');
    const opinion = newMailFor(REQUESTER)[0]!;
    expect(opinion.text).toContain('pas d’urgence, échographie cardiaque à prévoir.');
    const finalized = parseHl7v2Message(opinion.attachments.find((a) => a.name === 'answer.hl7')!.bytes);
    expect(finalized).toMatchObject({ ok: true, value: { kind: 'order-status', update: { event: 'finalized', opinion: { text: expect.stringContaining('échographie cardiaque') } } } });
    expect(opinion.attachments.find((a) => a.name === 'compte-rendu.pdf')!.bytes.equals(report.data)).toBe(true);
    const record = JSON.parse(opinion.attachments.find((a) => a.name === 'patient-record.json')!.bytes.toString('utf8')) as Record<string, unknown>;
    expect(JSON.stringify(record)).toContain(expert.cert.sanEmails[0]!);

    // a correction: version 2, relayed, version 1 kept
    markRead();
    await send(expert, forward.replyTo!, 'CORRECTION : échographie cardiaque sous 15 jours.');
    expect(listOpinions(gw.db, row.id).map((o) => o.version)).toEqual([1, 2]);
    expect(newMailFor(REQUESTER)[0]!.text).toContain('sous 15 jours');
  }, 60_000);

  it('refuses and records a reply signed by someone who is not the assigned expert', async () => {
    const { row, expert } = await requestAndForward(omg.replaceAll('889342', '889343'), 'referral.hl7');
    const id = await send(NURSE, `gateway+${row.id}@txgate.localhost`, 'AVIS : tout va bien.');
    expect(getMessage(gw.db, id)).toMatchObject({ state: 'reply-refused', refusalCode: 'RELAY_NOT_ASSIGNED' });
    expect(getRequest(gw.db, row.id)!.state).toBe('routed');
    expect(newMailFor(REQUESTER).filter((m) => m.text.includes('tout va bien'))).toEqual([]);
    // a verb the state does not allow is refused too (a correction before any opinion)
    const early = await send(expert, `gateway+${row.id}@txgate.localhost`, 'CORRECTION : rien.');
    expect(getMessage(gw.db, early)).toMatchObject({ state: 'reply-refused', refusalCode: 'RELAY_INVALID_TRANSITION' });
  }, 60_000);

  it('REF^I12: a decline reassigns to the other cardiologist, whose opinion goes back as RRI^I12', async () => {
    const { row, expert, forward } = await requestAndForward(ref, 'referral.hl7');
    markRead();
    await send(expert, forward.replyTo!, 'REFUS : absent cette semaine.');
    const moved = getRequest(gw.db, row.id)!;
    const second = otherExpert(expert);
    expect(moved).toMatchObject({ state: 'routed', expertAddress: second.cert.sanEmails[0] });
    expect(listRoutingDecisions(gw.db, row.id).map((d) => d.outcome)).toEqual(['assigned', 'declined', 'assigned']);
    expect(newMailFor(REQUESTER)).toHaveLength(1);
    const secondForward = newMailFor(second);
    expect(secondForward).toHaveLength(1);

    markRead();
    await send(second, secondForward[0]!.replyTo!, 'OPINION: sinus rhythm, no further test needed.');
    const answer = newMailFor(REQUESTER)[0]!;
    const rri = parseHl7v2Message(answer.attachments.find((a) => a.name === 'answer.hl7')!.bytes);
    expect(rri).toMatchObject({ ok: true, value: { kind: 'referral-response' } });
    expect(getRequest(gw.db, row.id)!.state).toBe('answered');
  }, 60_000);

  it('reminds the expert at half time, and on expiry withdraws the request and reassigns it', async () => {
    const start = clock;
    try {
      const { row, expert } = await requestAndForward(omg.replaceAll('889342', '889344'), 'referral.hl7');
      const due = getRequest(gw.db, row.id)!.dueAt!;
      // (the requests of the other tests run their clocks too: only this one's mails are looked at)
      const about = (mails: Received[]) => mails.filter((m) => m.subject.includes(row.id));
      // half time: one reminder, however often the sweep runs
      clock = new Date(row.assignedAt!.getTime() + (due.getTime() - row.assignedAt!.getTime()) * 0.6);
      markRead();
      expect(gw.sweepTimers()).toBeGreaterThan(0);
      expect(gw.sweepTimers()).toBe(0);
      await gw.drain();
      const reminders = about(newMailFor(expert));
      expect(reminders).toHaveLength(1);
      expect(reminders[0]!.text).toContain(row.id);
      expect(getRequest(gw.db, row.id)!.remindersSent).toBe(1);

      // the deadline passes: withdrawn from the expert, reassigned to the other, the requester told
      clock = new Date(due.getTime() + DAY_MS);
      markRead();
      expect(gw.sweepTimers()).toBeGreaterThan(0);
      await gw.drain();
      const after = getRequest(gw.db, row.id)!;
      expect(after).toMatchObject({ state: 'routed', expertAddress: otherExpert(expert).cert.sanEmails[0] });
      expect(listRoutingDecisions(gw.db, row.id).map((d) => d.outcome)).toEqual(['assigned', 'expired', 'assigned']);
      expect(about(newMailFor(expert))).toHaveLength(1);
      expect(about(newMailFor(otherExpert(expert)))).toHaveLength(1);
      expect(about(newMailFor(REQUESTER))).toHaveLength(1);
    } finally {
      clock = start;
    }
  }, 60_000);
  it("tells the expert who holds a request that its requester cancelled it (360X OSU^O51 CA)", async () => {
    const { row, expert } = await requestAndForward(omg.replaceAll('889342', '889348'), 'referral.hl7');
    const osu = readFileSync(join(ROOT, 'fixtures/hl7v2/360x/OSU_O51_referral_cancel.hl7'), 'utf8').replace(/\r?\n/g, '\r').replaceAll('889342', '889348');
    markRead();
    await send(REQUESTER, POOL, 'Annulation.', { attachments: [{ contentType: 'application/hl7-v2', name: 'cancel.hl7', data: Buffer.from(osu) }] });
    expect(getRequest(gw.db, row.id)!.state).toBe('cancelled');
    const told = newMailFor(expert).filter((m) => m.subject.includes(row.id));
    expect(told).toHaveLength(1);
    expect(told[0]!.subject).toContain('annulée');
    expect(told[0]!.text).toContain('annulée par le requérant');
  });
});

