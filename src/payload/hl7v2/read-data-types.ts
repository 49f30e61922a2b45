/**
 * HL7 v2 composite data types read into the canonical request's shapes: EI (entity identifier), CX (extended
 * identifier), XPN (person name), XCN (person with identifier), PLN (practitioner licence), CWE/CE (coded
 * values). The HL7 null `""` reads as empty.
 */
import type { Coding, Identifier } from '../../domain/canonical-request.ts';
import type { Problem } from '../../errors/result.ts';
import type { Er7Repetition } from './er7-types.ts';
import { parseHl7Date, type Hl7Date } from './hl7-date.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';
import { checkIdentifierValue, kindOfSystem, systemOfAuthority, systemOfCoding, systemOfIdentifierType } from './identifier-system.ts';

export interface HumanName {
  family?: string;
  given: string[];
  prefix: string[];
}

/** An identifier as read, before its system is known to be there. */
export interface Hl7Identifier {
  value: string;
  system?: string;
  assigner?: string;
  type?: string;
  /** which component holds the assigning authority (for the path of a problem) */
  authorityComponent: number;
}

/** Component `comp`, sub-component `sub` (1-based); '' for absent or the HL7 null "". */
export function textOf(rep: Er7Repetition | undefined, comp: number, sub = 1): string {
  const v = rep?.[comp - 1]?.[sub - 1] ?? '';
  return v === '""' ? '' : v.trim();
}

/** EI: entity identifier (1), namespace id (2), universal id (3), universal id type (4). */
export function readEi(rep: Er7Repetition | undefined): Hl7Identifier | undefined {
  const value = textOf(rep, 1);
  if (!value) return undefined;
  const authority = systemOfAuthority(textOf(rep, 2), textOf(rep, 3), textOf(rep, 4));
  return { value, ...authority, authorityComponent: 2 };
}

/** CX: id (1), assigning authority (4: namespace & universal id & type), identifier type code (5). */
export function readCx(rep: Er7Repetition | undefined): Hl7Identifier | undefined {
  const value = textOf(rep, 1);
  if (!value) return undefined;
  const authority = systemOfAuthority(textOf(rep, 4, 1), textOf(rep, 4, 2), textOf(rep, 4, 3));
  const type = textOf(rep, 5);
  return { value, ...authority, ...(type ? { type } : {}), authorityComponent: 4 };
}

/** PLN: id number (1), type of id number (2), state or other qualifying information (3). */
export function readPln(rep: Er7Repetition | undefined): Hl7Identifier | undefined {
  const value = textOf(rep, 1);
  if (!value) return undefined;
  const type = textOf(rep, 2);
  const qualifier = textOf(rep, 3);
  const known = systemOfIdentifierType(type);
  const system = known ?? (qualifier || type || undefined);
  return {
    value,
    ...(system ? { system } : {}),
    ...(qualifier ? { assigner: qualifier } : {}),
    ...(type ? { type } : {}),
    authorityComponent: 2,
  };
}

function nameOf(family: string, given: string[], prefix: string): HumanName | undefined {
  const g = given.filter((x) => x !== '');
  if (!family && g.length === 0 && !prefix) return undefined;
  return { ...(family ? { family } : {}), given: g, prefix: prefix ? [prefix] : [] };
}

/** XPN: family name (1, FN: surname first), given (2), further given names (3), suffix (4), prefix (5). */
export function readXpn(rep: Er7Repetition | undefined): HumanName | undefined {
  return nameOf(textOf(rep, 1, 1), [textOf(rep, 2), ...textOf(rep, 3).split(' ')], textOf(rep, 5));
}

/**
 * XCN: id (1), family (2), given (3), further given (4), suffix (5), prefix (6), assigning authority (9),
 * identifier type code (13).
 */
export function readXcn(rep: Er7Repetition | undefined): { identifier?: Hl7Identifier; name?: HumanName } {
  const name = nameOf(textOf(rep, 2, 1), [textOf(rep, 3), ...textOf(rep, 4).split(' ')], textOf(rep, 6));
  const value = textOf(rep, 1);
  if (!value) return name ? { name } : {};
  const type = textOf(rep, 13);
  const authority = systemOfAuthority(textOf(rep, 9, 1), textOf(rep, 9, 2), textOf(rep, 9, 3));
  const byType = authority ? undefined : type ? systemOfIdentifierType(type) : undefined;
  const identifier: Hl7Identifier = {
    value,
    ...(authority ?? (byType ? { system: byType } : {})),
    ...(type ? { type } : {}),
    authorityComponent: 9,
  };
  return name ? { identifier, name } : { identifier };
}

/** CWE / CE: code (1), text (2), system (3), alternate code (4), text (5), system (6), original text (9). */
export function readCwe(rep: Er7Repetition | undefined): { codings: Coding[]; text?: string } {
  const codings: Coding[] = [];
  for (const base of [1, 4]) {
    const code = textOf(rep, base);
    if (!code) continue;
    const display = textOf(rep, base + 1);
    codings.push({ system: systemOfCoding(textOf(rep, base + 2)), code, ...(display ? { display } : {}) });
  }
  const text = textOf(rep, 9) || textOf(rep, 2) || textOf(rep, 5);
  return text ? { codings, text } : { codings };
}

/**
 * The canonical identifier, or undefined with a problem: an identifier needs its system (an assigning
 * authority), and one whose system has a known rule must pass it. Problems never quote the value.
 */
export function toIdentifier(id: Hl7Identifier, path: string, problems: Problem[]): Identifier | undefined {
  if (!id.system) {
    problems.push(hl7Problem(HL7_CODES.MISSING_FIELD, `${path}.${id.authorityComponent}`, 'an identifier without its assigning authority'));
    return undefined;
  }
  const reason = checkIdentifierValue(id.system, id.value);
  if (reason) problems.push(hl7Problem(HL7_CODES.INVALID_IDENTIFIER, `${path}.1`, reason));
  const type = id.type ?? kindOfSystem(id.system);
  return {
    system: id.system,
    value: id.value,
    ...(type ? { type } : {}),
    ...(id.assigner ? { assigner: id.assigner } : {}),
  };
}

/**
 * A DTM/TS value (component 1 of `rep`) as ISO at its precision, or undefined with a problem INVALID_DATE at
 * `path`. `quote`: whether the message may show the value (never for patient data).
 */
export function readDtm(rep: Er7Repetition | undefined, path: string, problems: Problem[], quote: boolean): Hl7Date | undefined {
  const raw = textOf(rep, 1);
  if (!raw) return undefined;
  const date = parseHl7Date(raw);
  if (date.ok) return date.value;
  const shown = quote && raw.length <= 40 ? ` '${raw}'` : '';
  problems.push(hl7Problem(HL7_CODES.INVALID_DATE, path, `invalid date${shown}: ${date.reason}`));
  return undefined;
}
