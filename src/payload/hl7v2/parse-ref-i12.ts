/**
 * A classic patient referral (REF^I12, HL7 v2.3–2.5 chapter 11) to the canonical request, dialect 'hl7v2-ref':
 *
 * - RF1-2 priority (table 0280: S urgent, A asap, R routine); RF1-5 category (table 0284; a date there is a
 *   problem); RF1-7/8/9 dates checked
 * - ids.sender: RF1-6 originating referral id, else RF1-11 external referral id, else OBR-2 placer order number;
 *   an id without its own assigning authority takes the sending facility's (MSH-4)
 * - PRD-1 roles (table 0286): RP referring = requester; RT referred-to, else CP consulting = requested.expert
 * - PID patient; DG1-3 diagnoses = reason codes; text OBX (FT/TX/ST, \.br\ as new lines) = question;
 *   OBX ED = attachments; NTE = notes
 */
import type { CanonicalRequest, Identifier, Practitioner } from '../../domain/canonical-request.ts';
import type { Problem, Result } from '../../errors/result.ts';
import type { Er7Message } from './er7-types.ts';
import { finishRequest } from './finish-request.ts';
import { fieldAt, getSegment, valueAt } from './get-value.ts';
import { formatHl7Path, HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { PRIORITY_OF_CODE, PROVIDER_ROLE, REFERRAL_CATEGORY } from './hl7-tables.ts';
import { systemOfAuthority } from './identifier-system.ts';
import type { Hl7v2RequestOptions } from './parse-360x.ts';
import { readCwe, readDtm, readEi, textOf, toIdentifier, type Hl7Identifier } from './read-data-types.ts';
import { readMessageHeader } from './read-message-header.ts';
import { attachmentOf, readNotes, readObservations } from './read-observations.ts';
import { readPatient } from './read-patient.ts';
import { readPrdPractitioner } from './read-practitioner.ts';
import { lookup } from './lookup.ts';

export function parseRefI12(message: Er7Message, options: Hl7v2RequestOptions = {}): Result<CanonicalRequest> {
  const problems: Problem[] = [];
  const header = readMessageHeader(message, problems);
  if (header.messageCode !== 'REF' || header.triggerEvent !== 'I12') {
    problems.push(hl7Problem(HL7_CODES.UNSUPPORTED_MESSAGE, 'MSH-9', 'a referral request is a REF^I12'));
  }
  const msh = message.segments[0]!;
  const facility = fieldAt(msh, 4)[0];
  const senderAuthority = systemOfAuthority(textOf(facility, 1), textOf(facility, 2), textOf(facility, 3));

  const rf1 = getSegment(message, 'RF1');
  let priority: CanonicalRequest['priority'] | undefined;
  let category: string | undefined;
  const candidates: [Hl7Identifier | undefined, string][] = [];
  if (rf1) {
    const code = textOf(fieldAt(rf1, 2)[0], 1).toUpperCase();
    if (code) {
      priority = lookup(PRIORITY_OF_CODE, code);
      if (!priority) problems.push(hl7Problem(HL7_CODES.UNKNOWN_CODE, 'RF1-2', `referral priority '${code.slice(0, 8)}' is not a code of table 0280 (S, A, R)`));
    }
    const cat = textOf(fieldAt(rf1, 5)[0], 1);
    if (/^\d{4,}([.+-]\d+)*$/.test(cat)) {
      problems.push(hl7Problem(HL7_CODES.UNEXPECTED_VALUE, 'RF1-5', `the referral category holds a date ('${cat.slice(0, 24)}') where a code of table 0284 is expected`));
    } else if (cat) {
      category = lookup(REFERRAL_CATEGORY, cat.toUpperCase()) ?? cat;
    }
    for (const n of [7, 8, 9]) readDtm(fieldAt(rf1, n)[0], `RF1-${n}`, problems, true);
    candidates.push([readEi(fieldAt(rf1, 6)[0]), 'RF1-6']);
    fieldAt(rf1, 11).forEach((rep, i) => candidates.push([readEi(rep), i === 0 ? 'RF1-11' : `RF1-11[${i + 1}]`]));
  }
  const obr = getSegment(message, 'OBR');
  if (obr) candidates.push([readEi(fieldAt(obr, 2)[0]), 'OBR-2']);
  const [found, foundPath] = candidates.find(([id]) => id !== undefined) ?? [undefined, 'RF1-6'];
  let sender: Identifier | undefined;
  if (found) sender = toIdentifier(found.system || !senderAuthority ? found : { ...found, ...senderAuthority }, foundPath, problems);
  else problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, 'RF1-6', 'no referral id (RF1-6, RF1-11 or OBR-2) to answer to'));

  // providers by role
  let requester: Practitioner | undefined;
  let referredTo: Practitioner | undefined;
  let consulting: Practitioner | undefined;
  let occurrence = 0;
  for (const seg of message.segments) {
    if (seg.name !== 'PRD') continue;
    occurrence++;
    const path = formatHl7Path('PRD', occurrence);
    const role = valueAt(seg, 1).trim().toUpperCase();
    if (role === PROVIDER_ROLE.referring) requester ??= readPrdPractitioner(seg, path, problems);
    else if (role === PROVIDER_ROLE.referredTo) referredTo ??= readPrdPractitioner(seg, path, problems);
    else if (role === PROVIDER_ROLE.consulting) consulting ??= readPrdPractitioner(seg, path, problems);
  }
  if (!requester) problems.push(hl7Problem(HL7_CODES.MISSING_SEGMENT, 'PRD', 'the referring provider (a PRD with role RP) is required'));
  const expert = referredTo ?? consulting;

  const patient = readPatient(message, problems);

  // diagnoses
  const diagnoses = message.segments.filter((s) => s.name === 'DG1').map((dg1) => {
    const cwe = readCwe(fieldAt(dg1, 3)[0]);
    const description = valueAt(dg1, 4).trim();
    const codings = cwe.codings.map((c) => (c.display || !description ? c : { ...c, display: description }));
    return { codings, text: cwe.text ?? (description || undefined) };
  });
  const reasonText = diagnoses.map((d) => d.text).filter((t): t is string => !!t).join('; ');

  const observations = readObservations(message, problems);
  const { notes, reasons } = readNotes(message);
  const question = observations.texts.join('\n\n').replace(/\n+$/, '');

  return finishRequest(
    {
      ids: sender ? { sender } : {},
      channel: options.channel ?? 'smtp',
      dialect: 'hl7v2-ref',
      requester: requester ?? {},
      requested: expert ? { expert } : {},
      patient: patient ?? {},
      reason: { codes: diagnoses.flatMap((d) => d.codings), ...(reasonText ? { text: reasonText } : {}) },
      ...(question ? { question } : {}),
      ...(category ? { category } : {}),
      ...(priority ? { priority } : {}),
      attachments: observations.documents.map(attachmentOf),
      notes: [...reasons, ...notes],
    },
    problems,
  );
}
