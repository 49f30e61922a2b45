/**
 * The parse and decide stages on real sealed mail, through the pipeline workers, a real SQLite file and the blob
 * store: a request read and admitted, an unreadable mail answered with the form, a refusal answered with the
 * notice in the request's dialect, the yearly quota (the 4th admitted, the 5th refused, a cancellation giving a
 * place back), and the quota held by several processes racing on one database.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config-schema.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { buildMail, type MailAttachment } from '../../src/mime/build-mail.ts';
import { blobPath } from '../../src/payload/blob-store.ts';
import { sha256Hex } from '../../src/payload/mime/payload-document.ts';
import { parseHl7v2Message } from '../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { buildPipelineContext } from '../../src/pipeline/build-pipeline-context.ts';
import { PIPELINE_STAGES } from '../../src/pipeline/pipeline-stages.ts';
import { startPipelineWorkers } from '../../src/pipeline/pipeline-worker.ts';
import { loadRulePack } from '../../src/policy/load-rule-pack.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { getMessage, storeInboundMessages } from '../../src/store/messages.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { getOutboxRaw, listOutbox } from '../../src/store/outbox.ts';
import { findRequestByMessage, listRequests } from '../../src/store/requests.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { CERTS, ROOT } from '../helpers/paths.ts';
import { cert, gatewayKey, party, testTrust } from '../helpers/test-pki.ts';

const DOCTOR = party('doctor');
const GATEWAY = cert('gateway');
const FROM = 'dr.martin@hopital-a.test';
const TO = 'gateway@txgate.localhost';
const INS = '284037512345640';
const MRN_SYSTEM = 'urn:oid:1.3.6.1.4.1.21367.2016.10.1.21.5';

/** The stages under test (routing and the loop have their own tests: here an admitted request stays admitted). */
const STAGES = ['unwrap', 'parse', 'decide'];

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

/** A test pack: the generic one, with a yearly quota of 4 per patient (INS, or the 360X sample's MRN), consent not required (the 360X sample carries none). */
function quotaPack(dir: string): string {
  const generic = JSON.parse(readFileSync(join(ROOT, 'src/policy/packs/generic.json'), 'utf8')) as Record<string, unknown>;
  const file = join(dir, 'quota-pack.json');
  writeFileSync(
    file,
    JSON.stringify({ ...generic, name: 'test-quota', consent: { required: false, covers: [] }, quota: { limit: 4, window: 'calendar-year', key: 'patient', patientIdentifierSystems: ['urn:oid:1.2.250.1.213.1.4.8', MRN_SYSTEM] } }),
  );
  return file;
}

function setUp(pack: string | ((dir: string) => string)): { config: Config; dir: string; db: Db } {
  const { config, dir } = testGatewayConfig(1);
  // the requester's certificate, so that notices can be encrypted for them
  copyFileSync(join(CERTS, 'doctor.crt.pem'), join(dir, 'certificates', 'doctor.crt.pem'));
  const withPack = { ...config, policy: { pack: typeof pack === 'string' ? pack : pack(dir) } };
  db = openDatabase(withPack.database.path);
  return { config: withPack, dir, db };
}

function formText(opts: { consent?: string; ins?: string } = {}): string {
  return [
    'Patiente: DUPONT Marie',
    `INS: ${opts.ins ?? INS}`,
    'Née le: 12/03/1984',
    'Question: Palpitations depuis 3 semaines, ECG joint.',
    'Spécialité: Cardiologie',
    `Consentement: ${opts.consent ?? 'oui, le 10/01/2026 — motif, identité et spécialité du médecin requis, mode de retour'}`,
    'Retour: téléphone',
  ].join('\n');
}

const ECG: MailAttachment = { contentType: 'application/pdf', name: 'ecg.pdf', data: Buffer.from('%PDF-1.4\n% ECG\n%%EOF\n') };

function sealedMail(n: number, text: string, attachments: MailAttachment[] = [ECG]): Buffer {
  const inner = buildMail({ from: FROM, to: TO, subject: `Demande ${n}`, messageId: `<req-${n}@hopital-a.test>`, date: new Date('2026-03-03T10:00:00Z'), text, attachments });
  return sealMessage(inner, { signerKey: DOCTOR.key, signerCert: DOCTOR.cert, recipients: [GATEWAY], now: new Date('2026-03-03T10:00:00Z') });
}

