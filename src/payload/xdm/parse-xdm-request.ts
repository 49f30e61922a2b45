/**
 * An IHE_XDM.ZIP to the canonical request, dialect 'xdm', where its metadata is enough: the patient (submission
 * set and document patient ids, sourcePatientInfo, the CDA recordTarget), the author as requester (submission set
 * author, else a document's, else the CDA author), the intended recipient as the requested address, every
 * document as an attachment, the CDA consent when there is one. What is missing is a problem (XDM_MISSING_*).
 */
import type { CanonicalRequest, CanonicalRequestInput, Coding, Identifier, Practitioner } from '../../domain/canonical-request.ts';
import { type Problem, type Result } from '../../errors/result.ts';
import type { HumanName } from '../fhir/parse-fhir-datatypes.ts';
import { checkIdentifierValue, normalizeSystem } from '../../domain/identifier-systems.ts';
import { LOINC_DOCUMENT_KINDS } from '../fhir/fhir-codes.ts';
import { buildPayloadDocument, type PayloadDocument } from '../mime/payload-document.ts';
import { finishParsedRequest, requestOf, type ParsedRequest } from '../mime/parsed-request.ts';
import type { XdmAuthor } from './parse-xdm-metadata.ts';
import { readXdm, type XdmPackage } from './read-xdm.ts';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './read-zip.ts';

export interface XdmParseOptions {
  limits?: ZipLimits;
}

export function parseXdmRequest(zip: Buffer, options: XdmParseOptions = {}): Result<CanonicalRequest> {
  return requestOf(parseXdmPayload(zip, options));
}

export function parseXdmPayload(zip: Buffer, options: XdmParseOptions = {}): Result<ParsedRequest> {
  const pkg = readXdm(zip, options.limits ?? DEFAULT_ZIP_LIMITS);
  if (!pkg.ok) return pkg;
  return buildXdmRequest(pkg.value);
}

/** The canonical request of a package already read. */
export function buildXdmRequest(pkg: XdmPackage): Result<ParsedRequest> {
  const problems: Problem[] = [];
  const submission = pkg.subsets.find((s) => s.submissionSet)?.submissionSet;
  if (pkg.documents.length === 0) problems.push({ code: 'XDM_NO_DOCUMENTS', path: 'IHE_XDM', message: 'the package holds no document' });

  const identifiers: Identifier[] = [];
  const addId = (id: Identifier | undefined, path: string) => {
    if (!id || identifiers.some((i) => i.system === id.system && i.value === id.value)) return;
    const invalid = checkIdentifierValue(id.system, id.value);
    if (invalid) problems.push({ code: 'XDM_IDENTIFIER_INVALID', path, message: invalid });
    identifiers.push(id);
  };
  addId(submission?.patientId, 'SubmissionSet.patientId');
  const names: HumanName[] = [];
  let birthDate: string | undefined;
  let sex: CanonicalRequestInput['patient']['sex'];
  pkg.documents.forEach((d, k) => {
    const path = `${d.name}`;
    addId(d.entry.patientId, `${path}.patientId`);
    for (const info of [d.entry.sourcePatient, ...(d.cda ? [d.cda.patient] : [])]) {
      info.identifiers.forEach((id) => addId(id, `${path}.sourcePatientId`));
      names.push(...info.names.filter((n) => !names.some((m) => m.family === n.family && m.given.join() === n.given.join())));
      birthDate ??= info.birthDate;
      sex ??= info.sex;
    }
    // every document of one request is about the one patient (its XDS patient id)
    const first = pkg.documents[0]?.entry.patientId;
    if (k > 0 && first && d.entry.patientId && (first.system !== d.entry.patientId.system || first.value !== d.entry.patientId.value)) {
      problems.push({ code: 'XDM_PATIENT_MISMATCH', path: `${path}.patientId`, message: 'the documents are about different patients' });
    }
  });
  if (identifiers.length === 0) problems.push({ code: 'XDM_MISSING_PATIENT', path: 'SubmissionSet.patientId', message: 'no patient identifier in the metadata' });

  const author = submission?.authors[0] ?? pkg.documents.flatMap((d) => d.entry.authors)[0] ?? pkg.documents.find((d) => d.cda?.author)?.cda?.author;
  const requester = author ? practitionerOf(author, problems) : undefined;
  if (!requester || (requester.identifiers.length === 0 && !requester.name)) {
    problems.push({ code: 'XDM_MISSING_AUTHOR', path: 'SubmissionSet.author', message: 'no author person to name as the requester' });
  }

  const documents: PayloadDocument[] = pkg.documents.map((d) => {
    const loinc = [d.entry.typeCode, d.entry.classCode].find((c) => c?.system === 'urn:oid:2.16.840.1.113883.6.1');
    const kind = d.cda ? 'cda' : loinc ? LOINC_DOCUMENT_KINDS[loinc.code] : undefined;
    return buildPayloadDocument(d.bytes, { contentType: d.contentType, name: d.entry.title ?? d.entry.uri ?? d.name, ...(kind ? { kind } : {}) });
  });
  const consent = pkg.documents.find((d) => d.cda?.consent)?.cda?.consent;
  const cdaTitle = pkg.documents.find((d) => d.cda?.title)?.cda?.title;
  const reasonText = submission?.title ?? cdaTitle;
  const question = pkg.documents.find((d) => d.cda?.bodyText)?.cda?.bodyText;
  const input: CanonicalRequestInput = {
    ids: submission?.uniqueId ? { sender: { system: 'urn:ietf:rfc:3986', value: `urn:oid:${submission.uniqueId.replace(/^urn:oid:/, '')}`, type: 'XDS-SUBMISSIONSET' } } : {},
    channel: 'smtp',
    dialect: 'xdm',
    requester: requester ?? { identifiers: [] },
    requested: submission?.intendedRecipients[0] ? { address: submission.intendedRecipients[0] } : {},
    patient: { identifiers, names, ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) },
    reason: { codes: [], ...(reasonText ? { text: reasonText } : {}) },
    ...(question ? { question } : {}),
    ...(consent ? { consent } : {}),
    attachments: documents.map((d) => d.attachment),
    notes: submission?.comments ? [submission.comments] : [],
  };
  return finishParsedRequest(input, documents, problems, 'XDM', 'IHE_XDM');
}

function practitionerOf(a: XdmAuthor, problems: Problem[]): Practitioner {
  if (a.identifier) {
    const invalid = checkIdentifierValue(a.identifier.system, a.identifier.value);
    if (invalid) problems.push({ code: 'XDM_IDENTIFIER_INVALID', path: 'SubmissionSet.author.authorPerson', message: invalid });
  }
  const organization = a.institution && (a.institution.name || a.institution.identifiers.length) ? a.institution : undefined;
  return {
    identifiers: a.identifier ? [a.identifier] : [],
    ...(a.name ? { name: a.name } : {}),
    ...(a.specialty ? { specialty: parseCe(a.specialty) } : {}),
    ...(a.email ? { address: a.email } : {}),
    ...(organization ? { organization } : {}),
  };
}

/** An XDS coded value `code^display^system` (authorSpecialty); a bare code keeps a txgate system. */
function parseCe(value: string): Coding {
  const [code, display, system] = value.split('^');
  return {
    system: system ? normalizeSystem(system) : 'urn:txgate:xds:authorSpecialty',
    code: code || value,
    ...(display ? { display } : {}),
  };
}
