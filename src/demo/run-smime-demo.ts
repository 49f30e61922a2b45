/**
 * The round trip `npm start` shows until the full gateway demo exists: a development PKI, a doctor's
 * tele-expertise request sealed for the gateway, opened by the gateway, and refused variants.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.ts';
import { createDevPki, writeDevPki } from '../pki/create-dev-pki.ts';
import { buildTrustStore } from '../pki/trust-store.ts';
import { makeGatewayKey } from '../smime/gateway-key.ts';
import { openMessage, type OpenedMessage } from '../smime/open-message.ts';
import { sealMessage } from '../smime/seal-message.ts';

export interface DemoStep {
  name: string;
  expected: string;
  got: string;
  ok: boolean;
  ms: number;
}

export interface DemoResult {
  ok: boolean;
  workspace: string;
  steps: DemoStep[];
}

const DOMAIN = 'txgate.localhost';

/** A synthetic request as a GP's webmail would send it (no real patient). */
export function sampleRequest(from: string, to: string, now: Date): Buffer {
  const ecg = Buffer.from('%PDF-1.4\n% synthetic ECG tracing for the txgate demo\n%%EOF\n').toString('base64');
  return Buffer.from(
    [
      `From: Dr Claire Martin <${from}>`,
      `To: ${to}`,
      'Subject: =?utf-8?q?T=C3=A9l=C3=A9expertise_=3A_avis_cardiologique?=',
      `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <demo-${now.getTime()}@hopital-a.test>`,
      `Disposition-Notification-To: ${from}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="=_demo"',
      '',
      '--=_demo',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Patient: Jeanne Exemple (synthetic)',
      'Born: 1956-04-12',
      'Specialty: cardiologie',
      'Question: souffle systolique 2/6 découvert ce jour, asymptomatique. Échographie nécessaire ?',
      'Consent: yes, 2026-03-03; reason, requested specialist and specialty, return by letter in Mon espace santé',
      'Return: Mon espace santé',
      '--=_demo',
      'Content-Type: application/pdf; name="ecg.pdf"',
      'Content-Disposition: attachment; filename="ecg.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      ecg,
      '--=_demo--',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

function describeOpened(o: OpenedMessage): string {
  return (
    `signed by ${o.signer.email} (${o.signature.algorithm} ${o.signature.digest}), ` +
    `encrypted ${o.encryption.contentCipher} + ${o.encryption.keyTransport}, ${o.wrapped ? 'Direct-wrapped' : 'not wrapped'}`
  );
}

export function runSmimeDemo(log: (line: string) => void, workspace = mkdtempSync(join(tmpdir(), 'txgate-demo-'))): DemoResult {
  const steps: DemoStep[] = [];
  const step = (name: string, expected: string, fn: () => string): string => {
    const t0 = performance.now();
    let got: string;
    try {
      got = fn();
    } catch (err) {
      got = err instanceof GatewayError ? err.code : `error: ${(err as Error).message}`;
    }
    const ms = performance.now() - t0;
    const ok = got === expected || (expected === 'opened' && got.startsWith('signed by'));
    steps.push({ name, expected, got, ok, ms });
    log(`${ok ? '✔' : '✘'} ${name.padEnd(58)} ${ms.toFixed(0).padStart(5)} ms  ${got}`);
    return got;
  };

  log(`txgate demo: a tele-expertise request by secure mail (S/MIME), in ${workspace}\n`);
  const now = new Date();
  let pki!: ReturnType<typeof createDevPki>;
  step('create a development PKI (CA, gateway, doctor, outsider)', 'done', () => {
    pki = createDevPki({
      domain: DOMAIN,
      people: [
        { name: 'doctor', cn: 'Dr Claire Martin', address: 'dr.martin@hopital-a.test', o: 'Hopital A' },
        { name: 'specialist', cn: 'Dr Paul Durand', address: 'cardio.durand@chu-b.test', o: 'CHU B' },
      ],
    });
    writeDevPki(pki, join(workspace, 'pki'));
    return 'done';
  });
  const [doctor] = pki.people;
  const outsiderPki = createDevPki({ domain: 'elsewhere.test', people: [{ name: 'outsider', cn: 'Dr Outsider', address: 'dr.martin@hopital-a.test' }] });
  const trust = buildTrustStore([{ cert: pki.ca.cert }]);
  const keys = [makeGatewayKey(pki.gateway.key, pki.gateway.cert)];
  const request = sampleRequest(doctor!.address, pki.gateway.address, now);
  writeFileSync(join(workspace, 'request.eml'), request);

  let sealed: Buffer = Buffer.alloc(0);
  step('the doctor signs and encrypts the request for the gateway', 'done', () => {
    sealed = sealMessage(request, { signerKey: doctor!.key, signerCert: doctor!.cert, recipients: [pki.gateway.cert], now });
    writeFileSync(join(workspace, 'request.sealed.eml'), sealed);
    return 'done';
  });
  step('the gateway opens it: decrypt, verify, check the signer', 'opened', () => {
    const opened = openMessage(sealed, { keys, trust });
    if (!opened.content.equals(request)) return 'content changed';
    writeFileSync(join(workspace, 'request.opened.eml'), opened.content);
    return describeOpened(opened);
  });

  log('\nWhat the gateway refuses, each with its stable code:');
  step('the same request, altered in transit', 'SMIME_DECRYPT_FAILED', () => {
    const damaged = Buffer.from(sealed);
    damaged[damaged.length - 200] = damaged[damaged.length - 200] === 0x41 ? 0x42 : 0x41;
    return describeOpened(openMessage(damaged, { keys, trust }));
  });
  step('a request signed under an unknown authority', 'SMIME_UNTRUSTED_SIGNER', () => {
    const outsider = outsiderPki.people[0]!;
    const m = sealMessage(request, { signerKey: outsider.key, signerCert: outsider.cert, recipients: [pki.gateway.cert], now });
    return describeOpened(openMessage(m, { keys, trust }));
  });
  step("a request whose From is not the signer's address", 'SMIME_ADDRESS_MISMATCH', () => {
    const spoofed = sampleRequest('dr.someone-else@hopital-a.test', pki.gateway.address, now);
    const m = sealMessage(spoofed, { signerKey: doctor!.key, signerCert: doctor!.cert, recipients: [pki.gateway.cert], now });
    return describeOpened(openMessage(m, { keys, trust }));
  });
  step('a request sent in clear', 'SMIME_NOT_ENCRYPTED', () => describeOpened(openMessage(request, { keys, trust })));

  const ok = steps.every((s) => s.ok);
  log(`\n${ok ? 'Every step happened as expected.' : 'Some steps did not happen as expected.'}`);
  log(`Workspace: ${workspace}`);
  log(`  pki/                 the development CA, gateway and doctor certificates and keys`);
  log(`  request.eml          the request as the doctor wrote it`);
  log(`  request.sealed.eml   what travelled (signed, then encrypted)`);
  log(`  request.opened.eml   what the gateway recovered, byte for byte`);
  log(`Try: node bin/txgate smime open --key ${join(workspace, 'pki/gateway.key.pem')} --cert ${join(workspace, 'pki/gateway.crt.pem')} --trust ${join(workspace, 'pki/ca.crt.pem')} < ${join(workspace, 'request.sealed.eml')}`);
  return { ok, workspace, steps };
}
