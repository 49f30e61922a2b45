/**
 * The whole job, for real, on loopback: a fresh workspace (a development PKI, a configuration, a practitioner
 * directory imported from a CSV), the gateway started (SMTP, the FHIR API and the operator endpoint on free
 * ports), and its peers played by the demo: a requester sending a request by secure mail, a specialist's mailbox
 * that decrypts it, accepts and answers, a nurse whose software sends a signed request Bundle to the FHIR API and
 * follows its Task to the opinion, the development insurer receiving the claims as FHIR Claim bundles (when the
 * pack bills), and the refused cases (over the yearly limit when the pack has one, an ineligible pair, an unknown
 * signer…). The programme played is a rule pack with its
 * data (programmes/: French by default, `br-telessaude` the Brazilian one). Every step is timed and checked; the
 * result says whether each happened as expected.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevInsurer, type DevInsurer } from '../billing/dev-insurer.ts';
import { loadConfig } from '../config/load-config.ts';
import { startGateway, type Gateway } from '../gateway/start-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { parseCertificates } from '../pki/certificate.ts';
import { buildTrustStore } from '../pki/trust-store.ts';
import { startDemoMailboxes, type DemoMailboxes } from './demo-mailboxes.ts';
import { createDemoPeers } from './demo-peers.ts';
import type { DemoContext, DemoScene } from './demo-scene.ts';
import { createStepRecorder, type GatewayDemoStep } from './demo-steps.ts';
import { writeDemoWorkspace, type DemoWorkspace } from './demo-workspace.ts';
import { playFhirRequest } from './play-fhir-request.ts';
import { playMailRoundTrip } from './play-mail-round-trip.ts';
import { playRefusedCases } from './play-refused-cases.ts';
import { chooseDemoProgramme } from './programmes/index.ts';

export type { GatewayDemoStep } from './demo-steps.ts';
export { nirWithKey } from './synthetic-identifiers.ts';

const DOMAIN = 'txgate.localhost';

/** The story once the gateway runs, scene after scene (a scene for another channel goes here). */
export const DEMO_SCENES: readonly DemoScene[] = [playMailRoundTrip, playFhirRequest, playRefusedCases];

export interface GatewayDemoResult {
  ok: boolean;
  /** the rule pack played (its name) */
  pack: string;
  steps: GatewayDemoStep[];
  workspace: string;
  config: string;
  database: string;
  mailboxes: string;
  /** the FHIR API's base URL (HTTPS, client certificates), while the gateway ran */
  fhirBaseUrl?: string;
  /** with keep: the running gateway (stop it to end) */
  gateway?: Gateway;
  stop?: () => Promise<void>;
}

/** What `txgate demo --json` prints: the result without the running gateway. */
export type GatewayDemoJson = Omit<GatewayDemoResult, 'gateway' | 'stop'>;

export interface GatewayDemoOptions {
  log: (line: string) => void;
  dir?: string;
  /** the rule pack: a name of programmes/ (default fr-teleexpertise), or a pack file whose name is one */
  pack?: string;
  /** leave the gateway and the mailboxes running */
  keep?: boolean;
}

