/**
 * The canonical tele-expertise request: whatever dialect a requester's software speaks (IHE 360X, REF^I12,
 * FHIR, an XDM package, a plain mail form), it becomes this. The single source of truth: the JSON Schema in
 * schemas/canonical-request.schema.json is exported from it.
 */
import { z } from 'zod';

/** Well-known identifier systems (OIDs as urn:oid:, as FHIR writes them). */
export const IDENTIFIER_SYSTEMS = {
  /** France: INS (NIR used as the national health identifier) */
  INS_NIR: 'urn:oid:1.2.250.1.213.1.4.8',
  /** France: NIR, the social security number */
  NIR: 'urn:oid:1.2.250.1.213.1.4.2',
  /** France: national id of health professionals (8 + RPPS, 0 + ADELI) */
  PS_NATIONAL: 'urn:oid:1.2.250.1.71.4.2.1',
  RPPS: 'urn:oid:1.2.250.1.71.4.2.1#rpps',
  ADELI: 'urn:oid:1.2.250.1.71.4.2.1#adeli',
  FINESS: 'urn:oid:1.2.250.1.71.4.2.2',
  /** Brazil: Cartão Nacional de Saúde */
  CNS: 'urn:oid:2.16.840.1.113883.13.236',
  /** Brazil: CPF */
  CPF: 'urn:oid:2.16.840.1.113883.13.237',
  /** United States: NPI */
  NPI: 'http://hl7.org/fhir/sid/us-npi',
} as const;

export const IdentifierSchema = z
  .strictObject({
    system: z.string().min(1).describe('The identifier system: a URI (urn:oid:… for an OID) or the assigning authority as sent.'),
    value: z.string().min(1).describe('The identifier value.'),
    type: z.string().min(1).optional().describe('What kind of identifier: INS, NIR, CNS, MRN, RPPS, ADELI, CPF, NPI, COUNCIL…'),
    assigner: z.string().min(1).optional().describe('The assigning authority as the sender named it (HL7 CX-4 / EI namespace).'),
  })
  .describe('An identifier with its system.');

export const CodingSchema = z
  .strictObject({
    system: z.string().min(1).describe('The code system (a URI, an OID as urn:oid:, or a pack-defined name).'),
    code: z.string().min(1),
    display: z.string().min(1).optional(),
  })
  .describe('A code in a code system.');

export const HumanNameSchema = z.strictObject({
  family: z.string().min(1).optional(),
  given: z.array(z.string().min(1)).default([]),
  prefix: z.array(z.string().min(1)).default([]),
});

export const OrganizationSchema = z.strictObject({
  name: z.string().min(1).optional(),
  identifiers: z.array(IdentifierSchema).default([]),
});

export const PractitionerSchema = z
  .strictObject({
    identifiers: z.array(IdentifierSchema).default([]).describe('RPPS/ADELI/national id, CPF, NPI… with their systems.'),
    name: HumanNameSchema.optional(),
    profession: CodingSchema.optional().describe('Profession (France: Annuaire Santé profession code, e.g. 10 doctor, 50 midwife, 60 nurse; Brazil: CBO).'),
    specialty: CodingSchema.optional().describe('Specialty (France: Annuaire Santé specialty code; Brazil: RQE specialty).'),
    council: z
      .strictObject({ name: z.string().min(1), number: z.string().min(1), state: z.string().min(1).optional() })
      .optional()
      .describe('Professional council registration (Brazil: CRM + number + state).'),
    address: z.string().min(3).optional().describe('Secure mail address.'),
    organization: OrganizationSchema.optional(),
  })
  .describe('A health professional, as the request names them.');

export const PatientSchema = z.strictObject({
  identifiers: z.array(IdentifierSchema).default([]).describe('INS/NIR, CNS, MRN with its assigning authority…'),
  names: z.array(HumanNameSchema).default([]),
  birthDate: z
    .string()
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY, YYYY-MM or YYYY-MM-DD')
    .optional()
    .describe('Birth date, with the precision the sender gave.'),
  sex: z.enum(['male', 'female', 'other', 'unknown']).optional(),
});

