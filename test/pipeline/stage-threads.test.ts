/**
 * The unwrap stage, and the check of a FHIR request Bundle, run in a stage thread: the same outcome as in the main
 * thread, bytes as Buffers, reload reaching the thread; the thread's trust is the one it is given (never the trust
 * files), and a failed reload keeps its context.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config-schema.ts';
import { checkFhirSubmission } from '../../src/fhir-api/check-fhir-submission.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.ts';
import { loadTrustStore } from '../../src/pki/trust-store.ts';
import { buildTrustMaterial, parseTrustMaterial } from '../../src/pipeline/stage-thread-trust.ts';
import { startStageThreads, type StageThreads } from '../../src/pipeline/stage-threads.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import type { MessageWork } from '../../src/store/messages.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { gpRequestBundle, issueClientParty, signedBy } from '../helpers/fhir-client.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { CERTS } from '../helpers/paths.ts';
import { CA_FILE, CRL_FILE, party, sampleInner, testTrust } from '../helpers/test-pki.ts';
import { PATIENT_INS } from '../payload/fhir/request-bundle.ts';

let threads: StageThreads | undefined;
afterEach(async () => {
  await threads?.stop();
  threads = undefined;
});

function work(id: string, raw: Buffer): MessageWork {
  const at = new Date();
  return {
    id,
    channel: 'smtp',
    receivedAt: at,
    envelopeFrom: 'dr.martin@hopital-a.test',
    envelopeTo: ['gateway@txgate.localhost'],
    messageId: undefined,
    remoteAddress: '127.0.0.1',
    tls: true,
    size: raw.length,
    state: 'accepted',
    attempts: 1,
    refusalCode: undefined,
    lastError: undefined,
    summary: undefined,
    updatedAt: at,
    raw,
    content: undefined,
  };
}

const BROKEN_PEM = '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n';

/** `count` threads on the test configuration (`edit`ed), given the test root and its CRLs as trust. */
function setUp(edit: (c: Config, dir: string) => Config = (c) => c, log: Logger = silentLogger, count = 2) {
  const made = testGatewayConfig(25);
  const dir = made.dir;
  const config = edit(made.config, dir);
  openDatabase(config.database.path).close();
  threads = startStageThreads(config, count, log, buildTrustMaterial(testTrust()));
  return { threads, dir };
}

/** The log lines written to `lines`. */
function capture(lines: Record<string, unknown>[]): Logger {
  return createLogger((l) => lines.push(JSON.parse(l) as Record<string, unknown>), 'debug');
}

const sealFrom = (name: string) => {
  const p = party(name);
  return sealMessage(sampleInner(p.cert.sanEmails[0]), { signerKey: p.key, signerCert: p.cert, recipients: [party('gateway').cert] });
};

