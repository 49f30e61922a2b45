/**
 * The header of an HL7 CDA R2 document (what txgate needs, not the body): the patient (recordTarget), the first
 * author, the title and type, and a consent when the document carries one (authorization/consent).
 */
import type { Coding, Consent } from '../../domain/canonical-request.ts';
import { fail, ok, type Result } from '../../errors/result.ts';
import type { XdmAuthor, XdmPatientInfo } from './parse-xdm-metadata.ts';
import { normalizeSystem, typeOfSystem } from '../../domain/identifier-systems.ts';
import { childNamed, childrenNamed, parseXml, type XmlElement } from './parse-xml.ts';
import { parseDtm } from './parse-xds-datatypes.ts';

export interface CdaHeader {
  title?: string;
  code?: Coding;
  effectiveTime?: string;
  patient: XdmPatientInfo;
  author?: XdmAuthor;
  consent?: Consent;
  /** the text of a plain-text nonXMLBody (a scanned or typed request) */
  bodyText?: string;
}

const SEX: Record<string, XdmPatientInfo['sex']> = { M: 'male', F: 'female', UN: 'other', U: 'unknown' };

/** The start tag of a `text` element (any prefix) whose content is base64 (representation="B64"). */
const B64_TEXT = /<((?:[A-Za-z_][\w.-]*:)?text)\b[^<>]*\brepresentation\s*=\s*["']B64["'][^<>]*>/g;

/**
 * The CDA without the content of its base64 `text` elements (a nonXMLBody carrying a PDF: the French CDA N1 form),
 * left empty when it holds no markup: the header is all that is read, and the embedded document, megabytes of it,
 * went through the XML size limit and the parser (seconds for a few megabytes) for nothing. Linear.
 */
export function elideEmbeddedDocuments(xml: string): string {
  let out = '';
  let pos = 0;
  for (const start of xml.matchAll(B64_TEXT)) {
    if (start.index < pos) continue;
    const contentStart = start.index + start[0].length;
    const end = xml.indexOf(`</${start[1]!}>`, contentStart);
    if (end < 0) break;
    // content with markup in it is left to the parser as it is
    const lt = xml.indexOf('<', contentStart);
    if (lt < end) continue;
    out += xml.slice(pos, contentStart);
    pos = end;
  }
  return pos === 0 ? xml : out + xml.slice(pos);
}

export function parseCdaHeader(bytes: Buffer, path: string): Result<CdaHeader> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail({ code: 'XDM_XML_MALFORMED', path, message: 'XML not in UTF-8' });
  }
  const parsed = parseXml(elideEmbeddedDocuments(text), path);
  if (!parsed.ok) return fail(...parsed.problems.map((p) => ({ ...p, code: `XDM_${p.code}` })));
  const doc = parsed.value;
  if (doc.name !== 'ClinicalDocument') return fail({ code: 'XDM_CDA_INVALID', path, message: 'not a CDA ClinicalDocument' });
  const title = childNamed(doc, 'title')?.text.trim();
  const code = parseCode(childNamed(doc, 'code'));
  const effective = childNamed(doc, 'effectiveTime')?.attributes.value;
  const effectiveTime = effective ? parseDtm(effective.slice(0, 14).replace(/[^\d]/g, '')) : undefined;
  const author = parseAuthor(childNamed(doc, 'author'));
  const consent = parseConsent(doc);
  const body = childNamed(childNamed(childNamed(doc, 'component'), 'nonXMLBody'), 'text');
  const bodyText = body && (body.attributes.mediaType ?? 'text/plain') === 'text/plain' && !body.attributes.representation ? body.text.trim() : undefined;
  return ok({
    ...(bodyText ? { bodyText } : {}),
    ...(title ? { title } : {}),
    ...(code ? { code } : {}),
    ...(effectiveTime ? { effectiveTime } : {}),
    patient: parsePatient(childNamed(childNamed(doc, 'recordTarget'), 'patientRole')),
    ...(author ? { author } : {}),
    ...(consent ? { consent } : {}),
  });
}

function parseCode(e: XmlElement | undefined): Coding | undefined {
  const code = e?.attributes.code;
  const system = e?.attributes.codeSystem;
  if (!code || !system) return undefined;
  const display = e.attributes.displayName;
  return { system: normalizeSystem(system), code, ...(display ? { display } : {}) };
}

function parseIds(e: XmlElement | undefined) {
  return childrenNamed(e, 'id').flatMap((id) => {
    const root = id.attributes.root;
    const extension = id.attributes.extension;
    if (!root || !extension) return [];
    const system = normalizeSystem(root);
    const type = typeOfSystem(system);
    return [{ system, value: extension, ...(type ? { type } : {}) }];
  });
}

function parseName(e: XmlElement | undefined) {
  if (!e) return undefined;
  const family = childNamed(e, 'family')?.text.trim();
  const given = childrenNamed(e, 'given').map((g) => g.text.trim()).filter(Boolean);
  const prefix = childrenNamed(e, 'prefix').map((g) => g.text.trim()).filter(Boolean);
  if (!family && given.length === 0) return undefined;
  return { ...(family ? { family } : {}), given, prefix };
}

function parsePatient(role: XmlElement | undefined): XdmPatientInfo {
  const patient = childNamed(role, 'patient');
  const names = childrenNamed(patient, 'name').flatMap((n) => parseName(n) ?? []);
  const birth = childNamed(patient, 'birthTime')?.attributes.value;
  const birthDate = birth ? parseDtm(birth.slice(0, 8)) : undefined;
  const sex = SEX[childNamed(patient, 'administrativeGenderCode')?.attributes.code?.toUpperCase() ?? ''];
  return { identifiers: parseIds(role), names, ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) };
}

function parseAuthor(author: XmlElement | undefined): XdmAuthor | undefined {
  const assigned = childNamed(author, 'assignedAuthor');
  if (!assigned) return undefined;
  const identifier = parseIds(assigned)[0];
  const name = parseName(childNamed(childNamed(assigned, 'assignedPerson'), 'name'));
  const email = childrenNamed(assigned, 'telecom')
    .map((t) => t.attributes.value ?? '')
    .find((v) => /^mailto:/i.test(v))
    ?.replace(/^mailto:/i, '');
  const org = childNamed(assigned, 'representedOrganization');
  const orgName = childNamed(org, 'name')?.text.trim();
  const specialty = childNamed(assigned, 'code')?.attributes.code;
  return {
    ...(identifier ? { identifier } : {}),
    ...(name ? { name } : {}),
    ...(email ? { email } : {}),
    ...(specialty ? { specialty } : {}),
    ...(org ? { institution: { ...(orgName ? { name: orgName } : {}), identifiers: parseIds(org) } } : {}),
  };
}

/**
 * CDA `authorization/consent`: a completed consent is a granted one. A CDA consent says that the patient agreed,
 * not to what: nothing is marked covered (the policy asks for the rest).
 */
function parseConsent(doc: XmlElement): Consent | undefined {
  const consent = childrenNamed(doc, 'authorization').map((a) => childNamed(a, 'consent')).find(Boolean);
  if (!consent) return undefined;
  const status = childNamed(consent, 'statusCode')?.attributes.code;
  return {
    granted: status === 'completed',
    covers: { reason: false, requestedIdentity: false, requestedSpecialty: false, modeOfReturn: false },
    source: 'xdm',
  };
}
