/**
 * Documents of a realistic size (an ECG PDF, a scan, images: 5–20 MB) through every payload path the gateway reads:
 * the FHIR request Bundle (Binary, inline Attachment.data), HL7 v2 360X and REF with an OBX ED (Base64, Hex), an
 * IHE_XDM.ZIP, the mail form with a PDF attachment, the expert's replies (plain, HL7 v2, FHIR), and S/MIME seal then
 * open. Each must parse, and the document come out byte for byte (SHA-256) with its size. A 5 MB document once
 * overflowed V8's regular-expression stack: code that is not linear, or recurses on the input's size, breaks here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerSchema } from '../../src/domain/answer.ts';
import type { CanonicalRequest } from '../../src/domain/canonical-request.ts';
import type { Result } from '../../src/errors/result.ts';
import { encodeBase64LineBytes, encodeBase64Lines, toCanonicalCrlf } from '../../src/mime/decode-body.ts';
import { buildFhirAnswer } from '../../src/payload/fhir/build-fhir-answer.ts';
import { parseFhirPayload, parseFhirRequest } from '../../src/payload/fhir/parse-fhir-request.ts';
import { buildOsuO51 } from '../../src/payload/hl7v2/build-osu-o51.ts';
import { buildRriI12 } from '../../src/payload/hl7v2/build-rri-i12.ts';
import { parseHl7v2Message } from '../../src/payload/hl7v2/parse-hl7v2-message.ts';
import { parseHl7v2Request } from '../../src/payload/hl7v2/parse-hl7v2-request.ts';
import { readMessageHeader } from '../../src/payload/hl7v2/read-message-header.ts';
import { readObservationDocuments, readObservations } from '../../src/payload/hl7v2/read-observations.ts';
import { parseMimeRequest } from '../../src/payload/mime/parse-mime-request.ts';
import type { ParsedRequest } from '../../src/payload/mime/parsed-request.ts';
import type { PayloadDocument } from '../../src/payload/mime/payload-document.ts';
import { buildXdmMetadata, buildXdmPackage } from '../../src/payload/xdm/build-xdm-package.ts';
import { buildZip } from '../../src/payload/xdm/build-zip.ts';
import { parseXdmPayload } from '../../src/payload/xdm/parse-xdm-request.ts';
import { parseExpertReply } from '../../src/relay/parse-expert-reply.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { cert, gatewayKey, party, testTrust } from '../helpers/test-pki.ts';
import { FIXTURES } from '../helpers/paths.ts';
import { buildRequestBundle, entryUrl, requestBundleBytes, type Json } from './fhir/request-bundle.ts';
import { edited } from './hl7v2/samples.ts';
import { sampleXdmInput } from './xdm/sample-xdm.ts';

const MB = 1024 * 1024;

/** A PDF header then random bytes: sniffed as a PDF, incompressible, every byte value present. */
function bigPdf(size: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

/** Generated once, reused by every case (a fresh 12 MB per case would cost more time than the parsing). */
const DOC = bigPdf(12 * MB);
const DOC_SHA256 = sha256(DOC);
const DOC_BASE64 = DOC.toString('base64');

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 5)));
  return r.value;
}

/** The one document of these bytes among the documents: its bytes identical, its attachment naming them. */
function expectTheDocument(documents: readonly PayloadDocument[]): void {
  const found = documents.filter((d) => d.bytes.length === DOC.length);
  expect(found).toHaveLength(1);
  const doc = found[0]!;
  expect(doc.attachment.size).toBe(DOC.length);
  expect(doc.attachment.sha256).toBe(DOC_SHA256);
  expect(sha256(doc.bytes)).toBe(DOC_SHA256);
}

/** The request lists the document (size and SHA-256), as the HL7 v2 parsers give it. */
function expectListed(request: CanonicalRequest): void {
  expect(request.attachments.filter((a) => a.sha256 === DOC_SHA256).map((a) => a.size)).toEqual([DOC.length]);
}

/**
 * An opened secure mail (or an expert's reply): text body, then base64 attachments in lines of 76, with `eol` line
 * ends; written as bytes, the attachments' lines by encodeBase64LineBytes (tested in test/mime).
 */
