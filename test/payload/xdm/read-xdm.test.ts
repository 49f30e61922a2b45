import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../src/errors/result.ts';
import { sha256Hex } from '../../../src/payload/mime/payload-document.ts';
import { buildXdmMetadata, buildXdmPackage } from '../../../src/payload/xdm/build-xdm-package.ts';
import { buildZip } from '../../../src/payload/xdm/build-zip.ts';
import { parseXdmRequest } from '../../../src/payload/xdm/parse-xdm-request.ts';
import { parseXml } from '../../../src/payload/xdm/parse-xml.ts';
import { readXdm } from '../../../src/payload/xdm/read-xdm.ts';
import { FIXTURES } from '../../helpers/paths.ts';
import { SAMPLE_CDA, SAMPLE_INS, SAMPLE_PDF, SAMPLE_RPPS_NATIONAL, sampleXdmInput } from './sample-xdm.ts';

const FIXTURE = join(FIXTURES, 'xdm', 'IHE_XDM.ZIP');

function codes<T>(r: Result<T>): string[] {
  return r.ok ? [] : r.problems.map((p) => p.code);
}

describe('IHE XDM packages', () => {
  it('the committed fixture is what scripts/build-xdm-fixtures.ts builds', () => {
    expect(readFileSync(FIXTURE).equals(buildXdmPackage(sampleXdmInput()))).toBe(true);
  });

  it('reads METADATA.XML, a CDA and a PDF back: documents, metadata, CDA header', () => {
    const r = readXdm(readFileSync(FIXTURE));
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    expect(r.value.subsets).toEqual([{ folder: 'IHE_XDM/SUBSET01', submissionSet: expect.objectContaining({ uniqueId: '1.2.250.1.999.3.20260115.1', submissionTime: '2026-01-15T09:30:00Z', intendedRecipients: ['cardiologie@chu.mssante.fr'] }) }]);
    const [cda, pdf] = r.value.documents;
    expect(cda).toMatchObject({ name: 'IHE_XDM/SUBSET01/DOC0001.XML', contentType: 'text/xml', sha256: sha256Hex(SAMPLE_CDA) });
    expect(cda!.bytes.equals(SAMPLE_CDA)).toBe(true);
    expect(cda!.entry).toMatchObject({
      uri: 'DOC0001.XML',
      creationTime: '2026-01-15T09:30:00Z',
      patientId: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: SAMPLE_INS, type: 'INS' },
      typeCode: { system: 'urn:oid:2.16.840.1.113883.6.1', code: '11488-4', display: 'Consult note' },
      classCode: { system: 'urn:oid:2.16.840.1.113883.6.1', code: '11488-4', display: 'Consult note' },
      authors: [expect.objectContaining({ identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: SAMPLE_RPPS_NATIONAL, type: 'IDNPS' }, email: 'jean.martin@medecin.mssante.fr' })],
    });
    expect(cda!.cda).toMatchObject({
      title: 'Demande de téléexpertise & ECG',
      patient: { identifiers: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: SAMPLE_INS, type: 'INS' }], names: [{ family: 'DUPONT', given: ['Marie'], prefix: [] }], birthDate: '1984-03-12', sex: 'female' },
      author: expect.objectContaining({ name: { family: 'MARTIN', given: ['Jean'], prefix: ['Dr'] } }),
      consent: { granted: true, source: 'xdm' },
    });
    expect(pdf).toMatchObject({ name: 'IHE_XDM/SUBSET01/DOC0002.PDF', contentType: 'application/pdf', sha256: sha256Hex(SAMPLE_PDF) });
    expect(pdf!.entry.size).toBe(SAMPLE_PDF.length);
    expect(pdf!.entry.typeCode?.code).toBe('11524-6');
  });

  it('gives the canonical request with dialect xdm', () => {
    const r = parseXdmRequest(readFileSync(FIXTURE));
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      dialect: 'xdm',
      channel: 'smtp',
      requester: { identifiers: [{ value: SAMPLE_RPPS_NATIONAL }], name: { family: 'MARTIN' }, address: 'jean.martin@medecin.mssante.fr', organization: { name: 'Cabinet du Parc' } },
      requested: { address: 'cardiologie@chu.mssante.fr' },
      patient: { identifiers: [{ value: SAMPLE_INS }], birthDate: '1984-03-12', sex: 'female' },
      question: 'Palpitations depuis 3 semaines, ECG joint. Avis cardiologique ?',
      consent: { granted: true, source: 'xdm' },
    });
    expect(r.value.attachments.map((a) => [a.contentType, a.kind, a.sha256])).toEqual([
      ['text/xml', 'cda', sha256Hex(SAMPLE_CDA)],
      ['application/pdf', 'ecg', sha256Hex(SAMPLE_PDF)],
    ]);
  });

  it('lists what the metadata lacks as problems', () => {
    const input = sampleXdmInput();
    delete input.authorPerson;
    input.patientId = '';
    input.patientInfo = [];
    input.documents = input.documents.slice(1);
    const r = parseXdmRequest(buildXdmPackage(input));
    expect(codes(r).sort()).toEqual(['XDM_MISSING_AUTHOR', 'XDM_MISSING_PATIENT']);
  });

  it('checks the declared hash and size of documents, and that they are in the archive', () => {
    const input = sampleXdmInput();
    const metadata = buildXdmMetadata(input);
    const zip = buildZip([
      { name: 'IHE_XDM/SUBSET01/METADATA.XML', data: Buffer.from(metadata) },
      { name: 'IHE_XDM/SUBSET01/DOC0001.XML', data: SAMPLE_CDA },
      { name: 'IHE_XDM/SUBSET01/DOC0002.PDF', data: Buffer.concat([SAMPLE_PDF, Buffer.from('tampered')]) },
    ]);
    expect(codes(readXdm(zip))).toEqual(['XDM_HASH_MISMATCH', 'XDM_HASH_MISMATCH']);
    const missing = buildZip([{ name: 'IHE_XDM/SUBSET01/METADATA.XML', data: Buffer.from(metadata) }]);
    expect(codes(readXdm(missing))).toEqual(['XDM_DOCUMENT_MISSING', 'XDM_DOCUMENT_MISSING']);
    expect(codes(readXdm(buildZip([{ name: 'README.TXT', data: Buffer.from('x') }])))).toEqual(['XDM_NO_METADATA']);
  });

  it('refuses DTDs and entities in the XML (no XXE, no billion laughs)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    expect(codes(parseXml(xxe, 'x'))).toEqual(['XML_DTD_REFUSED']);
    const laughs = '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><l>&b;</l>';
    expect(codes(parseXml(laughs, 'x'))).toEqual(['XML_DTD_REFUSED']);
    const zip = buildZip([{ name: 'IHE_XDM/SUBSET01/METADATA.XML', data: Buffer.from(xxe) }]);
    expect(readXdm(zip)).toEqual({ ok: false, problems: [{ code: 'XDM_XML_DTD_REFUSED', path: 'IHE_XDM/SUBSET01/METADATA.XML', message: expect.any(String) }] });
    expect(codes(parseXml('<a><b></a>', 'x'))).toEqual(['XML_MALFORMED']);
    expect(parseXml('<a t="&lt;&#233;&amp;">x &amp; y<![CDATA[ &amp; ]]></a>', 'x')).toEqual({ ok: true, value: { name: 'a', attributes: { t: '<é&' }, children: [], text: 'x & y &amp; ' } });
    expect(codes(parseXml(`${'<a>'.repeat(500)}${'</a>'.repeat(500)}`, 'x'))).toEqual(['XML_MALFORMED']);
  });

  it('gives problems, never exceptions, for damaged packages', () => {
    const zip = readFileSync(FIXTURE);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (flips) => {
        const damaged = Buffer.from(zip);
        for (const [at, b] of flips) damaged[at] = b;
        const r = parseXdmRequest(damaged);
        if (!r.ok) for (const p of r.problems) expect(p.code).toMatch(/^XDM_[A-Z_]+$/);
      }),
      { numRuns: 300 },
    );
  });

  it('gives problems, never exceptions, for damaged metadata inside a sound archive', () => {
    const metadata = Buffer.from(buildXdmMetadata(sampleXdmInput()));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(metadata.length - 1), fc.constantFrom(...'<>&"/=x ^|'.split(''))), { minLength: 1, maxLength: 5 }), (flips) => {
        const damaged = Buffer.from(metadata);
        for (const [at, ch] of flips) damaged[at] = ch.charCodeAt(0);
        const zip = buildZip([
          { name: 'IHE_XDM/SUBSET01/METADATA.XML', data: damaged },
          { name: 'IHE_XDM/SUBSET01/DOC0001.XML', data: SAMPLE_CDA },
          { name: 'IHE_XDM/SUBSET01/DOC0002.PDF', data: SAMPLE_PDF },
        ]);
        const r = parseXdmRequest(zip);
        if (!r.ok) for (const p of r.problems) expect(p.code).toMatch(/^XDM_[A-Z_]+$/);
      }),
      { numRuns: 300 },
    );
  });
});
