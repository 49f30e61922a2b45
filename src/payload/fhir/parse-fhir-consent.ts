/**
 * The patient's consent from a FHIR Consent (decision 0012): granted when the Consent is active and its provision
 * permits (an absent provision type counts as permit under an OPTIN policy rule); what it covers from
 * Consent.provision.purpose (or Consent.category) codes of CONSENT_COVERAGE_SYSTEM; the mode of return from a
 * MODE_OF_RETURN_SYSTEM code there.
 */
import { ModeOfReturnSchema, type Consent } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import { getObject, getObjects, getString, type JsonObject } from './fhir-json.ts';
import { CONSENT_COVERAGE_CODES, CONSENT_COVERAGE_SYSTEM, MODE_OF_RETURN_SYSTEM } from './fhir-codes.ts';
import { FHIR_DATE_TIME, parseCoding, parseCodings } from './parse-fhir-datatypes.ts';
import type { IndexedResource } from './index-bundle.ts';

const STATUSES = ['draft', 'proposed', 'active', 'rejected', 'inactive', 'entered-in-error'];

export function parseConsentResource(target: IndexedResource, problems: Problem[]): Consent {
  const c = target.resource;
  const status = getString(c, 'status');
  if (status === undefined || !STATUSES.includes(status)) {
    problems.push({ code: status === undefined ? 'FHIR_MISSING' : 'FHIR_INVALID', path: `${target.path}.status`, message: `status must be one of ${STATUSES.join(', ')}` });
  }
  const provision = getObject(c, 'provision');
  const provisionType = getString(provision, 'type');
  if (provisionType !== undefined && provisionType !== 'permit' && provisionType !== 'deny') {
    problems.push({ code: 'FHIR_INVALID', path: `${target.path}.provision.type`, message: 'provision.type must be permit or deny' });
  }
  const optIn = parseCodings(getObject(c, 'policyRule')).some((p) => p.code === 'OPTIN');
  const permits = provisionType === 'permit' || (provisionType === undefined && optIn);
  const dateTime = getString(c, 'dateTime');
  if (dateTime !== undefined && !FHIR_DATE_TIME.test(dateTime)) {
    problems.push({ code: 'FHIR_INVALID', path: `${target.path}.dateTime`, message: 'not a FHIR dateTime' });
  }
  const codes = [
    ...getObjects(provision, 'purpose').flatMap(({ value }) => parseCoding(value) ?? []),
    ...getObjects(c, 'category').flatMap(({ value }) => parseCodings(value)),
  ];
  const covered = new Set(codes.filter((k) => k.system === CONSENT_COVERAGE_SYSTEM).map((k) => k.code));
  const modes = codes.filter((k) => k.system === MODE_OF_RETURN_SYSTEM);
  let modeOfReturn: Consent['modeOfReturn'];
  for (const m of modes) {
    const parsed = ModeOfReturnSchema.safeParse(m.code);
    if (parsed.success) modeOfReturn ??= parsed.data;
    else problems.push({ code: 'FHIR_INVALID', path: `${target.path}.provision.purpose`, message: `unknown mode of return (${MODE_OF_RETURN_SYSTEM})` });
  }
  return {
    granted: status === 'active' && permits,
    ...(dateTime !== undefined && /^\d{4}-\d{2}-\d{2}/.test(dateTime) && FHIR_DATE_TIME.test(dateTime) ? { date: dateTime } : {}),
    covers: {
      reason: covered.has(CONSENT_COVERAGE_CODES.reason),
      requestedIdentity: covered.has(CONSENT_COVERAGE_CODES.requestedIdentity),
      requestedSpecialty: covered.has(CONSENT_COVERAGE_CODES.requestedSpecialty),
      modeOfReturn: covered.has(CONSENT_COVERAGE_CODES.modeOfReturn),
    },
    ...(modeOfReturn ? { modeOfReturn } : {}),
    source: 'fhir-consent',
  };
}

/** A consent given only as a boolean (an ANS-style `patient-consent` extension on the ServiceRequest): nothing covered. */
export function parseConsentFlag(extension: JsonObject): Consent | undefined {
  const v = extension.valueBoolean;
  if (typeof v !== 'boolean') return undefined;
  return { granted: v, covers: { reason: false, requestedIdentity: false, requestedSpecialty: false, modeOfReturn: false }, source: 'fhir-consent' };
}