describe('stage threads', () => {
  it('check a request Bundle received over the FHIR API as the main thread does, with the trust they were given', async () => {
    const { threads: t } = setUp();
    const gp = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.test');
    const body = Buffer.from(JSON.stringify(signedBy(gpRequestBundle(gp, issueClientParty('Dr Claire Durand', 'cardio.durand@chu-b.test'), PATIENT_INS), gp)));
    const request = { at: new Date(), expectedSigner: { email: gp.address }, requireSignature: true };
    const inThread = await t.checkFhirSubmission(body, request);
    expect(inThread).toEqual(checkFhirSubmission(body, { ...request, trust: testTrust(), requireCrl: false }));
    expect(inThread).toMatchObject({ ok: true, signed: true, shape: { type: 'transaction' } });
    expect(await t.checkFhirSubmission(body, { ...request, expectedSigner: { email: 'someone.else@cabinet.test' } })).toMatchObject({ ok: false, code: 'FHIR_SIGNATURE_WRONG_SIGNER' });
  });

  it('open a request and seal its processed MDN, handing back Buffers', async () => {
    const { threads: t } = setUp();
    const r = await t.run('unwrap', work('msg-1', sealFrom('doctor')), new Date());
    expect(r).toMatchObject({ state: 'received', outbox: [{ kind: 'mdn-processed', sourceMessage: 'msg-1', idempotencyKey: 'mdn:processed:msg-1' }] });
    expect(Buffer.isBuffer(r.content)).toBe(true);
    expect(Buffer.isBuffer(r.outbox![0]!.raw)).toBe(true);
    expect(r.outbox![0]!.raw.toString('latin1')).toContain('Message-ID: <mdn-processed-msg-1@txgate.localhost>');
  });

  it('rebuild their context on reload: a certificate added to the folder is used at once', async () => {
    const { threads: t, dir } = setUp();
    const before = await t.run('unwrap', work('msg-2', sealFrom('revoked')), new Date());
    expect(before).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_CERT_REVOKED', outbox: [] });
    copyFileSync(join(CERTS, 'revoked.crt.pem'), join(dir, 'certificates', 'revoked.crt.pem'));
    t.reload(buildTrustMaterial(testTrust()));
    const after = await t.run('unwrap', work('msg-3', sealFrom('revoked')), new Date());
    expect(after).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_CERT_REVOKED', outbox: [{ kind: 'mdn-failed' }] });
  });

  it('work with the trust they are given, not the trust files: a trust folder broken before they start changes nothing', async () => {
    const { threads: t } = setUp((c, dir) => {
      const trustDir = join(dir, 'trust');
      mkdirSync(trustDir);
      copyFileSync(CA_FILE, join(trustDir, 'ca.crt.pem'));
      writeFileSync(join(trustDir, 'broken.pem'), BROKEN_PEM);
      return { ...c, smime: { ...c.smime, trust: [{ path: trustDir }], crls: [join(dir, 'no-such-crl.pem')] } };
    });
    const r = await t.run('unwrap', work('msg-5', sealFrom('doctor')), new Date());
    expect(r).toMatchObject({ state: 'received' });
  });

  it('take the trust given with reload: an anchor added by the main thread vouches at once', async () => {
    const { threads: t } = setUp();
    const before = await t.run('unwrap', work('msg-6', sealFrom('untrusted')), new Date());
    expect(before).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_UNTRUSTED_SIGNER' });
    t.reload(buildTrustMaterial(loadTrustStore([{ path: CA_FILE }, { path: join(CERTS, 'untrusted-ca.crt.pem') }], [CRL_FILE])));
    const after = await t.run('unwrap', work('msg-7', sealFrom('untrusted')), new Date());
    expect(after).toMatchObject({ state: 'received' });
  });

  it('keep their whole previous context when a reload fails (a key file broken), and say so', async () => {
    const lines: Record<string, unknown>[] = [];
    let keyFile = '';
    const { threads: t } = setUp((c, dir) => {
      keyFile = join(dir, 'gateway.key.pem');
      copyFileSync(join(CERTS, 'gateway.key.pem'), keyFile);
      return { ...c, smime: { ...c.smime, keys: [{ key: keyFile, cert: join(CERTS, 'gateway.crt.pem') }] } };
    }, capture(lines), 1);
    // the one thread has read the key: it is the reload that meets the broken file
    await t.ready();
    writeFileSync(keyFile, 'not a key');
    // the new trust would vouch for the untrusted sender: it is not taken either
    t.reload(buildTrustMaterial(loadTrustStore([{ path: CA_FILE }, { path: join(CERTS, 'untrusted-ca.crt.pem') }], [CRL_FILE])));
    expect(await t.run('unwrap', work('msg-8', sealFrom('doctor')), new Date())).toMatchObject({ state: 'received' });
    expect(await t.run('unwrap', work('msg-9', sealFrom('untrusted')), new Date())).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_UNTRUSTED_SIGNER' });
    expect(lines.filter((l) => l.msg === 'stage thread: reload failed, keeping the previous trust')).toHaveLength(1);
  });

  it('hand back what a stage throws as a failure', async () => {
    const { threads: t } = setUp();
    await expect(t.run('no-such-stage', work('msg-4', Buffer.from('x')), new Date())).rejects.toThrow('no stage no-such-stage');
  });
});

describe('trust material', () => {
  it('gives back the same anchors (with their domain scopes) and CRLs', () => {
    const trust = loadTrustStore([{ path: CA_FILE, domains: ['hopital-a.test'] }, { path: join(CERTS, 'untrusted-ca.crt.pem') }], [CRL_FILE]);
    // what crosses to a thread is a structured clone: Buffers arrive as plain Uint8Arrays
    const again = parseTrustMaterial(structuredClone(buildTrustMaterial(trust)));
    expect(again.anchors.map((a) => [a.cert.fingerprint, a.domains])).toEqual(trust.anchors.map((a) => [a.cert.fingerprint, a.domains]));
    expect([...again.crlsByIssuer.keys()]).toEqual([...trust.crlsByIssuer.keys()]);
    expect([...again.crlsByIssuer.values()].flat().map((c) => c.der.toString('hex'))).toEqual([...trust.crlsByIssuer.values()].flat().map((c) => c.der.toString('hex')));
  });
});
