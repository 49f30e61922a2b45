/**
 * The unwrap stage of a request received over the FHIR API, on the committed test PKI: the Bundle's signature
 * verified again on the bytes stored, by the practitioner the client certificate named, at the time they were
 * received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { buildCertificate, generateRsaKey } from '../../src/pki/build-certificate.ts';
import { parseCertificate } from '../../src/pki/certificate.ts';
import { buildPipelineContext } from '../../src/pipeline/build-pipeline-context.ts';
import { openFhirRequest, type FhirIntakeSummary } from '../../src/pipeline/open-fhir-request.ts';
import type { PipelineContext } from '../../src/pipeline/pipeline-context.ts';
import { runUnwrapStage } from '../../src/pipeline/unwrap-stage.ts';
import type { MessageWork } from '../../src/store/messages.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { issueClientParty, signedBy, type ClientParty } from '../helpers/fhir-client.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { party } from '../helpers/test-pki.ts';
import { buildRequestBundle, PATIENT_INS } from '../payload/fhir/request-bundle.ts';

const DAY = 86_400_000;
const NOW = new Date();

let db: Db;
let ctx: PipelineContext;
let client: ClientParty;
let other: ClientParty;

beforeAll(() => {
  const { config } = testGatewayConfig(1);
  db = openDatabase(config.database.path);
  ctx = buildPipelineContext(config, db, () => NOW, silentLogger);
  client = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.mssante.fr');
  other = issueClientParty('Dr Dave', 'dave@ent.example');
});

afterAll(() => {
  db?.close();
});

/** A practitioner's certificate of the test CA valid over [notBefore, notAfter] only. */
function partyValid(address: string, notBefore: Date, notAfter: Date): ClientParty {
  const ca = party('ca');
  const keys = generateRsaKey(2048);
  const der = buildCertificate({ subject: { cn: 'Dr Past', o: 'txgate tests', c: 'FR' }, publicKey: keys.publicKey, issuerKey: ca.key, issuerCert: ca.cert, profile: 'smime-person', email: address, tlsClient: true, notBefore, notAfter });
  return { address, key: keys.privateKey, cert: parseCertificate(der), keyPem: '', certPem: '' };
}

function message(raw: Buffer, summary: Partial<FhirIntakeSummary> | undefined, receivedAt = NOW): MessageWork {
  return {
    id: 'msg-fhir-1',
    channel: 'fhir',
    receivedAt,
    envelopeFrom: summary?.client ?? '',
    envelopeTo: [],
    messageId: undefined,
    remoteAddress: '127.0.0.1',
    tls: true,
    size: raw.length,
    state: 'accepted',
    attempts: 0,
    refusalCode: undefined,
    lastError: undefined,
    summary: summary as Record<string, unknown> | undefined,
    updatedAt: receivedAt,
    raw,
    content: undefined,
  };
}

const intake = (over: Partial<FhirIntakeSummary> = {}): Partial<FhirIntakeSummary> => ({ client: client.address, requestId: 'rq-000mabc12de34f56', ...over });
const signedBytes = (by: ClientParty, when = new Date(NOW.getTime() - 60_000)) => Buffer.from(JSON.stringify(signedBy(buildRequestBundle(), by, when)));

