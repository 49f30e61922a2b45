import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64Lines } from '../../../src/mime/decode-body.ts';
import type { Result } from '../../../src/errors/result.ts';
import { dropScriptsAndStyles, findPayload, readMail } from '../../../src/payload/mime/find-payload.ts';
import { parseMimeRequest } from '../../../src/payload/mime/parse-mime-request.ts';
import { sha256Hex } from '../../../src/payload/mime/payload-document.ts';
import { sniffMediaType } from '../../../src/payload/mime/sniff-media-type.ts';
import { sniffPayloadDialect } from '../../../src/payload/mime/sniff-payload-dialect.ts';
import { FIXTURES } from '../../helpers/paths.ts';
import { requestBundleBytes } from '../fhir/request-bundle.ts';
import { SAMPLE_CDA, SAMPLE_PDF } from '../xdm/sample-xdm.ts';

interface Part {
  type: string;
  name?: string;
  data: Buffer | string;
  inline?: boolean;
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const DICOM = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([2, 0, 0, 0])]);
const XDM = readFileSync(join(FIXTURES, 'xdm', 'IHE_XDM.ZIP'));

/** An inner message as `txgate smime open` gives it: text body first, then base64 attachments. */
function mail(body: string, parts: Part[] = [], eol = '\r\n'): Buffer {
  const head = [`From: Dr Jean Martin <jean.martin@medecin.mssante.fr>`, `To: cardiologie@chu.mssante.fr`, `Subject: Demande`, `Message-ID: <m1@medecin.mssante.fr>`, 'MIME-Version: 1.0'];
  if (parts.length === 0) return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join(eol));
  const lines = [...head, 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', body];
  for (const p of parts) {
    const data = typeof p.data === 'string' ? Buffer.from(p.data) : p.data;
    lines.push('--b1', `Content-Type: ${p.type}${p.name ? `; name="${p.name}"` : ''}`, 'Content-Transfer-Encoding: base64');
    if (p.name) lines.push(`Content-Disposition: ${p.inline ? 'inline' : 'attachment'}; filename="${p.name}"`);
    lines.push('', encodeBase64Lines(data).trimEnd().split('\r\n').join(eol));
  }
  lines.push('--b1--', '');
  return Buffer.from(lines.join(eol));
}

function codes<T>(r: Result<T>): string[] {
  return r.ok ? [] : r.problems.map((p) => p.code);
}

const FORM = 'Patient: DUPONT Marie\nQuestion: Avis ?\nSpécialité: Cardiologie';

