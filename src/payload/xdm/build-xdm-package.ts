/**
 * An IHE_XDM.ZIP (one subset): METADATA.XML (an XDS SubmitObjectsRequest with the submission set and one
 * ExtrinsicObject per document), the documents, INDEX.HTM and README.TXT. What an outbound XDM needs; the tests
 * and fixtures are built with it. Pure.
 */
import { createHash } from 'node:crypto';
import { escapeXhtml } from '../fhir/build-fhir-answer.ts';
import { buildZip } from './build-zip.ts';
import { XDS } from './parse-xdm-metadata.ts';

export interface XdmPackageInput {
  /** OID of the submission set */
  submissionSetId: string;
  /** OID of the source */
  sourceId: string;
  /** YYYYMMDDhhmmss */
  submissionTime: string;
  title?: string;
  comments?: string;
  /** CX: value^^^&OID&ISO */
  patientId: string;
  /** sourcePatientInfo lines: PID-5|FAMILY^Given, PID-7|YYYYMMDD, PID-8|F */
  patientInfo?: string[];
  /** XCN: id^FAMILY^Given^^^Prefix^^^&OID&ISO */
  authorPerson?: string;
  /** XON */
  authorInstitution?: string;
  /** code^display^system */
  authorSpecialty?: string;
  authorEmail?: string;
  intendedRecipientEmail?: string;
  documents: Array<{
    /** file name in the subset folder */
    uri: string;
    mimeType: string;
    data: Buffer;
    uniqueId: string;
    title?: string;
    creationTime?: string;
    /** code^display^codingScheme OID */
    typeCode?: string;
    classCode?: string;
    formatCode?: string;
  }>;
}

const SUBSET = 'IHE_XDM/SUBSET01';

function slot(name: string, values: string[]): string {
  return `<rim:Slot name="${name}"><rim:ValueList>${values.map((v) => `<rim:Value>${escapeXhtml(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
}

function name(text: string | undefined, element = 'Name'): string {
  return text ? `<rim:${element}><rim:LocalizedString value="${escapeXhtml(text)}"/></rim:${element}>` : '';
}

function coded(scheme: string, owner: string, id: string, value: string | undefined): string {
  if (!value) return '';
  const [code, display, system] = value.split('^');
  return `<rim:Classification id="${id}" classificationScheme="${scheme}" classifiedObject="${owner}" nodeRepresentation="${escapeXhtml(code ?? '')}">${slot('codingScheme', [system ?? ''])}${name(display)}</rim:Classification>`;
}

function author(scheme: string, owner: string, id: string, input: XdmPackageInput): string {
  const slots = [
    input.authorPerson ? slot('authorPerson', [input.authorPerson]) : '',
    input.authorInstitution ? slot('authorInstitution', [input.authorInstitution]) : '',
    input.authorSpecialty ? slot('authorSpecialty', [input.authorSpecialty]) : '',
    input.authorEmail ? slot('authorTelecommunication', [`^^Internet^${input.authorEmail}`]) : '',
  ].join('');
  return slots ? `<rim:Classification id="${id}" classificationScheme="${scheme}" classifiedObject="${owner}" nodeRepresentation="">${slots}</rim:Classification>` : '';
}

function externalId(scheme: string, owner: string, id: string, value: string, label: string): string {
  return `<rim:ExternalIdentifier id="${id}" registryObject="${owner}" identificationScheme="${scheme}" value="${escapeXhtml(value)}">${name(label)}</rim:ExternalIdentifier>`;
}

export function buildXdmMetadata(input: XdmPackageInput): string {
  const docs = input.documents.map((d, k) => {
    const id = `Document${String(k + 1).padStart(2, '0')}`;
    return [
      `<rim:ExtrinsicObject id="${id}" mimeType="${escapeXhtml(d.mimeType)}" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">`,
      d.creationTime ? slot('creationTime', [d.creationTime]) : '',
      slot('hash', [createHash('sha1').update(d.data).digest('hex')]),
      slot('size', [String(d.data.length)]),
      slot('URI', [d.uri]),
      slot('sourcePatientId', [input.patientId]),
      input.patientInfo ? slot('sourcePatientInfo', input.patientInfo) : '',
      name(d.title),
      author(XDS.documentAuthor, id, `${id}-author`, input),
      coded(XDS.classCode, id, `${id}-class`, d.classCode),
      coded(XDS.typeCode, id, `${id}-type`, d.typeCode),
      coded(XDS.formatCode, id, `${id}-format`, d.formatCode),
      externalId(XDS.documentPatientId, id, `${id}-patient`, input.patientId, 'XDSDocumentEntry.patientId'),
      externalId(XDS.documentUniqueId, id, `${id}-unique`, d.uniqueId, 'XDSDocumentEntry.uniqueId'),
      '</rim:ExtrinsicObject>',
    ].join('');
  });
  const set = [
    '<rim:RegistryPackage id="SubmissionSet01" objectType="urn:oid:1.3.6.1.4.1.19376.1.2.4.1">',
    slot('submissionTime', [input.submissionTime]),
    input.intendedRecipientEmail ? slot('intendedRecipient', [`||^^Internet^${input.intendedRecipientEmail}`]) : '',
    name(input.title),
    name(input.comments, 'Description'),
    author(XDS.submissionSetAuthor, 'SubmissionSet01', 'SubmissionSet01-author', input),
    externalId(XDS.submissionSetUniqueId, 'SubmissionSet01', 'SubmissionSet01-unique', input.submissionSetId, 'XDSSubmissionSet.uniqueId'),
    externalId('urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832', 'SubmissionSet01', 'SubmissionSet01-source', input.sourceId, 'XDSSubmissionSet.sourceId'),
    externalId(XDS.submissionSetPatientId, 'SubmissionSet01', 'SubmissionSet01-patient', input.patientId, 'XDSSubmissionSet.patientId'),
    '</rim:RegistryPackage>',
    '<rim:Classification id="SubmissionSet01-class" classifiedObject="SubmissionSet01" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>',
  ].join('');
  const associations = input.documents.map(
    (_, k) =>
      `<rim:Association id="Association${k + 1}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="SubmissionSet01" targetObject="Document${String(k + 1).padStart(2, '0')}">${slot('SubmissionSetStatus', ['Original'])}</rim:Association>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">',
    '<rim:RegistryObjectList>',
    set,
    ...docs,
    ...associations,
    '</rim:RegistryObjectList>',
    '</lcm:SubmitObjectsRequest>\n',
  ].join('');
}

export function buildXdmPackage(input: XdmPackageInput): Buffer {
  const index = `<html><body><h1>XDM</h1><ul>${input.documents.map((d) => `<li><a href="${SUBSET}/${escapeXhtml(d.uri)}">${escapeXhtml(d.title ?? d.uri)}</a></li>`).join('')}</ul></body></html>\n`;
  return buildZip([
    { name: 'INDEX.HTM', data: Buffer.from(index) },
    { name: 'README.TXT', data: Buffer.from('IHE XDM package (ITI TF-1 16). Documents are in IHE_XDM/SUBSET01.\r\n') },
    { name: 'IHE_XDM/', data: Buffer.alloc(0), method: 'store' },
    { name: `${SUBSET}/`, data: Buffer.alloc(0), method: 'store' },
    { name: `${SUBSET}/METADATA.XML`, data: Buffer.from(buildXdmMetadata(input)) },
    ...input.documents.map((d) => ({ name: `${SUBSET}/${d.uri}`, data: d.data })),
  ]);
}