function accept(db: Db, raws: Buffer[], at = new Date('2026-03-03T10:00:00Z'), offset = 0): string[] {
  return storeInboundMessages(
    db,
    raws.map((raw, i) => ({
      id: `msg-${offset + i}`,
      channel: 'smtp' as const,
      envelopeFrom: FROM,
      envelopeTo: [TO],
      messageId: `<req-${offset + i}@hopital-a.test>`,
      dedupKey: `${FROM}|${offset + i}`,
      remoteAddress: '127.0.0.1',
      tls: true,
      clientCert: undefined,
      raw,
      state: 'accepted',
      at,
    })),
  ).map((s) => s.id);
}

async function drain(config: Config, db: Db, at = new Date('2026-03-03T10:05:00Z')): Promise<void> {
  const now = () => at;
  const ctx = buildPipelineContext(config, db, now, silentLogger);
  const w = startPipelineWorkers({ db, stages: PIPELINE_STAGES.filter((s) => STAGES.includes(s.name)), context: () => ctx, now, workers: 1, leaseMs: 60_000, pollMs: 10_000, maxAttempts: 3, owner: 'test', log: silentLogger });
  await w.drain();
  await w.stop();
}

/** What the gateway sent to the requester, opened with the requester's key. */
function openSent(db: Db, kind: string) {
  const row = listOutbox(db).find((o) => o.kind === kind);
  expect(row, `an outbox row of kind ${kind}`).toBeDefined();
  expect(row!.envelopeTo).toEqual([FROM]);
  return openMessage(getOutboxRaw(db, row!.id)!, { keys: [gatewayKey('doctor')], trust: testTrust() }).content.toString('utf8');
}

/** The text part of a mail txgate built (src/mime/build-mail.ts: base64 UTF-8, the first part). */
function bodyText(mail: string): string {
  const found = /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(mail);
  expect(found, 'a base64 text part').not.toBeNull();
  return Buffer.from(found![1]!, 'base64').toString('utf8');
}

