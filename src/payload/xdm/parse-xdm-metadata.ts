/**
 * METADATA.XML of an XDM subset (XDS ebRIM 3.0, ITI TF-3 §4.2): the submission set (RegistryPackage) and the
 * document entries (ExtrinsicObject), from their slots, classifications and external identifiers.
 */
import type { Coding, Identifier } from '../../domain/canonical-request.ts';
import { fail, ok, type Result } from '../../errors/result.ts';
import type { HumanName } from '../fhir/parse-fhir-datatypes.ts';
import { normalizeSystem } from '../../domain/identifier-systems.ts';
import { childNamed, childrenNamed, parseXml, type XmlElement } from './parse-xml.ts';
import { parseCx, parseDtm, parseXcn, parseXon, parseXtn } from './parse-xds-datatypes.ts';

/** XDS classification and identification schemes (ITI TF-3 Table 4.2.5-1). */
export const XDS = {
  documentAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  documentPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  documentUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  submissionSetAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  contentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  submissionSetPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  submissionSetUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
} as const;

export interface XdmAuthor {
  identifier?: Identifier;
  name?: HumanName;
  institution?: { name?: string; identifiers: Identifier[] };
  specialty?: string;
  role?: string;
  email?: string;
}

export interface XdmPatientInfo {
  identifiers: Identifier[];
  names: HumanName[];
  birthDate?: string;
  sex?: 'male' | 'female' | 'other' | 'unknown';
}

export interface XdmDocumentEntry {
  /** the ExtrinsicObject id */
  id: string;
  /** file name, relative to the subset folder */
  uri?: string;
  mimeType?: string;
  /** SHA-1 in hex, as declared */
  hash?: string;
  size?: number;
  title?: string;
  creationTime?: string;
  patientId?: Identifier;
  sourcePatient: XdmPatientInfo;
  authors: XdmAuthor[];
  classCode?: Coding;
  typeCode?: Coding;
  formatCode?: Coding;
  uniqueId?: string;
}

export interface XdmSubmissionSet {
  uniqueId?: string;
  submissionTime?: string;
  title?: string;
  comments?: string;
  patientId?: Identifier;
  authors: XdmAuthor[];
  /** the intended recipients' addresses */
  intendedRecipients: string[];
  contentTypeCode?: Coding;
}

export interface XdmMetadata {
  submissionSet?: XdmSubmissionSet;
  documents: XdmDocumentEntry[];
}

/** Reads METADATA.XML; `path` names it in problems. */
export function parseXdmMetadata(bytes: Buffer, path: string): Result<XdmMetadata> {
  const parsed = parseXml(bytes, path);
  if (!parsed.ok) return fail(...parsed.problems.map((p) => ({ ...p, code: `XDM_${p.code}` })));
  const root = parsed.value;
  const list = root.name === 'RegistryObjectList' ? root : childNamed(root, 'RegistryObjectList');
  if (!list) return fail({ code: 'XDM_METADATA_INVALID', path, message: 'no RegistryObjectList' });
  const documents = childrenNamed(list, 'ExtrinsicObject').map(parseDocumentEntry);
  const pkg = childrenNamed(list, 'RegistryPackage').find((p) => isSubmissionSet(p, list)) ?? childrenNamed(list, 'RegistryPackage')[0];
  return ok({ documents, ...(pkg ? { submissionSet: parseSubmissionSet(pkg) } : {}) });
}

/** A RegistryPackage is the submission set when classified as one (inside it or beside it). */
function isSubmissionSet(pkg: XmlElement, list: XmlElement): boolean {
  const node = 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd';
  const classified = (c: XmlElement) => c.attributes.classificationNode === node && (c.attributes.classifiedObject ?? pkg.attributes.id) === pkg.attributes.id;
  return [...childrenNamed(pkg, 'Classification'), ...childrenNamed(list, 'Classification')].some(classified);
}

function slotValues(e: XmlElement, name: string): string[] {
  const slot = childrenNamed(e, 'Slot').find((s) => s.attributes.name === name);
  return childrenNamed(childNamed(slot, 'ValueList'), 'Value').map((v) => v.text.trim()).filter(Boolean);
}

function localizedString(e: XmlElement | undefined): string | undefined {
  const v = childNamed(e, 'LocalizedString')?.attributes.value?.trim();
  return v || undefined;
}

function classification(e: XmlElement, scheme: string): XmlElement[] {
  return childrenNamed(e, 'Classification').filter((c) => c.attributes.classificationScheme === scheme);
}

function codedClassification(e: XmlElement, scheme: string): Coding | undefined {
  const c = classification(e, scheme)[0];
  const code = c?.attributes.nodeRepresentation?.trim();
  const system = c ? slotValues(c, 'codingScheme')[0] : undefined;
  if (!c || !code || !system) return undefined;
  const display = localizedString(childNamed(c, 'Name'));
  return { system: normalizeSystem(system), code, ...(display ? { display } : {}) };
}

function externalIdentifier(e: XmlElement, scheme: string): string | undefined {
  const x = childrenNamed(e, 'ExternalIdentifier').find((i) => i.attributes.identificationScheme === scheme);
  return x?.attributes.value?.trim() || undefined;
}

