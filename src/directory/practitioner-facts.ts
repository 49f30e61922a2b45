/**
 * What the directory knows of a professional a request names, for the policy (PractitionerFacts: profession,
 * specialty, council, municipality): the lookup is the store's (by identifiers, then address), the mapping pure.
 */
import type { Practitioner } from '../domain/canonical-request.ts';
import type { PractitionerFacts } from '../policy/verdict.ts';
import type { Db } from '../store/open-database.ts';
import { findPractitionerFor, type PractitionerRecord } from '../store/directory.ts';

/** The facts of a stored practitioner; the specialty is the first one (specialties are kept in system, code order). */
export function toPractitionerFacts(p: Pick<PractitionerRecord, 'profession' | 'specialties' | 'council' | 'municipality'>): PractitionerFacts {
  const specialty = p.specialties[0];
  return {
    ...(p.profession ? { profession: p.profession } : {}),
    ...(specialty ? { specialty } : {}),
    ...(p.council ? { council: p.council } : {}),
    ...(p.municipality ? { municipality: p.municipality } : {}),
  };
}

/** The facts of the practitioner a request names, or undefined when the directory does not know them. */
export function practitionerFactsOf(db: Db, p: Practitioner): PractitionerFacts | undefined {
  const record = findPractitionerFor(db, { identifiers: p.identifiers, address: p.address });
  return record ? toPractitionerFacts(record) : undefined;
}