describe('the parse and decide stages', () => {
  it('reads a form request, stores its document by SHA-256, and admits it under the generic pack', async () => {
    const { config, db } = setUp('generic');
    const [id] = accept(db, [sealedMail(1, formText())]);
    await drain(config, db);
    expect(getMessage(db, id!)?.history.map((h) => h.toState)).toEqual(['accepted', 'received', 'parsed', 'admitted']);
    const request = findRequestByMessage(db, id!)!;
    expect(request).toMatchObject({ state: 'admitted', dialect: 'form', requester: FROM });
    const { request: canonical } = request.canonical as { request: { ids: { txgate: string }; attachments: { sha256: string }[] } };
    expect(canonical.ids.txgate).toBe(request.id);
    expect(existsSync(blobPath(config.blobs.dir, canonical.attachments[0]!.sha256))).toBe(true);
    expect(request.verdict).toMatchObject({ admitted: true, pack: { name: 'generic' } });
  });

  it('answers a mail that is not a request with the blank form, signed and encrypted for the sender', async () => {
    const { config, db } = setUp('fr-teleexpertise');
    const [id] = accept(db, [sealedMail(2, 'Bonjour, pouvez-vous me rappeler ?', [])]);
    await drain(config, db);
    expect(getMessage(db, id!)).toMatchObject({ state: 'unreadable', refusalCode: 'PAYLOAD_NONE' });
    expect(listRequests(db)).toEqual([]);
    const text = bodyText(openSent(db, 'notice-unreadable'));
    expect(text).toContain('PAYLOAD_NONE');
    expect(text).toContain('Consentement:');
  });

  it('refuses a French request without consent, and tells the requester why with the code, in French', async () => {
    const { config, db } = setUp('fr-teleexpertise');
    const [id] = accept(db, [sealedMail(3, formText({ consent: 'non' }))]);
    await drain(config, db);
    const msg = getMessage(db, id!)!;
    expect(msg.state).toBe('refused');
    const request = findRequestByMessage(db, id!)!;
    expect(request.state).toBe('refused');
    expect(request.refusalCodes).toContain('POLICY_CONSENT_MISSING');
    const body = bodyText(openSent(db, 'notice-refused'));
    expect(body).toContain('[POLICY_CONSENT_MISSING]');
    expect(body).not.toContain('DUPONT');
  });

  it('admits the fourth request of a patient in the year and refuses the fifth (POLICY_QUOTA_EXCEEDED)', async () => {
    const { config, db } = setUp(quotaPack);
    const ids = accept(db, [1, 2, 3, 4, 5].map((n) => sealedMail(10 + n, formText())));
    await drain(config, db);
    expect(ids.map((id) => getMessage(db, id)!.state)).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'refused']);
    expect(findRequestByMessage(db, ids[4]!)!.refusalCodes).toEqual(['POLICY_QUOTA_EXCEEDED']);
    // another patient is not counted with this one
    const [other] = accept(db, [sealedMail(20, formText({ ins: '184037512345678' }))], new Date('2026-03-03T10:00:00Z'), 100);
    await drain(config, db);
    expect(getMessage(db, other!)!.state).not.toBe('refused');
  });

  it('gives the place back when the requester cancels a 360X request (OSU^O51 CA) before acceptance', async () => {
    const { config, db } = setUp(quotaPack);
    const omg = readFileSync(join(ROOT, 'fixtures/hl7v2/360x/OMG_O19_referral_request.hl7'), 'utf8').replace(/\n/g, '\r');
    const osu = readFileSync(join(ROOT, 'fixtures/hl7v2/360x/OSU_O51_referral_cancel.hl7'), 'utf8').replace(/\n/g, '\r');
    expect(parseHl7v2Message(osu)).toMatchObject({ ok: true, value: { kind: 'order-status', update: { event: 'cancel-requested' } } });
    const hl7 = (data: string): MailAttachment[] => [{ contentType: 'application/hl7-v2', name: 'referral.hl7', data: Buffer.from(data) }];
    const first = accept(db, [1, 2, 3, 4].map((n) => sealedMail(30 + n, 'Referral attached.', hl7(omg))));
    await drain(config, db);
    expect(first.map((id) => getMessage(db, id)!.state)).toEqual(['admitted', 'admitted', 'admitted', 'admitted']);
    const [fifth] = accept(db, [sealedMail(35, 'Referral attached.', hl7(omg))], new Date('2026-03-03T10:00:00Z'), 200);
    await drain(config, db);
    expect(getMessage(db, fifth!)!.state).toBe('refused');

    const [cancel] = accept(db, [sealedMail(36, 'Cancelled.', hl7(osu))], new Date('2026-03-04T10:00:00Z'), 300);
    await drain(config, db, new Date('2026-03-04T10:05:00Z'));
    expect(getMessage(db, cancel!)!.state).toBe('status');
    expect(listRequests(db, { state: 'cancelled' })).toHaveLength(1);
    const [sixth] = accept(db, [sealedMail(37, 'Referral attached.', hl7(omg))], new Date('2026-03-05T10:00:00Z'), 400);
    await drain(config, db, new Date('2026-03-05T10:05:00Z'));
    expect(getMessage(db, sixth!)!.state).toBe('admitted');
  });

  it('stores the documents of an HL7 v2 request (OBX ED) by SHA-256, where the forward and the FHIR Binary read them', async () => {
    const { config, db } = setUp(quotaPack);
    const omg = readFileSync(join(ROOT, 'fixtures/hl7v2/360x/OMG_O19_referral_request.hl7'), 'utf8').replace(/\n/g, '\r');
    const withEcg = `${omg.replace(/\r*$/, '')}\rOBX|9|ED|11524-6^EKG study^LN||^AP^PDF^Base64^${ECG.data.toString('base64')}||||||F\r`;
    const [id] = accept(db, [sealedMail(40, 'Referral attached.', [{ contentType: 'application/hl7-v2', name: 'referral.hl7', data: Buffer.from(withEcg) }])]);
    await drain(config, db);
    const { request: canonical } = findRequestByMessage(db, id!)!.canonical as { request: { attachments: { sha256: string; size: number }[] } };
    expect(canonical.attachments).toEqual([expect.objectContaining({ sha256: sha256Hex(ECG.data), size: ECG.data.length })]);
    expect(readFileSync(blobPath(config.blobs.dir, sha256Hex(ECG.data))).equals(ECG.data)).toBe(true);
  });

  it('admits exactly 4 of 50 requests for the same patient decided by 3 processes at once on one database', async () => {
    const { config, dir, db } = setUp(quotaPack);
    accept(db, Array.from({ length: 50 }, (_, n) => sealedMail(100 + n, formText())));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const runs = await Promise.all([1, 2, 3].map((k) => runDrainProcess(configFile, `proc-${k}`)));
    expect(runs).toEqual([0, 0, 0]);
    const states = listRequests(db, { limit: 100 }).map((r) => r.state);
    expect(states.filter((s) => s === 'admitted')).toHaveLength(4);
    expect(states.filter((s) => s === 'refused')).toHaveLength(46);
    expect(db.prepare('SELECT COUNT(*) AS n FROM quota_places').get()).toEqual({ n: 4 });
  }, 60_000);
});

describe('the packs', () => {
  it('ships a generic pack the tests build on', () => {
    expect(loadRulePack('generic').ok).toBe(true);
  });
});

function runDrainProcess(configFile: string, owner: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/drain-pipeline.ts'), configFile, owner], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}
