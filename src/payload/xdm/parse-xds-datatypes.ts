/**
 * The HL7 v2 data types XDS metadata writes its values in (ITI TF-3 §4.2.3.1.7): CX (patient ids), XCN (persons),
 * XON (organisations), XTN (telecom), DTM (times). Only what txgate reads from them.
 */
import type { Identifier } from '../../domain/canonical-request.ts';
import type { HumanName } from '../fhir/parse-fhir-datatypes.ts';
import { normalizeSystem, typeOfSystem } from '../../domain/identifier-systems.ts';

function components(value: string): string[] {
  return value.split('^');
}

/** The system of an HD (`&OID&ISO` or a bare namespace) as a URI: urn:oid: for an ISO OID. */
function systemOfAuthority(hd: string | undefined): string | undefined {
  if (!hd) return undefined;
  const [namespace, universal, type] = hd.split('&');
  if (universal && (type ?? '').toUpperCase() === 'ISO') return normalizeSystem(universal);
  if (universal) return universal;
  return namespace || undefined;
}

function identifier(value: string | undefined, authority: string | undefined): Identifier | undefined {
  const system = systemOfAuthority(authority);
  if (!value || !system) return undefined;
  const type = typeOfSystem(system);
  return { system, value, ...(type ? { type } : {}) };
}

/** CX: `value^^^&OID&ISO` (patient ids). */
export function parseCx(value: string): Identifier | undefined {
  const c = components(value.trim());
  return identifier(c[0], c[3]);
}

/** XCN: `id^family^given^middle^suffix^prefix^degree^^&OID&ISO` (authorPerson, intendedRecipient). */
export function parseXcn(value: string): { identifier?: Identifier; name?: HumanName } {
  const c = components(value.trim());
  const id = identifier(c[0], c[8]);
  const given = [c[2], c[3]].filter((s): s is string => !!s);
  const prefix = c[5] ? [c[5]] : [];
  const family = c[1];
  const name = family || given.length ? { ...(family ? { family } : {}), given, prefix } : undefined;
  return { ...(id ? { identifier: id } : {}), ...(name ? { name } : {}) };
}

/** XON: `name^^^^^&OID&ISO^^^^id` (authorInstitution). */
export function parseXon(value: string): { name?: string; identifiers: Identifier[] } {
  const c = components(value.trim());
  const id = identifier(c[9], c[5]);
  return { ...(c[0] ? { name: c[0] } : {}), identifiers: id ? [id] : [] };
}

/** XTN: `^^Internet^address` (authorTelecommunication, intendedRecipient's telecom). */
export function parseXtn(value: string): string | undefined {
  const c = components(value.trim());
  if (c[3]?.includes('@')) return c[3];
  return c.find((s) => /^[^@\s]+@[^@\s]+$/.test(s));
}

/** DTM: YYYY[MM[DD[hh[mm[ss]]]]] (UTC in XDS) to ISO 8601 with the precision given. */
export function parseDtm(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  if (!mo) return y;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}Z`;
}
