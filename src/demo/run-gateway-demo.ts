/**
 * The whole job, for real, on loopback: a fresh workspace (a development PKI, a configuration, a practitioner
 * directory imported from a CSV), the gateway started, and its peers played by the demo: a GP sending a request by
 * secure mail, a cardiologist's mailbox that decrypts it, accepts and answers, the development insurer receiving the
 * claims as FHIR Claim bundles, and the refused cases (a fifth request
 * for the same patient in the year, an ineligible pair, an unknown signer). Every step is timed and checked; the
 * result says whether each happened as expected.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { loadConfig } from '../config/load-config.ts';
import { importCertificateFile } from '../directory/import-certificates.ts';
import { importDirectoryFile } from '../directory/import-directory-file.ts';
import { startGateway, type Gateway } from '../gateway/start-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { buildMail, type MailAttachment } from '../mime/build-mail.ts';
import { headerValue, parseEntity } from '../mime/parse-entity.ts';
import { readMail } from '../payload/mime/find-payload.ts';
import { parseCertificates } from '../pki/certificate.ts';
import { buildTrustStore } from '../pki/trust-store.ts';
import { createDevPki, writeDevPki, type DevParty } from '../pki/create-dev-pki.ts';
import { makeGatewayKey } from '../smime/gateway-key.ts';
import { openMessage } from '../smime/open-message.ts';
import { sealMessage } from '../smime/seal-message.ts';
import { getMessage } from '../store/messages.ts';
import { openDatabase } from '../store/open-database.ts';
import { findRequestByMessage, getRequest, type RequestRow } from '../store/requests.ts';
import { startDevInsurer, type DevInsurer } from '../billing/dev-insurer.ts';
import { listClaims } from '../store/claims.ts';
import { startDemoMailboxes, type DemoMailboxes } from './demo-mailboxes.ts';

const DOMAIN = 'txgate.localhost';
const POOL = `cardiologie@${DOMAIN}`;

export interface GatewayDemoStep {
  name: string;
  expected: string;
  got: string;
  ok: boolean;
  ms: number;
}

export interface GatewayDemoResult {
  ok: boolean;
  steps: GatewayDemoStep[];
  workspace: string;
  config: string;
  database: string;
  mailboxes: string;
  /** with keep: the running gateway (stop it to end) */
  gateway?: Gateway;
  stop?: () => Promise<void>;
}

export interface GatewayDemoOptions {
  log: (line: string) => void;
  dir?: string;
  pack?: string;
  /** leave the gateway and the mailboxes running */
  keep?: boolean;
}

/** A NIR (13 digits) with its key (97 − n mod 97): a valid INS for the demo's synthetic patients. */
export function nirWithKey(body: string): string {
  return `${body}${String(97 - Number(BigInt(body) % 97n)).padStart(2, '0')}`;
}