export const ModeOfReturnSchema = z
  .enum(['synthesis-consultation', 'phone-call', 'mon-espace-sante', 'paper-letter', 'secure-mail', 'other'])
  .describe('How the opinion goes back to the patient (France: the four modes the patient consents to).');

export const ConsentSchema = z
  .strictObject({
    granted: z.boolean().describe('Whether the patient consented.'),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}/).optional().describe('When (ISO 8601 date or date-time).'),
    covers: z
      .strictObject({
        reason: z.boolean().default(false),
        requestedIdentity: z.boolean().default(false),
        requestedSpecialty: z.boolean().default(false),
        modeOfReturn: z.boolean().default(false),
      })
      .describe('What the patient was informed of and consented to.'),
    modeOfReturn: ModeOfReturnSchema.optional(),
    source: z.enum(['fhir-consent', 'hl7-con', 'xdm', 'form']).describe('Where the consent was read from.'),
  })
  .describe('The patient consent, the same shape whatever the dialect.');

export const AttachmentSchema = z.strictObject({
  contentType: z.string().min(1).describe('The media type as declared.'),
  sniffedType: z.string().min(1).optional().describe('The media type found from the bytes, when it differs or was checked.'),
  name: z.string().min(1).optional(),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the bytes: the name in the blob store.'),
  kind: z.string().min(1).optional().describe('What the document is, when known (ecg, echocardiography, ultrasound, cda, report…).'),
});

export const CanonicalRequestSchema = z
  .strictObject({
    ids: z.strictObject({
      sender: IdentifierSchema.optional().describe("The sender's referral id with its assigning authority (360X placer order number, RF1-6…)."),
      txgate: z.string().min(1).optional().describe("txgate's own id, given when the request is stored."),
    }),
    channel: z.enum(['smtp', 'fhir']),
    dialect: z.enum(['hl7v2-360x', 'hl7v2-ref', 'fhir', 'xdm', 'form']),
    requester: PractitionerSchema,
    requested: z
      .strictObject({
        expert: PractitionerSchema.optional().describe('A named expert.'),
        specialty: CodingSchema.optional().describe('Or a specialty (a pool).'),
        address: z.string().min(3).optional().describe('The address the request was sent to (a pool address such as cardiologie@…).'),
      })
      .describe('Who is asked: a named expert, or a specialty.'),
    patient: PatientSchema,
    coverage: z
      .strictObject({
        insurer: OrganizationSchema.optional(),
        memberId: z.string().min(1).optional(),
      })
      .optional(),
    reason: z.strictObject({ codes: z.array(CodingSchema).default([]), text: z.string().min(1).optional() }),
    question: z.string().min(1).optional().describe('The clinical question.'),
    category: z.string().min(1).optional().describe('The case category (pack-defined: cardiac, fetal, process-of-work, clinical-case…).'),
    priority: z.enum(['routine', 'urgent', 'asap', 'stat']).default('routine'),
    neededBy: z.string().regex(/^\d{4}-\d{2}-\d{2}/).optional().describe('The answer is needed by (ISO 8601).'),
    consent: ConsentSchema.optional(),
    attachments: z.array(AttachmentSchema).default([]),
    notes: z.array(z.string().min(1)).default([]),
  })
  .meta({ title: 'txgate canonical tele-expertise request', description: 'One tele-expertise request, whatever the dialect it arrived in.' });

export type Identifier = z.infer<typeof IdentifierSchema>;
export type Coding = z.infer<typeof CodingSchema>;
export type Practitioner = z.infer<typeof PractitionerSchema>;
export type Patient = z.infer<typeof PatientSchema>;
export type Consent = z.infer<typeof ConsentSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
export type CanonicalRequest = z.infer<typeof CanonicalRequestSchema>;
export type CanonicalRequestInput = z.input<typeof CanonicalRequestSchema>;
