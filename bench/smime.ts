/**
 * S/MIME engine throughput on one core, for a 30 KB message, against `openssl speed rsa2048`
 * measured in the same run. ratio = opens/s ÷ openssl RSA-2048 private-key ops/s (target ≥ 0.35).
 */
import { randomBytes } from 'node:crypto';
import { createDevPki } from '../src/pki/create-dev-pki.ts';
import { buildTrustStore } from '../src/pki/trust-store.ts';
import { makeGatewayKey } from '../src/smime/gateway-key.ts';
import { openMessage } from '../src/smime/open-message.ts';
import { sealMessage } from '../src/smime/seal-message.ts';
import { measureOpensslRsa2048 } from './lib/openssl-speed.ts';
import { interleaved, opsPerSecond, report, round } from './lib/measure.ts';

/** A 30 KB request: a text part and a base64 attachment, CRLF. */
function message30k(from: string, to: string): Buffer {
  const attachment = randomBytes(21_000).toString('base64').replace(/(.{76})/g, '$1\r\n');
  const text = 'Question: souffle systolique, avis cardiologique ?\r\n'.repeat(40);
  const m = [
    `From: ${from}`, `To: ${to}`, 'Subject: bench', 'Date: Tue, 03 Mar 2026 10:00:00 +0100', 'Message-ID: <bench@hopital-a.test>', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="=_b"', '', '--=_b', 'Content-Type: text/plain; charset=utf-8', '', text,
    '--=_b', 'Content-Type: application/pdf; name="ecg.pdf"', 'Content-Transfer-Encoding: base64', '', attachment, '--=_b--', '',
  ].join('\r\n');
  return Buffer.from(m);
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 1);
  const pki = createDevPki({ domain: 'txgate.localhost', people: [{ name: 'doctor', cn: 'Dr Martin', address: 'dr.martin@hopital-a.test' }] });
  const doctor = pki.people[0]!;
  const inner = message30k(doctor.address, pki.gateway.address);
  const keys = [makeGatewayKey(pki.gateway.key, pki.gateway.cert)];
  const sealOpts = { signerKey: doctor.key, signerCert: doctor.cert, recipients: [pki.gateway.cert] };
  const sealedPkcs1 = sealMessage(inner, { ...sealOpts, keyTransport: 'rsa-pkcs1', cipher: 'aes-128-cbc' });
  const sealedOaep = sealMessage(inner, sealOpts);

  const fresh = () => buildTrustStore([{ cert: pki.ca.cert }]);
  const trust = fresh();
  const cachedTrust = fresh();
  const ms = seconds * 1000;
  // warm every path once before measuring
  for (const f of [() => openMessage(sealedPkcs1, { keys, trust }), () => openMessage(sealedOaep, { keys, trust }), () => sealMessage(inner, sealOpts)]) opsPerSecond(f, 500, 0);
  const m = interleaved({
    opens: () => opsPerSecond(() => openMessage(sealedOaep, { keys, trust }), ms, 100),
    opensPkcs1: () => opsPerSecond(() => openMessage(sealedPkcs1, { keys, trust }), ms, 100),
    opensCached: () => opsPerSecond(() => openMessage(sealedOaep, { keys, trust: cachedTrust, cacheSigners: true }), ms, 100),
    seals: () => opsPerSecond(() => sealMessage(inner, sealOpts), ms, 100),
    openssl: () => measureOpensslRsa2048(seconds).privateOpsPerSec,
  });
  const { opens, opensPkcs1, opensCached, seals } = m;
  const openssl = { privateOpsPerSec: m.openssl };

  const ratio = opens / openssl.privateOpsPerSec;
  report(
    'smime',
    [
      ['message size (bytes)', sealedOaep.length],
      ['rounds (medians reported)', 3],
      ['opens/s (AES-256-CBC, RSA-OAEP-SHA256)', round(opens, 1)],
      ['opens/s (AES-128-CBC, RSA PKCS#1 v1.5)', round(opensPkcs1, 1)],
      ['opens/s with the signer cache', round(opensCached, 1)],
      ['seals/s', round(seals, 1)],
      ['openssl speed rsa2048 private ops/s', openssl.privateOpsPerSec],
      ['ratio opens/s ÷ openssl private ops/s', round(ratio)],
      ['ratio, PKCS#1 v1.5 key transport', round(opensPkcs1 / openssl.privateOpsPerSec)],
      ['ratio with the signer cache', round(opensCached / openssl.privateOpsPerSec)],
      ['target', '≥ 0.35 without the cache'],
    ],
    {
      messageBytes: sealedOaep.length,
      opensPerSec: round(opens, 1),
      opensPkcs1PerSec: round(opensPkcs1, 1),
      opensCachedPerSec: round(opensCached, 1),
      sealsPerSec: round(seals, 1),
      opensslPrivateOpsPerSec: openssl.privateOpsPerSec,
      ratio: round(ratio),
      ratioPkcs1: round(opensPkcs1 / openssl.privateOpsPerSec),
      ratioCached: round(opensCached / openssl.privateOpsPerSec),
      ratioSeal: round(seals / openssl.privateOpsPerSec),
    },
  );
}