describe('openFhirRequest: a signed Bundle', () => {
  it('signed by the client: received, the content the bytes received, the signature noted', () => {
    const when = new Date(NOW.getTime() - 60_000);
    const raw = signedBytes(client, when);
    const r = openFhirRequest(message(raw, intake()), ctx);
    expect(r.state).toBe('received');
    expect(r.refusalCode).toBeUndefined();
    expect(r.content).toBe(raw);
    expect(r.summary).toEqual({
      client: client.address,
      requestId: 'rq-000mabc12de34f56',
      from: client.address,
      signer: client.address,
      to: [],
      signature: { alg: 'RS256', when: when.toISOString(), signerSerial: client.cert.serialHex },
    });
  });

  it('the bytes as received, not a form of them: a pretty-printed Bundle verifies and is kept as it is', () => {
    const raw = Buffer.from(JSON.stringify(signedBy(buildRequestBundle(), client), null, 2));
    const r = openFhirRequest(message(raw, intake()), ctx);
    expect(r.state).toBe('received');
    expect(r.content?.equals(raw)).toBe(true);
  });

  it('runUnwrapStage hands a message of channel fhir to it', () => {
    const msg = message(signedBytes(client), intake());
    expect(runUnwrapStage(msg, ctx)).toEqual(openFhirRequest(msg, ctx));
  });

  it('signed by another practitioner than the client: rejected FHIR_SIGNATURE_WRONG_SIGNER', () => {
    const r = openFhirRequest(message(signedBytes(other), intake()), ctx);
    expect(r).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_SIGNATURE_WRONG_SIGNER' });
    expect(r.content).toBeUndefined();
  });

  it('identifiers of the client that the signer’s certificate does not carry do not make another signer the client', () => {
    const r = openFhirRequest(message(signedBytes(other), intake({ signerIdentifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810001234567' }] })), ctx);
    expect(r).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_SIGNATURE_WRONG_SIGNER' });
  });

  it.each([
    ['a resource changed', (b: Record<string, any>) => void (b.entry[0].resource.priority = 'stat')],
    ['an entry removed', (b: Record<string, any>) => void b.entry.pop()],
    ['an entry added', (b: Record<string, any>) => void b.entry.push({ fullUrl: 'urn:uuid:00000000-0000-4000-8000-999999999999', resource: { resourceType: 'Basic', code: { text: 'x' } } })],
  ])('edited after signing (%s): rejected FHIR_SIGNATURE_INVALID', (_name, edit) => {
    const bundle = JSON.parse(signedBytes(client).toString('utf8')) as Record<string, any>;
    edit(bundle);
    const r = openFhirRequest(message(Buffer.from(JSON.stringify(bundle)), intake()), ctx);
    expect(r.state).toBe('rejected');
    expect(r.refusalCode).toMatch(/^FHIR_SIGNATURE_/);
    expect(r.refusalCode).toBe('FHIR_SIGNATURE_INVALID');
    expect(r.detail).toContain('FHIR_SIGNATURE_INVALID');
  });

  it('bytes that are not UTF-8 JSON: rejected FHIR_SIGNATURE_MALFORMED', () => {
    const r = openFhirRequest(message(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), intake()), ctx);
    expect(r).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_SIGNATURE_MALFORMED' });
  });

  it('names no patient in what it notes', () => {
    const raw = signedBytes(client);
    for (const r of [openFhirRequest(message(raw, intake()), ctx), openFhirRequest(message(signedBytes(other), intake()), ctx)]) {
      const said = JSON.stringify({ detail: r.detail, summary: r.summary, refusalCode: r.refusalCode });
      for (const value of [PATIENT_INS, 'Chalmers', 'Peter']) expect(said).not.toContain(value);
    }
  });
});

describe('openFhirRequest: an unsigned Bundle', () => {
  const unsigned = () => Buffer.from(JSON.stringify({ ...buildRequestBundle(), resourceType: 'Bundle' }));

  it('let in by the API in development mode (summary.unsigned): received, the content the bytes received, no signature', () => {
    const raw = unsigned();
    const r = openFhirRequest(message(raw, intake({ unsigned: true })), ctx);
    expect(r.state).toBe('received');
    expect(r.content).toBe(raw);
    expect(r.summary).toMatchObject({ client: client.address, from: client.address, signer: client.address, unsigned: true });
    expect(r.summary?.signature).toBeUndefined();
  });

  it('otherwise: rejected FHIR_SIGNATURE_MISSING', () => {
    const r = openFhirRequest(message(unsigned(), intake()), ctx);
    expect(r).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_SIGNATURE_MISSING' });
  });
});

describe('openFhirRequest: what the API recorded with it', () => {
  it.each([
    ['no client', { requestId: 'rq-000mabc12de34f56' }],
    ['no request id', { client: 'serena.shrink@cabinet.mssante.fr' }],
    ['an empty client', { client: '', requestId: 'rq-000mabc12de34f56' }],
    ['nothing', undefined],
  ])('a summary with %s: rejected FHIR_INTAKE_INCOMPLETE, nothing verified', (_name, summary) => {
    const r = openFhirRequest(message(signedBytes(client), summary), ctx);
    expect(r).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_INTAKE_INCOMPLETE' });
    expect(r.content).toBeUndefined();
  });

  it('even when it says unsigned', () => {
    const r = openFhirRequest(message(Buffer.from('{}'), { requestId: 'rq-000mabc12de34f56', unsigned: true }), ctx);
    expect(r).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_INTAKE_INCOMPLETE' });
  });
});

describe('openFhirRequest: the time of the verification is when the message was received', () => {
  it('a certificate expired since the message was received still verifies; at the time of the step it would not', () => {
    const receivedAt = new Date(NOW.getTime() - 2 * DAY);
    const past = partyValid('dr.past@hopital-a.test', new Date(NOW.getTime() - 3 * DAY), new Date(NOW.getTime() - DAY));
    const raw = Buffer.from(JSON.stringify(signedBy(buildRequestBundle(), past, new Date(receivedAt.getTime() - 60_000))));
    const summary = intake({ client: past.address });
    expect(ctx.now()).toBe(NOW);
    expect(openFhirRequest(message(raw, summary, receivedAt), ctx).state).toBe('received');
    // the same bytes, as if received now: the certificate has expired
    expect(openFhirRequest(message(raw, summary, NOW), ctx)).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_SIGNATURE_CERT_EXPIRED' });
  });

  it('a signing time after the reception (beyond the clock skew) is refused, though it is past at the time of the step', () => {
    // an hour ago: the client's certificate (valid from a day before it was issued) was valid then
    const receivedAt = new Date(NOW.getTime() - 3_600_000);
    const raw = signedBytes(client, new Date(NOW.getTime() - 60_000));
    expect(openFhirRequest(message(raw, intake(), receivedAt), ctx)).toMatchObject({ state: 'rejected', refusalCode: 'FHIR_SIGNATURE_TIME_MISMATCH' });
    expect(openFhirRequest(message(raw, intake(), NOW), ctx).state).toBe('received');
  });
});
