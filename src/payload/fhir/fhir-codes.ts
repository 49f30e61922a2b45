/**
 * The code systems and URLs txgate reads and writes in FHIR where no published one fits (decision 0012).
 * URNs, so that they name nothing on the web; a rule pack may map them to a national guide's codes later.
 */

/** What the patient was informed of and consented to: Consent.provision.purpose (or Consent.category) codes. */
export const CONSENT_COVERAGE_SYSTEM = 'urn:txgate:fhir:consent-coverage';

export const CONSENT_COVERAGE_CODES = {
  reason: 'reason',
  requestedIdentity: 'requested-identity',
  requestedSpecialty: 'requested-specialty',
  modeOfReturn: 'mode-of-return',
} as const;

/** How the opinion goes back to the patient: a Consent.provision.purpose code, one of ModeOfReturnSchema. */
export const MODE_OF_RETURN_SYSTEM = 'urn:txgate:fhir:mode-of-return';

/** The kind of answer (accepted, declined, information-requested, finalized, cancelled, corrected): Task.businessStatus. */
export const ANSWER_KIND_SYSTEM = 'urn:txgate:fhir:answer-kind';

/** The answer's own id: a Task.identifier and the document Bundle's identifier. */
export const ANSWER_ID_SYSTEM = 'urn:txgate:answer-id';

/** The version of an opinion (a correction has version > 1): an extension of the Composition. */
export const OPINION_VERSION_EXTENSION = 'urn:txgate:fhir:StructureDefinition:opinion-version';

/** Task.code "fulfill" (R4 task-code). */
export const TASK_CODE_SYSTEM = 'http://hl7.org/fhir/CodeSystem/task-code';

/** LOINC 11488-4 "Consult note": the type of the opinion Composition. */
export const CONSULT_NOTE = { system: 'http://loinc.org', code: '11488-4', display: 'Consult note' } as const;

/** What some LOINC document types are, for Attachment.kind. */
export const LOINC_DOCUMENT_KINDS: Record<string, string> = {
  '11524-6': 'ecg',
  '34534-8': 'ecg',
  '34552-0': 'echocardiography',
  '11488-4': 'report',
  '34133-9': 'report',
  '18842-5': 'discharge-summary',
  '18748-4': 'imaging',
  '11525-3': 'ultrasound',
};
