/**
 * A request with a document of realistic size (an 8 MB scan) end to end, over real HTTPS with client certificates
 * and real SMTP: the signed Bundle POSTed to the FHIR API, read and routed, forwarded to the cardiologist by secure
 * mail with the document's bytes intact, and the document read back over the API. Documents of a few megabytes once
 * crashed the FHIR parser (a base64 check overflowing V8's regular-expression stack).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { readMail } from '../../src/payload/mime/find-payload.ts';
import { makeGatewayKey } from '../../src/smime/gateway-key.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { nirWithKey } from '../../src/demo/synthetic-identifiers.ts';
import { fhirClient, gpRequestBundle, issueClientParty, signedBy, storeFhirParties, type ClientParty } from '../helpers/fhir-client.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { testTrust } from '../helpers/test-pki.ts';
import type { Json } from '../payload/fhir/request-bundle.ts';

let sink: SmtpSink;
let gw: Gateway;
let gp: ClientParty;
let expert: ClientParty;
let asGp: Client;
let asExpert: Client;

/** An 8 MB "scan": random bytes behind a PDF header. */
const SCAN = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(8 * 1024 * 1024)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  sink = await startSmtpSink();
  gp = issueClientParty('Dr Serena Shrink', 'serena.shrink@cabinet.test');
  expert = issueClientParty('Dr Claire Durand', 'cardio.durand@chu-b.test');
  const made = testGatewayConfig(sink.port);
  gw = await startGateway({ ...made.config, pipeline: { ...made.config.pipeline, timerSweepMs: 3_600_000 } }, { log: silentLogger });
  storeFhirParties(gw.db, [
    { party: gp, specialty: 'SM54', rpps: '810001234567' },
    { party: expert, specialty: 'SM04' },
  ]);
  asGp = fhirClient(gw.fhirBaseUrl!, gp);
  asExpert = fhirClient(gw.fhirBaseUrl!, expert);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('a request with an 8 MB document', () => {
  it('is created over the FHIR API, routed, forwarded by secure mail with the document intact, and the document read back', async () => {
    const bundle = gpRequestBundle(gp, expert, nirWithKey('2840575123470'));
    const entries = bundle.entry as { resource: Json }[];
    const reference = entries.find((e) => e.resource.resourceType === 'DocumentReference')!.resource;
    const attachment = (reference.content as { attachment: Json }[])[0]!.attachment;
    attachment.size = SCAN.length;
    attachment.hash = createHash('sha1').update(SCAN).digest('base64');
    entries.find((e) => e.resource.resourceType === 'Binary')!.resource.data = SCAN.toString('base64');

    const response = (await asGp.transaction({ body: signedBy(bundle, gp) })) as Json;
    const task = (response.entry as { resource?: Json }[]).find((e) => e.resource?.resourceType === 'Task')!.resource!;
    await gw.drain();
    const id = String(task.id);
    expect(((await asGp.read({ resourceType: 'Task', id })) as Json).status).toBe('received');

    await sink.waitFor(1);
    const forward = sink.messages.find((m) => m.envelope.to.includes(expert.address) && m.envelope.from !== '')!;
    const opened = openMessage(forward.raw, { keys: [makeGatewayKey(expert.key, expert.cert)], trust: testTrust() });
    const mail = readMail(opened.content);
    if (!mail.ok) throw new Error(JSON.stringify(mail.problems));
    expect(mail.value.documents.map((d) => sha256(d.bytes))).toContain(sha256(SCAN));

    const binary = (await asExpert.read({ resourceType: 'Binary', id: sha256(SCAN) })) as Json;
    expect(sha256(Buffer.from(String(binary.data), 'base64'))).toBe(sha256(SCAN));
  }, 120_000);
});