function mail(body: string, parts: Array<{ type: string; name: string; data: Buffer }>, eol = '\r\n', from = 'Dr Jean Martin <jean.martin@medecin.mssante.fr>'): Buffer {
  const text = (lines: string[]) => Buffer.from(lines.map((l) => l + eol).join(''));
  const head = [`From: ${from}`, 'To: cardiologie@chu.mssante.fr', 'Subject: Demande', 'Date: Tue, 03 Mar 2026 10:00:00 +0100', 'Message-ID: <m1@medecin.mssante.fr>', 'MIME-Version: 1.0'];
  const chunks: Buffer[] = [text([...head, 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body])];
  for (const p of parts) {
    chunks.push(text(['--b1', `Content-Type: ${p.type}; name="${p.name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${p.name}"`, '']));
    const lines = encodeBase64LineBytes(p.data);
    chunks.push(eol === '\r\n' ? lines : Buffer.from(lines.toString('latin1').replace(/\r\n/g, eol), 'latin1'));
  }
  chunks.push(text(['--b1--']));
  return Buffer.concat(chunks);
}

describe('a FHIR request Bundle carrying a 12 MB document', () => {
  function bundleWith(change: (entries: Array<{ fullUrl?: string; resource: Json }>) => void): Buffer {
    const bundle = buildRequestBundle();
    change(bundle.entry as Array<{ fullUrl?: string; resource: Json }>);
    // compact, as most senders write it (the third case keeps the builder's pretty-printing)
    return Buffer.from(JSON.stringify(bundle));
  }
  const attachmentOf = (entries: Array<{ resource: Json }>) =>
    ((entries[9]!.resource.content as Array<{ attachment: Json }>)[0]!).attachment;

  it.each([
    [
      'as a Binary a DocumentReference names (Attachment.url)',
      () =>
        bundleWith((entries) => {
          Object.assign(attachmentOf(entries), { url: entryUrl(11), size: DOC.length, hash: createHash('sha1').update(DOC).digest('base64') });
          entries[11]!.resource.data = DOC_BASE64;
        }),
    ],
    [
      'inline as the DocumentReference Attachment.data',
      () =>
        bundleWith((entries) => {
          const attachment = attachmentOf(entries);
          delete attachment.url;
          Object.assign(attachment, { data: DOC_BASE64, size: DOC.length, hash: createHash('sha1').update(DOC).digest('base64') });
          entries.splice(11, 1);
        }),
    ],
    [
      'inline, pretty-printed with the base64 folded in lines of 76 (white space between characters)',
      () => {
        const bundle = buildRequestBundle();
        const entries = bundle.entry as Array<{ resource: Json }>;
        const attachment = attachmentOf(entries);
        delete attachment.url;
        Object.assign(attachment, { data: encodeBase64Lines(DOC).replace(/\r/g, ''), size: DOC.length, hash: createHash('sha1').update(DOC).digest('base64') });
        entries.splice(11, 1);
        return requestBundleBytes(bundle);
      },
    ],
  ])('%s', (_how, build) => {
    const bytes = build();
    const parsed = value(parseFhirPayload(bytes));
    expectTheDocument(parsed.documents);
    expect(parsed.request.attachments.find((a) => a.sha256 === DOC_SHA256)).toMatchObject({ size: DOC.length, contentType: 'application/pdf', sniffedType: 'application/pdf', kind: 'ecg' });
  });
});

describe('an HL7 v2 request with a 12 MB OBX ED document', () => {
  /** The message with the OBX appended as wire text (base64 and hex need no escaping; building it field by field costs more than parsing it). */
  const withDocument = (message: Buffer, encoding: 'Base64' | 'Hex', data: string) =>
    Buffer.concat([message, Buffer.from(`OBX|9|ED|11524-6^EKG study^LN||^AP^PDF^${encoding}^${data}||||||F\r`, 'latin1')]);
  const HEX = DOC.toString('hex');
  const requests: Record<'omg' | 'ref', Buffer> = { omg: edited('omg'), ref: edited('ref', { 'PID-7': '19761225', 'RF1-5': 'O' }) };

  it.each<[string, 'omg' | 'ref', 'Base64' | 'Hex', string]>([
    ['360X OMG^O19, Base64', 'omg', 'Base64', DOC_BASE64],
    ['360X OMG^O19, Hex', 'omg', 'Hex', HEX],
    ['REF^I12, Base64', 'ref', 'Base64', DOC_BASE64],
    ['REF^I12, Hex', 'ref', 'Hex', HEX],
  ])('%s', (_name, sample, encoding, data) => {
    // parseHl7v2Message: what the parse stage runs on an HL7 v2 payload
    const message = value(parseHl7v2Message(withDocument(requests[sample], encoding, data)));
    expect(message.kind).toBe('request');
    if (message.kind === 'request') expectListed(message.request);
    // the bytes themselves, as the OBX reader gives them (base64 whatever the encoding on the wire)
    const documents = readObservations(message.message, []).documents;
    expect(documents.map((d) => d.contentType)).toEqual(['application/pdf']);
    expect(sha256(Buffer.from(documents[0]!.data, 'base64'))).toBe(DOC_SHA256);
  });

  it('through parseMimeRequest, the message attached to a mail, its document given with its bytes for the blob store', () => {
    const mailed = mail('Merci', [{ type: 'application/hl7-v2', name: 'referral.hl7', data: withDocument(requests.omg, 'Base64', DOC_BASE64) }]);
    const hl7v2 = (bytes: Buffer): Result<ParsedRequest> => {
      const r = parseHl7v2Request(bytes);
      const message = value(parseHl7v2Message(bytes)).message;
      return r.ok ? { ok: true, value: { request: r.value, documents: readObservationDocuments(message) } } : r;
    };
    const parsed = value(parseMimeRequest(mailed, { hl7v2 }));
    expectListed(parsed.request);
    expect(parsed.documents.map((d) => sha256(d.bytes))).toEqual([DOC_SHA256]);
    expect(parsed.documents[0]!.attachment).toEqual(parsed.request.attachments[0]);
  });
});

