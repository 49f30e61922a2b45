/**
 * What the demo needs to play one programme (one rule pack): its people (their certificates and directory rows),
 * its synthetic patients, the plain mail form in its language, what the expert writes, the acts it bills, the
 * request made by FHIR (a requester whose software speaks FHIR, when the programme has one), and the refused cases
 * that fit its rules. Data only: one object per programme in `programmes/`, the story in run-gateway-demo.ts is the
 * same for all.
 */
import type { CSV_COLUMNS } from '../directory/parse-directory-csv.ts';
import type { MailAttachment } from '../mime/build-mail.ts';

/** A row of the directory CSV (src/directory/parse-directory-csv.ts), by column; absent cells are left empty. */
export type DemoDirectoryRow = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

export interface DemoPerson {
  /** the name of their key and certificate files in the workspace's `pki/` folder; how cases name the sender */
  name: string;
  /** how the story calls them: `Dr Martin` */
  short: string;
  /** what they are, in the story: `GP` */
  role: string;
  /** their certificate's subject: common name and organisation */
  cn: string;
  organization: string;
  /** their secure-mail address (in the certificate and the directory) */
  address: string;
  /** their directory row (identifiers, profession, specialties, council, municipality…); `addresses` is added */
  directory: DemoDirectoryRow;
}

export interface DemoPatient {
  /** as written in the form (synthetic) */
  name: string;
  /** the identifier the form carries (INS, CNS…): the form builder knows its label */
  identifier: string;
  /** DD/MM/YYYY */
  born: string;
}

export interface DemoForm {
  patient: DemoPatient;
  question: string;
  /** the day of the request: the consent is dated from it */
  at: Date;
  urgent?: boolean;
}

/**
 * The request made over the FHIR API (play-fhir-request.ts): a professional whose software signs a request Bundle
 * and POSTs it with her certificate, for a patient of her own; the expert of the pool answers by secure mail.
 */
export interface DemoFhirRequest {
  /** who asks (in the directory, her certificate attached): her profession must be one the pack lets ask the pool */
  requester: DemoPerson;
  /** the patient, with the FHIR Patient's name parts and sex (not the round trip's patients: the quota stays theirs) */
  patient: DemoPatient & { family: string; given: string; gender: 'female' | 'male' };
  /** the identifier system of the patient's identifier (INS, CNS…) */
  patientSystem: string;
  /** Task.description: the question */
  question: string;
  /** a document of the request (a DocumentReference with its Binary) */
  attachment: MailAttachment & { loinc: { code: string; display: string } };
  /** the mode of return the patient agreed to (Consent.provision.purpose, urn:txgate:fhir:mode-of-return) */
  modeOfReturn: 'synthesis-consultation' | 'phone-call' | 'mon-espace-sante' | 'paper-letter' | 'secure-mail' | 'other';
  /** what the expert answers by secure mail (first line: the verb), and the text the requester must find in the opinion Bundle */
  opinion: string;
  opinionText: string;
  /** the act codes the insurer must receive for her request (none: it must receive nothing for it) */
  acts: string[];
}

/** A refused case (or what leads to one): requests sent one after the other, each outcome checked. */
export interface DemoCase {
  name: string;
  /** the outcome of each request, space-separated: a request's state, its refusal codes (`, `), or the message's refusal code */
  expected: string;
  /** the sender: a person's `name`, or the outsider's */
  from: string;
  /** a pool's local part (on the gateway's domain) or a whole address */
  to: string;
  patient: 'main' | 'other';
  /** one request per question, in this order */
  questions: string[];
  urgent?: boolean;
}

export interface DemoProgramme {
  /** the rule pack (policy.pack) */
  pack: string;
  /** the language the requester is told in, in English (`French`) */
  languageName: string;
  /** the subject of the requester's mail */
  subject: string;
  /** the insurer's name in the configuration */
  insurerName: string;
  /** what the directory holds, in the story: `3 doctors` */
  directoryDescription: string;
  /** who asks */
  requester: DemoPerson;
  /** the pool asked (its local part: `cardiologie`) and its two experts */
  pool: string;
  experts: [DemoPerson, DemoPerson];
  /** what the story calls an expert of the pool: `cardiologist` */
  expertRole: string;
  /** more people of the directory (senders of refused cases) */
  others: DemoPerson[];
  /** the request made by FHIR; none: the programme has no requester whose software speaks FHIR (the scene says so) */
  fhir?: DemoFhirRequest;
  /** a signer under an authority the gateway does not trust (not in the directory) */
  outsider: Pick<DemoPerson, 'name' | 'cn' | 'address'>;
  patients: { main: DemoPatient; other: DemoPatient };
  /** the plain mail form (src/payload/form) in the programme's language */
  buildForm(form: DemoForm): string;
  /** the first request: its question and the document attached */
  request: { question: string; attachment: MailAttachment };
  /** what the expert writes: the accept line, the opinion (first line: the verb) and the text the requester must find in it, the report */
  expert: { accept: string; opinion: string; opinionText: string; report: MailAttachment };
  /** a phrase of the gateway's "accepted" notice in the pack's language (src/pipeline/loop-texts.ts) */
  acceptedText: string;
  /** the billing step's name, and the act codes the insurer must receive (none: it must receive nothing) */
  billing: { step: string; acts: string[] };
  /** what the rules refuse, played after the round trip (the unknown signer included) */
  refusedCases: DemoCase[];
}

/** Every person of the programme's directory. */
export function demoPeople(p: DemoProgramme): DemoPerson[] {
  return [p.requester, ...p.experts, ...p.others, ...(p.fhir ? [p.fhir.requester] : [])];
}

/** What a billing step must read (for each request the pack bills): each act `complete`, or no claim and nothing sent. */
export function expectedBilling(p: DemoProgramme): string {
  return expectedClaims(p.billing.acts);
}

/** Each act `complete` (the ClaimResponse's outcome), in code order, or no claim and nothing sent. */
export function expectedClaims(acts: readonly string[]): string {
  return acts.length ? [...acts].sort().map((a) => `${a} complete`).join(', ') : 'no claim, nothing sent';
}
