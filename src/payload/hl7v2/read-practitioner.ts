/**
 * Practitioners as HL7 v2 names them: an XCN (ORC-12, OBR-16, ORC-19) or a PRD segment (PRD-2 name, PRD-5 a
 * secure mail address when the equipment type is Internet, PRD-7 identifiers as PLN).
 */
import type { Identifier, Practitioner } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import type { Er7Repetition, Er7Segment } from './er7-types.ts';
import { fieldAt } from './get-value.ts';
import { readPln, readXcn, readXpn, textOf, toIdentifier } from './read-data-types.ts';

/** The practitioner of one XCN repetition at `path` (ORC-12…); undefined when it names no one. */
export function readXcnPractitioner(rep: Er7Repetition | undefined, path: string, problems: Problem[]): Practitioner | undefined {
  const { identifier, name } = readXcn(rep);
  if (!identifier && !name) return undefined;
  const id = identifier && toIdentifier(identifier, path, problems);
  return { identifiers: id ? [id] : [], ...(name ? { name } : {}) };
}

/** The practitioner of a PRD segment whose HL7 path is `path` (PRD, PRD[2]…). */
export function readPrdPractitioner(prd: Er7Segment, path: string, problems: Problem[]): Practitioner {
  const name = readXpn(fieldAt(prd, 2)[0]);
  const identifiers: Identifier[] = [];
  fieldAt(prd, 7).forEach((rep, i) => {
    const pln = readPln(rep);
    const id = pln && toIdentifier(pln, i === 0 ? `${path}-7` : `${path}-7[${i + 1}]`, problems);
    if (id) identifiers.push(id);
  });
  const address = fieldAt(prd, 5)
    .filter((rep) => textOf(rep, 3).toUpperCase() === 'INTERNET' && textOf(rep, 4) !== '')
    .map((rep) => textOf(rep, 4))[0];
  return { identifiers, ...(name ? { name } : {}), ...(address ? { address } : {}) };
}
