/**
 * Billing end to end: a request by secure mail, its opinion, and both claims (TE2 for the expert, RQD for the
 * requester) at the development insurer with their ClaimResponses stored; and exactly once when the daemon is killed
 * with SIGKILL after sending a claim and before recording the answer, then restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOpinionClaims } from '../../src/billing/build-opinion-claims.ts';
import { startDevInsurer, type DevInsurer } from '../../src/billing/dev-insurer.ts';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { buildMail, type MailAttachment } from '../../src/mime/build-mail.ts';
import { newId } from '../../src/pipeline/new-id.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { getClaim, insertClaim, listClaims } from '../../src/store/claims.ts';
import { addCertificate, storeDirectoryEntries } from '../../src/store/directory.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { findRequestByMessage, getRequest } from '../../src/store/requests.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { BIN, ROOT } from '../helpers/paths.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { cert, party, type Party } from '../helpers/test-pki.ts';
import { EXPERT, FRENCH_REQUEST, frenchActs, INSURER } from '../billing/french-request.ts';

const PROFESSION = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
const GATEWAY = cert('gateway');
const POOL = 'cardiologie@txgate.localhost';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const identifiersAt = async (i: DevInsurer) => (await i.claims()).map((c) => (c.identifier as { value: string }[])[0]!.value).sort();

async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('billing end to end', () => {
  it('a 360X request by secure mail, accepted and answered: the TE2 and RQD claims reach the insurer, their ClaimResponses stored', async () => {
    const sink: SmtpSink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const insurer = await startDevInsurer();
    cleanups.push(() => insurer.close());
    const made = testGatewayConfig(sink.port);
    // the French pack without the consent and quota rules the public 360X sample (no CON segment, no INS) cannot meet
    const fr = JSON.parse(readFileSync(join(ROOT, 'src/policy/packs/fr-teleexpertise.json'), 'utf8')) as Record<string, unknown>;
    const packFile = join(made.dir, 'billing-pack.json');
    const unconfirmed = (fr.unconfirmed as { path: string }[]).filter((u) => !/^(quota|consent)\b/.test(u.path));
    writeFileSync(packFile, JSON.stringify({ ...fr, name: 'test-billing', consent: { required: false, covers: [] }, quota: undefined, unconfirmed }));
    const config = {
      ...made.config,
      policy: { pack: packFile },
      pipeline: { ...made.config.pipeline, timerSweepMs: 3_600_000 },
      billing: { ...made.config.billing, enabled: true, insurer: { ...made.config.billing.insurer, baseUrl: insurer.url, timeoutMs: 5000 } },
    };
    const gw: Gateway = await startGateway(config, { log: silentLogger });
    cleanups.push(() => gw.stop());
    const requester = party('doctor');
    const expert = party('specialist');
    const expertAddress = 'cardio.durand@chu-b.test';
    const entry = (address: string, specialty: string) => ({ identifiers: [], addresses: [address], profession: { system: PROFESSION, code: '10' }, specialties: [{ system: SPECIALTY, code: specialty }] });
    storeDirectoryEntries(gw.db, [entry(requester.cert.sanEmails[0]!, 'SM54'), entry(expertAddress, 'SM04')], 'test', new Date());
    const idOf = (a: string) => (gw.db.prepare('SELECT practitioner FROM practitioner_addresses WHERE address = ?').get(a) as { practitioner: string }).practitioner;
    addCertificate(gw.db, idOf(expertAddress), expert.cert.der, expert.cert.notBefore, expert.cert.notAfter);
    addCertificate(gw.db, idOf(requester.cert.sanEmails[0]!), requester.cert.der, requester.cert.notBefore, requester.cert.notAfter);

    const send = async (p: Party, to: string, text: string, attachments: MailAttachment[] = []) => {
      const from = p.cert.sanEmails[0]!;
      const inner = buildMail({ from, to, subject: 'tele-expertise', messageId: `<m-${Math.random().toString(36).slice(2)}@${from.split('@')[1]}>`, date: new Date(), text, attachments });
      const r = await sendSmtp(gw.smtpPort!, { from, to: [to] }, sealMessage(inner, { signerKey: p.key, signerCert: p.cert, recipients: [GATEWAY] }));
      expect(r.ok, r.response).toBe(true);
      await gw.drain();
      return /queued as (\S+)/.exec(r.response)![1]!;
    };
    const omg = readFileSync(join(ROOT, 'fixtures/hl7v2/360x/OMG_O19_referral_request.hl7'), 'utf8').replace(/\r?\n/g, '\r');
    const id = await send(requester, POOL, 'Demande d’avis cardiologique.', [{ contentType: 'application/hl7-v2', name: 'referral.hl7', data: Buffer.from(omg) }]);
    const row = findRequestByMessage(gw.db, id)!;
    expect(row.state).toBe('routed');
    const reply = `gateway+${row.id}@txgate.localhost`;
    await send(expert, reply, 'ACCEPT');
    expect(listClaims(gw.db, { request: row.id })).toEqual([]);
    await send(expert, reply, 'OPINION: no urgency, echocardiography to plan.');
    expect(getRequest(gw.db, row.id)!.state).toBe('answered');
    const claims = listClaims(gw.db, { request: row.id });
    expect(claims.map((c) => [c.actCode, c.state, c.outcome]).sort()).toEqual([
      ['RQD', 'submitted', 'complete'],
      ['TE2', 'submitted', 'complete'],
    ]);
    for (const c of claims) expect(getClaim(gw.db, c.id)!.response).toMatchObject({ resourceType: 'ClaimResponse', outcome: 'complete' });
    expect(await identifiersAt(insurer)).toEqual([`${row.id}/RQD`, `${row.id}/TE2`]);
    // a correction bills nothing more
    await send(expert, reply, 'CORRECTION: echocardiography within 15 days.');
    expect(listClaims(gw.db, { request: row.id })).toHaveLength(2);
    expect(await identifiersAt(insurer)).toHaveLength(2);
  }, 60_000);

  it('SIGKILL after sending a claim and before recording the answer, then a restart: the insurer holds each claim once, txgate shows them submitted', async () => {
    const sink: SmtpSink = await startSmtpSink();
    cleanups.push(() => sink.close());
    let child: ChildProcess | undefined;
    const exited = () => new Promise<void>((resolve) => (child!.exitCode !== null || child!.signalCode !== null ? resolve() : child!.once('exit', () => resolve())));
    let killed = false;
    const insurer = await startDevInsurer({
      // the first claim stored: the daemon dies before the answer reaches it
      onSubmit: async () => {
        if (killed) return;
        killed = true;
        child!.kill('SIGKILL');
        await exited();
      },
    });
    cleanups.push(() => insurer.close());
    const { config, dir } = testGatewayConfig(sink.port);
    const file = join(dir, 'txgate.json');
    writeFileSync(file, JSON.stringify({ ...config, billing: { enabled: true, insurer: { baseUrl: insurer.url, timeoutMs: 5000 }, retry: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 600_000 } } }, null, 2));
    // two claims waiting to be sent, as the opinion's step wrote them
    const db = openDatabase(config.database.path);
    const made = buildOpinionClaims({ requestId: 'req-kill', request: FRENCH_REQUEST, requestedAt: new Date(), acts: frenchActs('2026-02-02'), expert: EXPERT, insurer: INSURER, at: new Date(), timeZone: 'Europe/Paris', newId: (p) => newId(p) });
    for (const c of made) insertClaim(db, c, new Date());
    const start = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const p = spawn(process.execPath, [BIN, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('smtp intake listening')) resolve(p);
        });
        p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        p.once('exit', (code) => reject(new Error(`daemon exited (${code}): ${out.slice(-2000)}`)));
      });
    child = await start();
    cleanups.push(() => {
      child?.kill('SIGKILL');
    });
    await until(() => killed && child!.signalCode === 'SIGKILL');
    // the claims sent are at the insurer (both may have gone at once), but txgate recorded none of them
    const held = (await identifiersAt(insurer)).length;
    expect(held).toBeGreaterThanOrEqual(1);
    expect(listClaims(db).map((c) => c.state)).toEqual(['pending', 'pending']);
    child = await start();
    await until(() => listClaims(db).every((c) => c.state === 'submitted'));
    expect(await identifiersAt(insurer)).toEqual(['req-kill/RQD', 'req-kill/TE2']);
    // each claim held before the crash was sent again with its identifier and answered the same ClaimResponse
    expect(insurer.received.duplicates).toBe(held);
    child.kill('SIGTERM');
    await exited();
    db.close();
  }, 60_000);
});
