import { describe, expect, it } from 'vitest';
import { elideEmbeddedDocuments, parseCdaHeader } from '../../../src/payload/xdm/parse-cda-header.ts';
import { SAMPLE_CDA, SAMPLE_PDF } from './sample-xdm.ts';

/** The sample CDA with its body a PDF in base64 (the French CDA N1 form), written with `prefix`. */
function withPdfBody(pdf: Buffer, prefix = ''): Buffer {
  const body = `<${prefix}text mediaType="application/pdf" representation="B64">${pdf.toString('base64')}</${prefix}text>`;
  return Buffer.from(SAMPLE_CDA.toString('utf8').replace(/<text mediaType="text\/plain">[^<]*<\/text>/, body));
}

describe('parseCdaHeader', () => {
  it('reads the header of a CDA carrying a 12 MB PDF as its body, over the XML size limit, the PDF not parsed', () => {
    const pdf = Buffer.concat([SAMPLE_PDF, Buffer.alloc(12 * 1024 * 1024, 0x20)]);
    const r = parseCdaHeader(withPdfBody(pdf), 'IHE_XDM/SUBSET01/DOC0001.XML');
    expect(r).toMatchObject({ ok: true, value: { title: 'Demande de téléexpertise & ECG', patient: { sex: 'female' } } });
    expect(r.ok && r.value.bodyText).toBeUndefined();
  });

  it('still reads the text of a plain-text body', () => {
    expect(parseCdaHeader(SAMPLE_CDA, 'cda')).toMatchObject({ ok: true, value: { bodyText: expect.stringContaining('Palpitations') } });
  });
});

describe('elideEmbeddedDocuments', () => {
  it.each([
    ['a base64 text, emptied', '<a><text representation="B64" mediaType="x">QUJD</text></a>', '<a><text representation="B64" mediaType="x"></text></a>'],
    ['with a namespace prefix', "<a><cda:text representation='B64'>QUJD</cda:text><b/></a>", "<a><cda:text representation='B64'></cda:text><b/></a>"],
    ['two of them', '<a><text representation="B64">QQ==</text><text representation="B64">Qg==</text></a>', '<a><text representation="B64"></text><text representation="B64"></text></a>'],
    ['a text that is not base64, kept', '<a><text mediaType="text/plain">Bonjour</text></a>', '<a><text mediaType="text/plain">Bonjour</text></a>'],
    ['a base64 text holding markup, kept for the parser', '<a><text representation="B64"><reference value="#x"/></text></a>', '<a><text representation="B64"><reference value="#x"/></text></a>'],
    ['a base64 text never closed, kept', '<a><text representation="B64">QUJD', '<a><text representation="B64">QUJD'],
  ])('%s', (_, xml, elided) => {
    expect(elideEmbeddedDocuments(xml)).toBe(elided);
  });
});