describe('an IHE_XDM.ZIP with a 12 MB document', () => {
  const input = sampleXdmInput();
  input.documents[1] = { ...input.documents[1]!, data: DOC };

  it.each([
    ['deflated', () => buildXdmPackage(input)],
    [
      'stored (as zip tools keep a PDF, already compressed)',
      () =>
        buildZip([
          { name: 'IHE_XDM/SUBSET01/METADATA.XML', data: Buffer.from(buildXdmMetadata(input)) },
          ...input.documents.map((d) => ({ name: `IHE_XDM/SUBSET01/${d.uri}`, data: d.data, method: 'store' as const })),
        ]),
    ],
  ])('%s', (_how, build) => {
    const parsed = value(parseXdmPayload(build()));
    expectTheDocument(parsed.documents);
    expect(parsed.request.attachments.find((a) => a.sha256 === DOC_SHA256)?.size).toBe(DOC.length);
  });

  it('a CDA embedding the document in base64 as its body (the French CDA N1 form), over the XML size limit', () => {
    const n1 = sampleXdmInput();
    const body = `<text mediaType="application/pdf" representation="B64">${DOC_BASE64}</text>`;
    const cda = Buffer.from(n1.documents[0]!.data.toString('utf8').replace(/<text mediaType="text\/plain">[^<]*<\/text>/, body));
    n1.documents = [{ ...n1.documents[0]!, data: cda }];
    const parsed = value(parseXdmPayload(buildXdmPackage(n1)));
    expect(parsed.request.patient.identifiers.length).toBeGreaterThan(0);
    expect(parsed.documents.map((d) => d.bytes.length)).toEqual([cda.length]);
  });
});

describe('a secure mail with a 12 MB PDF attachment', () => {
  const FORM = 'Patient: DUPONT Marie\nINS: 2 84 03 75 123 456 40\nQuestion: Palpitations, ECG joint. Avis ?\nSpécialité: Cardiologie';

  it.each([
    ['the form, CRLF', () => mail(FORM, [{ type: 'application/pdf', name: 'ecg.pdf', data: DOC }])],
    ['the form, LF', () => mail(FORM, [{ type: 'application/pdf', name: 'ecg.pdf', data: DOC }], '\n')],
    ['a FHIR Bundle payload carrying the document itself', () => {
      const bundle = buildRequestBundle();
      (bundle.entry as Array<{ resource: Json }>)[11]!.resource.data = DOC_BASE64;
      const attachment = ((bundle.entry as Array<{ resource: Json }>)[9]!.resource.content as Array<{ attachment: Json }>)[0]!.attachment;
      Object.assign(attachment, { size: DOC.length, hash: createHash('sha1').update(DOC).digest('base64') });
      return mail('Merci', [{ type: 'application/fhir+json', name: 'request.json', data: requestBundleBytes(bundle) }]);
    }],
    ['an XDM package payload carrying the document', () => {
      const input = sampleXdmInput();
      input.documents[1] = { ...input.documents[1]!, data: DOC };
      return mail('Merci', [{ type: 'application/zip', name: 'IHE_XDM.ZIP', data: buildXdmPackage(input) }]);
    }],
  ])('%s', (_name, build) => {
    const parsed = value(parseMimeRequest(build()));
    expectTheDocument(parsed.documents);
    expect(parsed.request.attachments.filter((a) => a.sha256 === DOC_SHA256).map((a) => a.size)).toEqual([DOC.length]);
  });
});