function frenchDate(d: Date): string {
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

/** The plain form a GP writes from a webmail (src/payload/form): patient, INS, question, consent, mode of return. */
export function formRequest(patient: { name: string; ins: string; born: string }, question: string, consentDay: Date): string {
  return [
    'Bonjour,',
    '',
    `Patient: ${patient.name}`,
    `INS: ${patient.ins}`,
    `Né le: ${patient.born}`,
    `Question: ${question}`,
    `Consentement: oui, le ${frenchDate(consentDay)} — motif, identité et spécialité du médecin requis, mode de retour`,
    'Retour: téléphone',
    '',
    'Bien confraternellement,',
  ].join('\n');
}

export async function runGatewayDemo(o: GatewayDemoOptions): Promise<GatewayDemoResult> {
  const workspace = o.dir ?? mkdtempSync(join(tmpdir(), 'txgate-demo-'));
  const steps: GatewayDemoStep[] = [];
  const log = o.log;
  const step = async (name: string, expected: string, fn: () => Promise<string> | string): Promise<string> => {
    const t0 = performance.now();
    let got: string;
    try {
      got = await fn();
    } catch (err) {
      got = `error: ${(err as Error).message}`;
    }
    const ms = performance.now() - t0;
    const ok = got === expected;
    steps.push({ name, expected, got, ok, ms });
    log(`${ok ? '✔' : '✘'} ${name.padEnd(64)} ${ms.toFixed(0).padStart(5)} ms  ${got}`);
    return got;
  };

  log(`txgate demo: the tele-expertise loop by secure mail, for real on loopback, in ${workspace}\n`);
  const now = new Date();
  const configFile = join(workspace, 'txgate.json');
  const database = join(workspace, 'txgate.db');
  const mailDir = join(workspace, 'mailboxes');
  let gp!: DevParty;
  let cardio1!: DevParty;
  let cardio2!: DevParty;
  let outsider!: DevParty;
  let mailboxes: DemoMailboxes | undefined;
  let insurer: DevInsurer | undefined;
  let gw: Gateway | undefined;
  let pkiDir = '';

  await step('workspace: development PKI, configuration, directory of 3 doctors', 'done', () => {
    const pki = createDevPki({
      domain: DOMAIN,
      people: [
        { name: 'dr-martin', cn: 'Dr Claire Martin', address: 'dr.martin@hopital-a.test', o: 'Hopital A' },
        { name: 'dr-durand', cn: 'Dr Paul Durand', address: 'cardio.durand@chu-b.test', o: 'CHU B' },
        { name: 'dr-leroy', cn: 'Dr Marie Leroy', address: 'dr.leroy@chu-b.test', o: 'CHU B' },
      ],
    });
    [gp, cardio1, cardio2] = pki.people as [DevParty, DevParty, DevParty];
    outsider = createDevPki({ domain: 'elsewhere.test', people: [{ name: 'outsider', cn: 'Dr Outsider', address: 'dr.outsider@elsewhere.test' }] }).people[0]!;
    pkiDir = join(workspace, 'pki');
    const files = writeDevPki(pki, pkiDir);
    mkdirSync(join(workspace, 'certificates'), { recursive: true });
    // the directory: who is who (profession 10 doctor; SM54 general practice, SM04 cardiology)
    const csv = [
      'identifiers,family,given,prefix,profession,specialties,council,municipality,organization,organization_identifiers,addresses,capacity,active,absences,programmes,hub_for',
      'RPPS|10100000011,Martin,Claire,Dr,10,SM54,,,Hopital A,,dr.martin@hopital-a.test,,,,fr-teleexpertise,',
      'RPPS|10100000029,Durand,Paul,Dr,10,SM04,,,CHU B,,cardio.durand@chu-b.test,5,,,fr-teleexpertise,',
      'RPPS|10100000045,Leroy,Marie,Dr,10,SM04,,,CHU B,,dr.leroy@chu-b.test,5,,,fr-teleexpertise,',
    ].join('\n');
    writeFileSync(join(workspace, 'directory.csv'), `${csv}\n`);
    writeFileSync(
      configFile,
      JSON.stringify(
        {
          domain: DOMAIN,
          database: { path: 'txgate.db' },
          smtp: { port: 0 },
          tls: { cert: files.gateway!.cert, key: files.gateway!.key },
          smime: { keys: [{ key: files.gateway!.key, cert: files.gateway!.cert }], trust: [{ path: files.ca!.cert }] },
          certificates: { dir: 'certificates' },
          blobs: { dir: 'blobs' },
          outbound: { smartHost: { host: '127.0.0.1', port: 25, requireTls: true, ca: [files.ca!.cert], servername: 'localhost' }, retry: { initialDelayMs: 200, maxDelayMs: 1000 } },
          pipeline: { pollMs: 20 },
          ops: { port: 0 },
          policy: { pack: o.pack ?? 'fr-teleexpertise' },
        },
        null,
        2,
      ),
    );
    const db = openDatabase(database);
    try {
      const imported = importDirectoryFile(db, join(workspace, 'directory.csv'), { now });
      if (!imported.ok) return `directory: ${imported.problems.map((p) => p.code).join(', ')}`;
      for (const name of ['dr-martin', 'dr-durand', 'dr-leroy']) {
        const c = importCertificateFile(db, files[name]!.cert);
        if (!c.ok) return `certificate ${name}: ${c.problems.map((p) => p.code).join(', ')}`;
      }
    } finally {
      db.close();
    }
    return 'done';
  });

  await step("the peers' mail servers, the insurer (FHIR) and the gateway start on loopback", 'listening', async () => {
    mailboxes = await startDemoMailboxes({ key: readFileSync(join(pkiDir, 'gateway.key.pem')), cert: readFileSync(join(pkiDir, 'gateway.crt.pem')) });
    insurer = await startDevInsurer({ port: 0 });
    const json = JSON.parse(readFileSync(configFile, 'utf8')) as { outbound: { smartHost: { port: number } }; billing?: unknown };
    json.outbound.smartHost.port = mailboxes.port;
    json.billing = { enabled: true, insurer: { baseUrl: insurer.url, name: 'Assurance Maladie (development insurer)' }, retry: { initialDelayMs: 200, maxDelayMs: 1000 } };
    writeFileSync(configFile, JSON.stringify(json, null, 2));
    const loaded = loadConfig(configFile);
    if (!loaded.ok) return loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    gw = await startGateway(loaded.value, { log: silentLogger });
    return gw.smtpPort ? 'listening' : 'no SMTP port';
  });
  if (!gw || !mailboxes) return finish();
  const g = gw;
  const boxes = mailboxes;
  const caPem = readFileSync(join(pkiDir, 'ca.crt.pem'));
  const trust = buildTrustStore([{ cert: parseCa(caPem) }]);

  const send = async (p: DevParty, to: string, text: string, opts: { attachments?: MailAttachment[]; inReplyTo?: string; subject?: string } = {}): Promise<string> => {
    const inner = buildMail({
      from: p.address,
      to,
      subject: opts.subject ?? 'Demande de téléexpertise',
      messageId: `<demo-${Math.random().toString(36).slice(2)}@${p.address.split('@')[1]}>`,
      date: new Date(),
      ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
      headers: { 'Disposition-Notification-To': p.address },
      text,
      attachments: opts.attachments ?? [],
    });
    const sealed = sealMessage(inner, { signerKey: p.key, signerCert: p.cert, recipients: [parseCa(readFileSync(join(pkiDir, 'gateway.crt.pem')))] });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: g.smtpPort!, secure: false, requireTLS: true, tls: { ca: [caPem], servername: 'localhost' }, disableFileAccess: true, disableUrlAccess: true });
    try {
      const info = await transport.sendMail({ envelope: { from: p.address, to: [to] }, raw: sealed });
      await g.drain();
      return /queued as (\S+)/.exec(info.response)?.[1] ?? info.response;
    } finally {
      transport.close();
    }
  };
  let read = 0;
  /** What reached `p` since the last look, opened with their key; the gateway's signature checked. */
  const open = (p: DevParty) => {
    const mails = boxes.for(p.address, read).filter((m) => m.from !== '');
    return mails.map((m) => {
      const opened = openMessage(m.raw, { keys: [makeGatewayKey(p.key, p.cert)], trust });
      const headers = parseEntity(opened.content).headers;
      const mail = readMail(opened.content);
      return {
        opened,
        replyTo: headerValue(headers, 'reply-to'),
        messageId: headerValue(headers, 'message-id'),
        text: mail.ok ? (mail.value.text ?? '') : '',
        files: mail.ok ? [...mail.value.payloads.map((x) => x.name ?? ''), ...mail.value.documents.map((d) => d.attachment.name ?? '')] : [],
      };
    });
  };
  const mark = () => (read = boxes.mails.length);
  const requestOf = (messageId: string): RequestRow | undefined => findRequestByMessage(g.db, messageId);

  const patient = { name: 'Jeanne Exemple (synthétique)', ins: nirWithKey('2560475123456'), born: '12/04/1956' };
  const ecg: MailAttachment = { contentType: 'application/pdf', name: 'ecg.pdf', data: Buffer.from('%PDF-1.4\n% ECG de démonstration (synthétique)\n%%EOF\n') };
  let first: RequestRow | undefined;
  mark();
  await step('Dr Martin (GP) sends a request to cardiologie@ by secure mail', 'routed', async () => {
    const id = await send(gp, POOL, formRequest(patient, 'Souffle systolique 2/6 découvert ce jour, asymptomatique. Échographie nécessaire ?', now), { attachments: [ecg] });
    first = requestOf(id);
    const verdict = first?.verdict as { acts?: { code: string; amount: { value: number } }[] } | undefined;
    if (first) log(`    admitted under ${o.pack ?? 'fr-teleexpertise'}, billable: ${(verdict?.acts ?? []).map((a) => `${a.code} €${a.amount.value}`).join(', ') || 'none'}; routed to ${first.expertAddress} (${first.expert})`);
    return first?.state ?? getMessage(g.db, id)?.state ?? 'lost';
  });
  const expert = first?.expertAddress === cardio2.address ? cardio2 : cardio1;
  let forward: ReturnType<typeof open>[number] | undefined;
  await step("the cardiologist's mailbox: the request, decrypted and verified", 'signed by the gateway', () => {
    forward = open(expert)[0];
    if (!forward) return 'nothing';
    log(`    Reply-To ${forward.replyTo}; attached: ${forward.files.join(', ')}`);
    return forward.opened.signer.email === `gateway@${DOMAIN}` ? 'signed by the gateway' : forward.opened.signer.email;
  });
  if (!forward?.replyTo || !first) return finish();
  const replyTo = forward.replyTo;
  const requestId = first.id;
  mark();
  await step('the cardiologist accepts (reply "ACCEPTE")', 'accepted', async () => {
    await send(expert, replyTo, 'ACCEPTE', { inReplyTo: forward!.messageId });
    return getRequest(g.db, requestId)?.state ?? '?';
  });
  await step('Dr Martin is told the request was accepted', 'told', () => (open(gp).some((m) => m.text.includes('acceptée')) ? 'told' : 'not told'));
  mark();
  const report: MailAttachment = { contentType: 'application/pdf', name: 'compte-rendu.pdf', data: Buffer.from('%PDF-1.4\n% compte rendu de démonstration\n%%EOF\n') };
  await step('the cardiologist gives the opinion, with a report', 'answered', async () => {
    await send(expert, replyTo, 'AVIS : souffle fonctionnel probable. Échographie cardiaque dans les 3 mois, pas d’urgence.', { attachments: [report] });
    return getRequest(g.db, requestId)?.state ?? '?';
  });
  await step('Dr Martin receives the opinion and the record for the patient file', 'received', () => {
    const m = open(gp).find((x) => x.text.includes('souffle fonctionnel probable'));
    if (!m) return 'nothing';
    log(`    attached: ${m.files.join(', ')}`);
    return m.files.includes('patient-record.json') && m.files.includes('compte-rendu.pdf') ? 'received' : `files: ${m.files.join(', ')}`;
  });
  await step('the insurer receives the TE2 and RQD claims (FHIR Claim/$submit)', 'RQD complete, TE2 complete', () => {
    const claims = listClaims(g.db, { request: requestId });
    for (const c of claims) log(`    ${c.actCode}: ${c.state}, ClaimResponse outcome ${c.outcome ?? '-'} (${c.id})`);
    return claims
      .map((c) => `${c.actCode} ${c.state === 'submitted' ? (c.outcome ?? '?') : c.state}`)
      .sort()
      .join(', ');
  });

  log('\nWhat the rules refuse, each with its stable code, the requester told in French:');
  await step('three more requests for the same patient this year are admitted', 'routed routed routed', async () => {
    const states: string[] = [];
    for (let i = 0; i < 3; i++) states.push(requestOf(await send(gp, POOL, formRequest(patient, `Contrôle ${i + 2}.`, now)))?.state ?? '?');
    return states.join(' ');
  });
  mark();
  await step('a fifth request for the same patient in the year', 'POLICY_QUOTA_EXCEEDED', async () => {
    const r = requestOf(await send(gp, POOL, formRequest(patient, 'Cinquième demande.', now)));
    return r?.refusalCodes.join(', ') || r?.state || '?';
  });
  await step('a cardiologist asking the dermatology pool (two organ specialties)', 'POLICY_PAIR_NOT_ELIGIBLE', async () => {
    const other = { name: 'Paul Autre (synthétique)', ins: nirWithKey('1640375123456'), born: '03/04/1964' };
    const r = requestOf(await send(cardio2, `dermatologie@${DOMAIN}`, formRequest(other, 'Lésion cutanée ?', now)));
    return r?.refusalCodes.join(', ') || r?.state || '?';
  });
  await step('a request signed under an unknown authority', 'SMIME_UNTRUSTED_SIGNER', async () => {
    const id = await send(outsider, POOL, formRequest(patient, 'Test.', now));
    return getMessage(g.db, id)?.refusalCode ?? getMessage(g.db, id)?.state ?? '?';
  });

  return finish();

  async function finish(): Promise<GatewayDemoResult> {
    // every mail the peers received, as files to look at
    if (mailboxes) {
      mailboxes.mails.forEach((m, i) => {
        for (const to of m.to) {
          mkdirSync(join(mailDir, to), { recursive: true });
          writeFileSync(join(mailDir, to, `${String(i + 1).padStart(3, '0')}.eml`), m.raw);
        }
      });
    }
    const ok = steps.length > 0 && steps.every((s) => s.ok);
    const result: GatewayDemoResult = { ok, steps, workspace, config: configFile, database, mailboxes: mailDir };
    const total = steps.reduce((n, s) => n + s.ms, 0);
    log(`\n${steps.filter((s) => s.ok).length}/${steps.length} steps as expected in ${(total / 1000).toFixed(1)} s`);
    log(`workspace  ${workspace}\nconfig     ${configFile}\ndatabase   ${database}  (node bin/txgate requests list --db ${database})\nmailboxes  ${mailDir}`);
    if (o.keep && gw && mailboxes) {
      const g2 = gw;
      const m2 = mailboxes;
      const i2 = insurer;
      log(`\nThe gateway keeps running: SMTP on 127.0.0.1:${g2.smtpPort} (STARTTLS, the CA in ${join(workspace, 'pki', 'ca.crt.pem')}); the insurer at ${i2?.url}; health and metrics at http://127.0.0.1:${g2.opsPort}/metrics. Ctrl-C to stop.`);
      return { ...result, gateway: g2, stop: async () => { await g2.stop(); await m2.close(); await i2?.close(); } };
    }
    await gw?.stop();
    await mailboxes?.close();
    await insurer?.close();
    return result;
  }
}

/** The first certificate of a PEM file. */
function parseCa(pem: Buffer) {
  return parseCertificates(pem)[0]!;
}