/** Plays the demo. Throws when the demo has no data for the pack (chooseDemoProgramme says why). */
export async function runGatewayDemo(o: GatewayDemoOptions): Promise<GatewayDemoResult> {
  const chosen = chooseDemoProgramme(o.pack);
  if (!chosen.ok) throw new Error(chosen.problems.map((p) => `${p.code}: ${p.message}`).join('; '));
  const { programme, pack, policyPack } = chosen.value;
  const workspace = o.dir ?? mkdtempSync(join(tmpdir(), 'txgate-demo-'));
  const log = o.log;
  const { steps, step } = createStepRecorder(log);

  log(`txgate demo: the tele-expertise loop by secure mail and FHIR, for real on loopback, in ${workspace}`);
  log(`programme: ${pack.name} ${pack.version} — ${pack.title}\n`);
  const now = new Date();
  const mailDir = join(workspace, 'mailboxes');
  let ws: DemoWorkspace | undefined;
  let mailboxes: DemoMailboxes | undefined;
  let insurer: DevInsurer | undefined;
  let gw: Gateway | undefined;

  await step(`workspace: development PKI, configuration, directory of ${programme.directoryDescription}`, 'done', () => {
    const written = writeDemoWorkspace(programme, { workspace, domain: DOMAIN, policyPack, now });
    if (!written.ok) return written.problems.map((p) => `${p.path}: ${p.code}`).join(', ');
    ws = written.value;
    return 'done';
  });
  if (ws) {
    const { configFile, pkiDir } = ws;
    await step("the peers' mail servers, the insurer and the gateway (SMTP, FHIR) start", 'listening', async () => {
      mailboxes = await startDemoMailboxes({ key: readFileSync(join(pkiDir, 'gateway.key.pem')), cert: readFileSync(join(pkiDir, 'gateway.crt.pem')) });
      insurer = await startDevInsurer({ port: 0 });
      const json = JSON.parse(readFileSync(configFile, 'utf8')) as { outbound: { smartHost: { port: number } }; billing?: unknown };
      json.outbound.smartHost.port = mailboxes.port;
      json.billing = { enabled: true, insurer: { baseUrl: insurer.url, name: programme.insurerName }, retry: { initialDelayMs: 200, maxDelayMs: 1000 } };
      writeFileSync(configFile, JSON.stringify(json, null, 2));
      const loaded = loadConfig(configFile);
      if (!loaded.ok) return loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      gw = await startGateway(loaded.value, { log: silentLogger });
      return gw.smtpPort && gw.fhirBaseUrl ? 'listening' : gw.smtpPort ? 'no FHIR API' : 'no SMTP port';
    });
  }
  if (ws && gw && mailboxes && insurer) {
    const parties = ws.parties;
    const caPem = readFileSync(join(ws.pkiDir, 'ca.crt.pem'));
    const trust = buildTrustStore([{ cert: firstCertificate(caPem) }]);
    const peers = createDemoPeers({
      gateway: gw,
      mailboxes,
      gatewayCert: firstCertificate(readFileSync(join(ws.pkiDir, 'gateway.crt.pem'))),
      caPem,
      trust,
      subject: programme.subject,
    });
    const ctx: DemoContext = {
      programme,
      pack,
      domain: DOMAIN,
      now,
      log,
      step,
      gateway: gw,
      insurer,
      peers,
      caPem,
      trust,
      party(name) {
        const p = parties.get(name);
        if (!p) throw new Error(`no one named ${name} in the demo's programme`);
        return p;
      },
      addressOf: (to) => (to.includes('@') ? to : `${to}@${DOMAIN}`),
    };
    for (const scene of DEMO_SCENES) {
      try {
        await scene(ctx);
      } catch (err) {
        // a scene that breaks outside its steps fails the demo; the next scenes still play and the gateway still stops
        await step(`${scene.name || 'a scene'} plays to its end`, 'played', () => `error: ${(err as Error).message}`);
      }
    }
  }
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
    const configFile = join(workspace, 'txgate.json');
    const database = join(workspace, 'txgate.db');
    const ok = steps.length > 0 && steps.every((s) => s.ok);
    const fhirBaseUrl = gw?.fhirBaseUrl;
    const result: GatewayDemoResult = { ok, pack: pack.name, steps, workspace, config: configFile, database, mailboxes: mailDir, ...(fhirBaseUrl ? { fhirBaseUrl } : {}) };
    const total = steps.reduce((n, s) => n + s.ms, 0);
    log(`\n${steps.filter((s) => s.ok).length}/${steps.length} steps as expected in ${(total / 1000).toFixed(1)} s`);
    log(`workspace  ${workspace}\nconfig     ${configFile}\ndatabase   ${database}  (node bin/txgate requests list --db ${database})\nmailboxes  ${mailDir}`);
    if (fhirBaseUrl) log(`fhir       ${fhirBaseUrl}  (client certificates: ${join(workspace, 'pki')}/NAME.crt.pem and .key.pem${o.keep ? '' : '; stopped with the gateway, --keep leaves it running'})`);
    if (o.keep && gw && mailboxes) {
      const g2 = gw;
      const m2 = mailboxes;
      const i2 = insurer;
      log(`\nThe gateway keeps running: SMTP on 127.0.0.1:${g2.smtpPort} (STARTTLS, the CA in ${join(workspace, 'pki', 'ca.crt.pem')}); the FHIR API at ${g2.fhirBaseUrl}; the insurer at ${i2?.url}; health and metrics at http://127.0.0.1:${g2.opsPort}/metrics. Ctrl-C to stop.`);
      const nurse = programme.fhir?.requester.name;
      if (nurse && g2.fhirBaseUrl) {
        const pki = join(workspace, 'pki');
        // the gateway's TLS certificate names localhost
        log(`Her Tasks, as her software sees them: curl --cacert ${join(pki, 'ca.crt.pem')} --cert ${join(pki, `${nurse}.crt.pem`)} --key ${join(pki, `${nurse}.key.pem`)} ${g2.fhirBaseUrl.replace('//127.0.0.1:', '//localhost:')}/Task`);
      }
      return { ...result, gateway: g2, stop: async () => { await g2.stop(); await m2.close(); await i2?.close(); } };
    }
    await gw?.stop();
    await mailboxes?.close();
    await insurer?.close();
    return result;
  }
}

/** The first certificate of a PEM file. */
function firstCertificate(pem: Buffer) {
  return parseCertificates(pem)[0]!;
}