describe('finding the payload of an opened secure mail', () => {
  it('finds each payload by content type or by file name', () => {
    const cases: Array<[Part, string]> = [
      [{ type: 'application/hl7-v2', data: 'MSH|^~\\&|A\r' }, 'hl7v2'],
      [{ type: 'x-application/hl7-v2+er7', data: 'MSH|^~\\&|A\r' }, 'hl7v2'],
      [{ type: 'application/octet-stream', name: 'referral.hl7', data: 'MSH|^~\\&|A\r' }, 'hl7v2'],
      [{ type: 'text/plain', name: 'ORDER.ER7', data: 'MSH|^~\\&|A\r' }, 'hl7v2'],
      [{ type: 'application/fhir+json', data: '{}' }, 'fhir'],
      [{ type: 'application/json', name: 'bundle.json', data: '{}' }, 'fhir'],
      [{ type: 'application/zip', name: 'IHE_XDM.ZIP', data: XDM }, 'xdm'],
      [{ type: 'application/octet-stream', name: 'ihe_xdm.zip', data: XDM }, 'xdm'],
    ];
    for (const [part, kind] of cases) {
      const r = findPayload(mail('Bonjour', [part, { type: 'application/pdf', name: 'ecg.pdf', data: SAMPLE_PDF }]));
      expect(r.ok && r.value.kind, `${part.type} ${part.name ?? ''}`).toBe(kind);
      if (r.ok) {
        expect(r.value.part?.bytes.equals(typeof part.data === 'string' ? Buffer.from(part.data) : part.data)).toBe(true);
        expect(r.value.documents.map((d) => d.attachment.name)).toEqual(['ecg.pdf']);
        expect(r.value).toMatchObject({ from: 'jean.martin@medecin.mssante.fr', to: 'cardiologie@chu.mssante.fr', subject: 'Demande', text: 'Bonjour' });
      }
    }
  });

  it('lists the other attachments with their declared and sniffed types', () => {
    const r = findPayload(
      mail(FORM, [
        { type: 'application/pdf', name: 'ecg.pdf', data: SAMPLE_PDF },
        { type: 'image/jpeg', name: 'photo.jpg', data: JPEG, inline: true },
        { type: 'application/octet-stream', name: 'scan.png', data: PNG },
        { type: 'application/dicom', name: 'IM0001', data: DICOM },
        { type: 'text/xml', name: 'cr.xml', data: SAMPLE_CDA },
        { type: 'image/png', name: 'not-really.png', data: SAMPLE_PDF },
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.kind).toBe('form');
    expect(r.value.documents.map((d) => [d.attachment.name, d.attachment.contentType, d.attachment.sniffedType, d.attachment.kind])).toEqual([
      ['ecg.pdf', 'application/pdf', 'application/pdf', undefined],
      ['photo.jpg', 'image/jpeg', 'image/jpeg', undefined],
      ['scan.png', 'application/octet-stream', 'image/png', undefined],
      ['IM0001', 'application/dicom', 'application/dicom', undefined],
      ['cr.xml', 'text/xml', 'text/xml', 'cda'],
      ['not-really.png', 'image/png', 'application/pdf', undefined],
    ]);
    expect(r.value.documents[0]!.attachment.sha256).toBe(sha256Hex(SAMPLE_PDF));
  });

  it('is PAYLOAD_AMBIGUOUS with two payloads, PAYLOAD_NONE with none and no form', () => {
    const two = findPayload(mail('x', [{ type: 'application/fhir+json', data: '{}' }, { type: 'application/hl7-v2', data: 'MSH|' }]));
    expect(two).toEqual({ ok: false, problems: [
      { code: 'PAYLOAD_AMBIGUOUS', path: 'message.part[1]', message: expect.any(String) },
      { code: 'PAYLOAD_AMBIGUOUS', path: 'message.part[2]', message: expect.any(String) },
    ] });
    expect(codes(findPayload(mail('Bonjour, un avis SVP', [{ type: 'application/pdf', name: 'a.pdf', data: SAMPLE_PDF }])))).toEqual(['PAYLOAD_NONE']);
    expect(codes(findPayload(Buffer.from('Content-Type: multipart/mixed\r\n\r\nno boundary')))).toEqual(['PAYLOAD_MALFORMED']);
  });

  it('reads the form from a single-part mail, an LF mail and an HTML-only mail', () => {
    expect(findPayload(mail(FORM)).ok && findPayload(mail(FORM)).ok).toBe(true);
    const lf = findPayload(mail(FORM, [{ type: 'application/pdf', name: 'a.pdf', data: SAMPLE_PDF }], '\n'));
    expect(lf.ok && lf.value.kind).toBe('form');
    const html = Buffer.from(`From: a@b.fr\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Patient: DUPONT Marie</p><p>Question: Avis &amp; conduite ?</p>`);
    const r = findPayload(html);
    expect(r.ok && r.value.kind).toBe('form');
    expect(r.ok && r.value.text).toContain('Question: Avis & conduite ?');
  });

  it('parses the whole mail: FHIR payload plus the mail attachments, addresses from the mail', () => {
    const r = parseMimeRequest(mail('Merci', [{ type: 'application/fhir+json', data: requestBundleBytes() }, { type: 'image/jpeg', name: 'photo.jpg', data: JPEG }]));
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    expect(r.value.request).toMatchObject({ dialect: 'fhir', channel: 'smtp', requested: { address: 'cardiologie@chu.mssante.fr' } });
    expect(r.value.request.attachments.map((a) => a.name)).toEqual(['ECG.pdf', 'photo.jpg']);
    expect(r.value.documents.map((d) => d.attachment.name)).toEqual(['ECG.pdf', 'photo.jpg']);
  });

  it('parses the whole mail: XDM payload, the mail text kept', () => {
    const r = parseMimeRequest(mail('Merci de votre avis', [{ type: 'application/zip', name: 'IHE_XDM.ZIP', data: XDM }]));
    expect(codes(r)).toEqual([]);
    if (r.ok) {
      expect(r.value.request).toMatchObject({ dialect: 'xdm', requester: { address: 'jean.martin@medecin.mssante.fr' } });
      // the CDA carries the question: the mail's text is kept as a note
      expect(r.value.request.question).toMatch(/^Palpitations/);
      expect(r.value.request.notes).toEqual(['Merci de votre avis']);
    }
  });

  it('parses the whole mail: the form with the mail attachments; HL7 v2 only with a parser', () => {
    const r = parseMimeRequest(mail(FORM, [{ type: 'application/pdf', name: 'ecg.pdf', data: SAMPLE_PDF }]));
    expect(r.ok && r.value.request).toMatchObject({ dialect: 'form', requester: { address: 'jean.martin@medecin.mssante.fr' }, attachments: [{ name: 'ecg.pdf' }] });
    const hl7 = mail('x', [{ type: 'application/hl7-v2', data: 'MSH|^~\\&|A\r' }]);
    expect(codes(parseMimeRequest(hl7))).toEqual(['PAYLOAD_UNSUPPORTED']);
    const fake = parseMimeRequest(hl7, { hl7v2: () => ({ ok: false, problems: [{ code: 'HL7_TEST', path: 'MSH', message: 'called' }] }) });
    expect(codes(fake)).toEqual(['HL7_TEST']);
  });

  it('gives problems, never exceptions, for damaged mails', () => {
    const m = mail(FORM, [{ type: 'application/pdf', name: 'ecg.pdf', data: SAMPLE_PDF }, { type: 'application/fhir+json', data: '{"resourceType":"Bundle"}' }]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(m.length - 1), fc.constantFrom(0x2d, 0x0a, 0x0d, 0x3a, 0x3d, 0x22, 0x41, 0x3b)), { minLength: 1, maxLength: 6 }), (flips) => {
        const damaged = Buffer.from(m);
        for (const [at, b] of flips) damaged[at] = b;
        const r = parseMimeRequest(damaged);
        if (!r.ok) for (const p of r.problems) expect(p.code).toMatch(/^[A-Z0-9]+_[A-Z_]+$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sniffing', () => {
  it('tells PDF, JPEG, PNG, DICOM, XML, CDA and ZIP from their bytes', () => {
    expect(sniffMediaType(SAMPLE_PDF)).toEqual({ mediaType: 'application/pdf' });
    expect(sniffMediaType(JPEG)).toEqual({ mediaType: 'image/jpeg' });
    expect(sniffMediaType(PNG)).toEqual({ mediaType: 'image/png' });
    expect(sniffMediaType(DICOM)).toEqual({ mediaType: 'application/dicom' });
    expect(sniffMediaType(SAMPLE_CDA)).toEqual({ mediaType: 'text/xml', kind: 'cda' });
    expect(sniffMediaType(Buffer.from('\ufeff<?xml version="1.0"?><!-- c --><rim:Foo/>'))).toEqual({ mediaType: 'text/xml' });
    expect(sniffMediaType(XDM)).toEqual({ mediaType: 'application/zip' });
    expect(sniffMediaType(Buffer.from('hello'))).toBeUndefined();
  });

  it('tells the dialect of a payload from its first bytes', () => {
    expect(sniffPayloadDialect(Buffer.from('MSH|^~\\&|X'))).toBe('hl7v2');
    expect(sniffPayloadDialect(Buffer.from('\ufeff  {"resourceType":"Bundle"}'))).toBe('fhir');
    expect(sniffPayloadDialect(XDM)).toBe('xdm');
    expect(sniffPayloadDialect(mail('x'))).toBe('mime');
    expect(sniffPayloadDialect(Buffer.from('Bonjour docteur'))).toBeUndefined();
  });
});

describe('dropScriptsAndStyles', () => {
  /** The definition it replaces (quadratic on opening tags never closed). */
  const definition = (html: string) => html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '');

  it('drops what the definition drops, on any mix of tags and text', () => {
    const token = fc.constantFrom('<script>', '<SCRIPT type="x">', '</script>', '</Script>', '<style>', '</style>', '<scripts>', 'text', '<', '>', ' ', 'é');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }).map((t) => t.join('')), (html) => {
        expect(dropScriptsAndStyles(html)).toBe(definition(html));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads 100 000 opening tags never closed, and a body of bare <, as text', () => {
    const scripts = 'a<script>'.repeat(100_000);
    expect(dropScriptsAndStyles(scripts)).toBe(scripts);
    const mail = Buffer.from(`From: a@b.test\r\nTo: c@d.test\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour</p>${'<'.repeat(100_000)}x\r\n`);
    const read = readMail(mail);
    expect(read.ok && read.value.text?.startsWith('Bonjour\n<<<')).toBe(true);
  });
});
