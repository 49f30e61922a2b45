/**
 * The key a request counts under in its programme's quota: the patient's identifier in the first of the pack's
 * patient identifier systems the patient carries ("urn:oid:1.2.250.1.213.1.4.8|2760…"), and for a
 * patient-and-requested quota the requested professional too ("…|requested:urn:oid:…|8100…", or their address).
 * Systems are compared in their urn:oid: form; whitespace inside values is dropped ("1 84 12…" = "184 12…").
 */
import type { CanonicalRequest, Identifier } from '../domain/canonical-request.ts';
import { normalizeSystem } from '../domain/identifier-systems.ts';
import type { RulePack } from './rule-pack-schema.ts';

function identifierKey(id: Identifier): string {
  return `${normalizeSystem(id.system)}|${id.value.replace(/\s+/g, '')}`;
}

/** The patient part of the key, or undefined when the patient has no identifier of the pack's systems. */
export function patientKey(request: CanonicalRequest, pack: RulePack): string | undefined {
  if (!pack.quota) return undefined;
  for (const system of pack.quota.patientIdentifierSystems) {
    const wanted = normalizeSystem(system);
    const id = request.patient.identifiers.find((i) => normalizeSystem(i.system) === wanted && i.value.trim() !== '');
    if (id) return identifierKey(id);
  }
  return undefined;
}

/** Who is asked, for a patient-and-requested key: the expert's first identifier, else an address, else the pool specialty. */
export function requestedKey(request: CanonicalRequest): string | undefined {
  const { expert, address, specialty } = request.requested;
  const id = expert?.identifiers[0];
  if (id) return identifierKey(id);
  const mail = expert?.address ?? address;
  if (mail) return `mailto:${mail.trim().toLowerCase()}`;
  if (specialty) return `specialty:${normalizeSystem(specialty.system)}|${specialty.code}`;
  return undefined;
}

/** The quota key of a request; undefined when the pack has no quota or the request lacks what the key needs. */
export function quotaKey(request: CanonicalRequest, pack: RulePack): string | undefined {
  const patient = patientKey(request, pack);
  if (patient === undefined || !pack.quota) return undefined;
  if (pack.quota.key === 'patient') return patient;
  const requested = requestedKey(request);
  return requested === undefined ? undefined : `${patient}|requested:${requested}`;
}