describe("the expert's opinion with a 12 MB report", () => {
  const hl7 = (bytes: Buffer) => {
    const request = value(parseHl7v2Request(bytes));
    const message = value(parseHl7v2Message(bytes));
    return { request, header: readMessageHeader(message.message, []) };
  };
  const omg = hl7(Buffer.from(readFileSync(join(FIXTURES, 'hl7v2', '360x', 'OMG_O19_referral_request.hl7'), 'latin1').replace(/\r?\n/g, '\r'), 'latin1'));
  const ref = hl7(edited('ref', { 'PID-7': '19761225', 'RF1-5': 'O' }));
  const fhirRequest = value(parseFhirRequest(requestBundleBytes()));
  const answer = AnswerSchema.parse({
    kind: 'finalized',
    at: '2026-02-05T17:45:10Z',
    id: 'A-4',
    expert: { identifiers: [{ system: 'urn:oid:1.2.250.1.71.4.2.1#rpps', value: '10003123456' }], name: { family: 'Dupré', given: ['Élise'], prefix: ['Dr'] }, address: 'elise.dupre@cardio.test' },
    opinion: { text: 'Tension-type headache.\nNo imaging needed.', documents: [{ contentType: 'application/pdf', name: 'report.pdf', data: DOC_BASE64 }] },
  });
  const json = (v: unknown, name: string) => ({ type: 'application/fhir+json', name, data: Buffer.from(JSON.stringify(v)) });

  it.each([
    ['a plain reply (OPINION: …) with the PDF attached', () => mail('OPINION: normal ECG.', [{ type: 'application/pdf', name: 'report.pdf', data: DOC }])],
    ['a 360X OSU^O51 with the report as an OBX ED', () => mail('', [{ type: 'application/hl7-v2', name: 'answer.hl7', data: buildOsuO51(omg.request, answer, omg.header) }])],
    ['an RRI^I12 with the report as an OBX ED', () => mail('', [{ type: 'application/hl7-v2', name: 'RRI.er7', data: buildRriI12(ref.request, answer, ref.header) }])],
    ['a FHIR Task and the opinion document Bundle', () => {
      const built = buildFhirAnswer(fhirRequest, answer);
      return mail('', [json(built.task, 'task.json'), json(built.document, 'opinion.json')]);
    }],
    ['a FHIR Task with the report as Task.output valueAttachment', () => {
      const task = { ...buildFhirAnswer(fhirRequest, answer).task } as Json;
      task.output = [{ type: { text: 'opinion' }, valueString: 'Normal ECG.' }, { type: { text: 'report' }, valueAttachment: { contentType: 'application/pdf', title: 'report.pdf', data: DOC_BASE64 } }];
      return mail('', [json(task, 'task.json')]);
    }],
  ])('%s', (_name, build) => {
    const reply = value(parseExpertReply(build()));
    expect(reply.verb).toBe('opinion');
    expectTheDocument(reply.documents);
  });
});

describe('S/MIME: a 20 MB message (a 15 MB scan in base64) sealed, then opened', () => {
  const doctor = party('doctor');
  const keys = [gatewayKey()];
  const trust = testTrust();
  const AT = new Date('2026-06-01T00:00:00Z');
  const scan = Buffer.concat([DOC, DOC.subarray(0, 3 * MB)]);

  it.each([
    ['opaque signature (the content inside the CMS), AES-GCM, CRLF', { opaque: true, cipher: 'aes-256-gcm' }, '\r\n'],
    ['detached signatures, AES-CBC, triple wrapped, LF (made canonical)', { opaque: false, cipher: 'aes-256-cbc', tripleWrap: true }, '\n'],
  ] as const)('%s', (_name, options, eol) => {
    const inner = mail('OPINION: see the scan.', [{ type: 'application/pdf', name: 'scan.pdf', data: scan }], eol, 'Dr Martin <dr.martin@hopital-a.test>');
    expect(inner.length).toBeGreaterThan(20 * MB);
    const sealed = sealMessage(inner, { ...options, signerKey: doctor.key, signerCert: doctor.cert, recipients: [cert('gateway')], now: AT });
    const opened = openMessage(sealed, { keys, trust, at: AT });
    // the inner message byte for byte, in the canonical CRLF form S/MIME signs, the scan's base64 lines with it
    const canonical = toCanonicalCrlf(inner);
    expect(opened.content.length).toBe(canonical.length);
    expect(sha256(opened.content)).toBe(sha256(canonical));
  });
});