function parseAuthor(c: XmlElement): XdmAuthor {
  const person = slotValues(c, 'authorPerson')[0];
  const institution = slotValues(c, 'authorInstitution')[0];
  const specialty = slotValues(c, 'authorSpecialty')[0];
  const role = slotValues(c, 'authorRole')[0];
  const email = slotValues(c, 'authorTelecommunication').map(parseXtn).find(Boolean);
  const xcn = person ? parseXcn(person) : {};
  return {
    ...xcn,
    ...(institution ? { institution: parseXon(institution) } : {}),
    ...(specialty ? { specialty } : {}),
    ...(role ? { role } : {}),
    ...(email ? { email } : {}),
  };
}

const SEX: Record<string, XdmPatientInfo['sex']> = { M: 'male', F: 'female', O: 'other', A: 'other', U: 'unknown' };

/** sourcePatientInfo: `PID-3|cx`, `PID-5|family^given`, `PID-7|YYYYMMDD`, `PID-8|M`. */
function parsePatientInfo(values: string[]): XdmPatientInfo {
  const info: XdmPatientInfo = { identifiers: [], names: [] };
  for (const v of values) {
    const m = /^PID-(\d+)\|(.*)$/.exec(v);
    if (!m) continue;
    const [, field, value] = m;
    if (field === '3') {
      const id = parseCx(value!);
      if (id) info.identifiers.push(id);
    } else if (field === '5') {
      const [family, given, middle, , prefix] = value!.split('^');
      if (family || given) info.names.push({ ...(family ? { family } : {}), given: [given, middle].filter((s): s is string => !!s), prefix: prefix ? [prefix] : [] });
    } else if (field === '7') {
      const d = parseDtm(value!.slice(0, 8));
      if (d) info.birthDate = d;
    } else if (field === '8') {
      const sex = SEX[value!.trim().toUpperCase()];
      if (sex) info.sex = sex;
    }
  }
  return info;
}

function parseDocumentEntry(e: XmlElement): XdmDocumentEntry {
  const size = Number(slotValues(e, 'size')[0]);
  const uri = slotValues(e, 'URI')[0];
  const hash = slotValues(e, 'hash')[0]?.toLowerCase();
  const creation = slotValues(e, 'creationTime')[0];
  const creationTime = creation ? parseDtm(creation) : undefined;
  const patient = externalIdentifier(e, XDS.documentPatientId);
  const patientId = patient ? parseCx(patient) : undefined;
  const title = localizedString(childNamed(e, 'Name'));
  const classCode = codedClassification(e, XDS.classCode);
  const typeCode = codedClassification(e, XDS.typeCode);
  const formatCode = codedClassification(e, XDS.formatCode);
  const uniqueId = externalIdentifier(e, XDS.documentUniqueId);
  const mimeType = e.attributes.mimeType?.trim();
  const sourceIds = slotValues(e, 'sourcePatientId').flatMap((v) => parseCx(v) ?? []);
  const info = parsePatientInfo(slotValues(e, 'sourcePatientInfo'));
  return {
    id: e.attributes.id ?? '',
    ...(uri ? { uri } : {}),
    ...(mimeType ? { mimeType } : {}),
    ...(hash ? { hash } : {}),
    ...(Number.isSafeInteger(size) && size >= 0 && slotValues(e, 'size').length ? { size } : {}),
    ...(title ? { title } : {}),
    ...(creationTime ? { creationTime } : {}),
    ...(patientId ? { patientId } : {}),
    sourcePatient: { ...info, identifiers: [...sourceIds, ...info.identifiers] },
    authors: classification(e, XDS.documentAuthor).map(parseAuthor),
    ...(classCode ? { classCode } : {}),
    ...(typeCode ? { typeCode } : {}),
    ...(formatCode ? { formatCode } : {}),
    ...(uniqueId ? { uniqueId } : {}),
  };
}

function parseSubmissionSet(p: XmlElement): XdmSubmissionSet {
  const submission = slotValues(p, 'submissionTime')[0];
  const submissionTime = submission ? parseDtm(submission) : undefined;
  const patient = externalIdentifier(p, XDS.submissionSetPatientId);
  const patientId = patient ? parseCx(patient) : undefined;
  const uniqueId = externalIdentifier(p, XDS.submissionSetUniqueId);
  const title = localizedString(childNamed(p, 'Name'));
  const comments = localizedString(childNamed(p, 'Description'));
  const contentTypeCode = codedClassification(p, XDS.contentTypeCode);
  // intendedRecipient: XON|XCN|XTN (ITI TF-3 §4.2.3.3.10)
  const intendedRecipients = slotValues(p, 'intendedRecipient').flatMap((v) => parseXtn(v.split('|')[2] ?? '') ?? []);
  return {
    ...(uniqueId ? { uniqueId } : {}),
    ...(submissionTime ? { submissionTime } : {}),
    ...(title ? { title } : {}),
    ...(comments ? { comments } : {}),
    ...(patientId ? { patientId } : {}),
    authors: classification(p, XDS.submissionSetAuthor).map(parseAuthor),
    intendedRecipients,
    ...(contentTypeCode ? { contentTypeCode } : {}),
  };
}
