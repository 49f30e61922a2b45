/**
 * The plain secure-mail form: a professional writing from a webmail puts `Label: value` lines in the body, in
 * French, Portuguese, Russian, Vietnamese or English (form-labels.ts). It becomes the canonical request, dialect
 * 'form', with the mail's sender as requester address, its recipient as requested address and its attachments.
 * A body with no label is FORM_UNREADABLE; one without a patient or a question is FORM_MISSING: answer it with
 * buildBlankForm(detectFormLanguage(text)).
 */
import { IDENTIFIER_SYSTEMS, type CanonicalRequest, type CanonicalRequestInput, type Consent, type Identifier } from '../../domain/canonical-request.ts';
import { fail, type Problem, type Result } from '../../errors/result.ts';
import { checkIdentifierValue, typeOfSystem } from '../../domain/identifier-systems.ts';
import type { PayloadDocument } from '../mime/payload-document.ts';
import { finishParsedRequest, requestOf, type ParsedRequest } from '../mime/parsed-request.ts';
import {
  ALL_WORDS,
  COMMON_LABELS,
  COVERAGE_WORDS,
  FAMILY_NAME_FIRST,
  FEMININE_PATIENT_LABELS,
  FORM_LABELS,
  FORM_LANGUAGES,
  MODE_OF_RETURN_WORDS,
  NO_WORDS,
  SEX_WORDS,
  YES_WORDS,
  type FormField,
  type FormLanguage,
} from './form-labels.ts';

export interface FormContext {
  /** the mail's From address: the requester's secure address */
  from?: string;
  /** the address the mail was sent to (a pool such as cardiologie@…) */
  to?: string;
  /** the mail's attachments */
  documents?: PayloadDocument[];
  channel?: 'smtp' | 'fhir';
}

export const FORM_SPECIALTY_SYSTEM = 'urn:txgate:form:specialty';
/** the longest body read as a form */
export const MAX_FORM_CHARS = 64 * 1024;

interface LabelMatch {
  field: FormField;
  label: string;
  languages: FormLanguage[];
}

const norm = (s: string) => s.normalize('NFC').toLowerCase().trim();

/** label (normalised) → field and the languages that use it */
const LABELS: Map<string, LabelMatch> = (() => {
  const map = new Map<string, LabelMatch>();
  const add = (label: string, field: FormField, language?: FormLanguage) => {
    const key = norm(label);
    const known = map.get(key) ?? { field, label, languages: [] };
    if (language && !known.languages.includes(language)) known.languages.push(language);
    map.set(key, known);
  };
  for (const [field, labels] of Object.entries(COMMON_LABELS)) for (const l of labels ?? []) add(l, field as FormField);
  for (const language of FORM_LANGUAGES) {
    for (const [field, labels] of Object.entries(FORM_LABELS[language])) for (const l of labels ?? []) add(l, field as FormField, language);
  }
  return map;
})();

interface FormLine {
  field: FormField;
  label: string;
  value: string;
  line: number;
}

/** The `Label: value` lines of a body (a question goes on over the next lines until another label or a signature). */
export function readFormLines(text: string): FormLine[] {
  const lines = text.slice(0, MAX_FORM_CHARS).normalize('NFC').split(/\r?\n/);
  const out: FormLine[] = [];
  let current: FormLine | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*>/.test(raw)) continue; // quoted text of an earlier mail
    if (/^--\s*$/.test(raw)) break; // signature
    const m = /^\s*(?:[-*•]\s*)?([^:：]{1,40}?)\s*[:：]\s*(.*)$/.exec(raw);
    const match = m ? LABELS.get(norm(m[1]!)) : undefined;
    if (m && match) {
      current = { field: match.field, label: m[1]!.trim(), value: m[2]!.trim(), line: i + 1 };
      out.push(current);
      continue;
    }
    if (current && raw.trim() !== '' && (current.field === 'question' || current.value === '')) {
      current.value = current.value ? `${current.value}\n${raw.trim()}` : raw.trim();
    } else if (current && current.field === 'question' && raw.trim() === '') {
      current.value += '\n';
    } else if (raw.trim() === '') {
      current = current?.field === 'question' ? current : undefined;
    }
  }
  for (const l of out) l.value = l.value.trim();
  return out;
}

/** The language the body is written in (the one most of its labels belong to; French on a tie, English without labels). */
export function detectFormLanguage(text: string): FormLanguage {
  const score = new Map<FormLanguage, number>();
  for (const l of readFormLines(text)) {
    for (const language of LABELS.get(norm(l.label))?.languages ?? []) score.set(language, (score.get(language) ?? 0) + 1);
  }
  let best: FormLanguage = 'en';
  let bestScore = 0;
  for (const language of FORM_LANGUAGES) {
    const s = score.get(language) ?? 0;
    if (s > bestScore) [best, bestScore] = [language, s];
  }
  return best;
}

/** Whether a body reads as the form: a patient or a question label, and at least two labels. */
export function looksLikeForm(text: string): boolean {
  const lines = readFormLines(text);
  return lines.length >= 2 && lines.some((l) => l.field === 'patient' || l.field === 'question');
}

export function parseForm(text: string, context: FormContext = {}): Result<CanonicalRequest> {
  return requestOf(parseFormPayload(text, context));
}

export function parseFormPayload(text: string, context: FormContext = {}): Result<ParsedRequest> {
  const lines = readFormLines(text);
  if (lines.length === 0) return fail({ code: 'FORM_UNREADABLE', path: 'form', message: 'the mail holds no form (no "Label: value" line)' });
  const language = detectFormLanguage(text);
  const problems: Problem[] = [];
  const first = (field: FormField) => lines.find((l) => l.field === field && l.value !== '');
  const path = (l: FormLine) => `form.line[${l.line}]`;

  const identifiers: Identifier[] = [];
  for (const [field, system] of [
    ['ins', IDENTIFIER_SYSTEMS.INS_NIR],
    ['nir', IDENTIFIER_SYSTEMS.NIR],
    ['cns', IDENTIFIER_SYSTEMS.CNS],
  ] as const) {
    const l = first(field);
    if (!l) continue;
    const value = l.value.replace(/[\s.-]/g, '');
    const invalid = checkIdentifierValue(system, value);
    if (invalid) problems.push({ code: 'FORM_IDENTIFIER_INVALID', path: path(l), message: invalid });
    identifiers.push({ system, value, type: typeOfSystem(system)! });
  }

  const patientLine = first('patient');
  const names = patientLine ? parsePersonName(patientLine.value, language) : [];
  if (!patientLine || (names.length === 0 && identifiers.length === 0)) {
    problems.push({ code: 'FORM_MISSING', path: 'form.patient', message: 'the form names no patient' });
  }
  const birthLine = first('birthDate');
  const birthDate = birthLine ? parseFormDate(birthLine.value, true) : undefined;
  if (birthLine && !birthDate) problems.push({ code: 'FORM_INVALID', path: path(birthLine), message: 'not a date (DD/MM/YYYY or YYYY-MM-DD)' });
  const sexLine = first('sex');
  const sex = sexLine ? matchSex(sexLine.value) : patientLine && FEMININE_PATIENT_LABELS.some((l) => norm(l) === norm(patientLine.label)) ? 'female' : undefined;
  if (sexLine && !sex) problems.push({ code: 'FORM_INVALID', path: path(sexLine), message: 'not a sex (F, M…)' });

  const questionLine = first('question');
  if (!questionLine) problems.push({ code: 'FORM_MISSING', path: 'form.question', message: 'the form asks no question' });

  const specialtyLine = first('specialty');
  const urgentLine = first('urgent');
  const urgent = urgentLine ? parseYesNo(urgentLine.value) : false;
  if (urgentLine && urgent === undefined) problems.push({ code: 'FORM_INVALID', path: path(urgentLine), message: 'answer yes or no' });
  const deadlineLine = first('deadline');
  const neededBy = deadlineLine ? parseFormDate(deadlineLine.value, false) : undefined;
  if (deadlineLine && !neededBy) problems.push({ code: 'FORM_INVALID', path: path(deadlineLine), message: 'not a date (DD/MM/YYYY or YYYY-MM-DD)' });

  const consentLine = first('consent');
  const returnLine = first('modeOfReturn');
  let consent: Consent | undefined;
  if (consentLine) {
    const parsed = parseConsentValue(consentLine.value, returnLine?.value);
    if (parsed) consent = parsed;
    else problems.push({ code: 'FORM_INVALID', path: path(consentLine), message: 'the consent starts with yes or no' });
  }

  const rppsLine = first('rpps');
  const requesterIds: Identifier[] = [];
  if (rppsLine) {
    const value = rppsLine.value.replace(/\s/g, '');
    const invalid = checkIdentifierValue(IDENTIFIER_SYSTEMS.RPPS, value);
    if (invalid) problems.push({ code: 'FORM_IDENTIFIER_INVALID', path: path(rppsLine), message: invalid });
    requesterIds.push({ system: IDENTIFIER_SYSTEMS.RPPS, value, type: 'RPPS' });
  }

  const documents = context.documents ?? [];
  const input: CanonicalRequestInput = {
    ids: {},
    channel: context.channel ?? 'smtp',
    dialect: 'form',
    requester: { identifiers: requesterIds, ...(context.from ? { address: context.from } : {}) },
    requested: {
      ...(specialtyLine ? { specialty: { system: FORM_SPECIALTY_SYSTEM, code: norm(specialtyLine.value), display: specialtyLine.value } } : {}),
      ...(context.to ? { address: context.to } : {}),
    },
    patient: { identifiers, names, ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) },
    reason: { codes: [] },
    ...(questionLine ? { question: questionLine.value } : {}),
    priority: urgent ? 'urgent' : 'routine',
    ...(neededBy ? { neededBy } : {}),
    ...(consent ? { consent } : {}),
    attachments: documents.map((d) => d.attachment),
    notes: [],
  };
  return finishParsedRequest(input, documents, problems, 'FORM', 'form');
}

/** "DUPONT Marie": upper-case words are the family name; else by the language's order. */
function parsePersonName(value: string, language: FormLanguage): Array<{ family?: string; given: string[]; prefix: string[] }> {
  const words = value.replace(/[,;]/g, ' ').split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const upper = words.filter((w) => /\p{Lu}/u.test(w) && w === w.toUpperCase() && /\p{L}{2}/u.test(w));
  if (upper.length > 0 && upper.length < words.length) {
    return [{ family: upper.join(' '), given: words.filter((w) => !upper.includes(w)), prefix: [] }];
  }
  if (words.length === 1) return [{ family: words[0]!, given: [], prefix: [] }];
  if (FAMILY_NAME_FIRST.includes(language)) return [{ family: words[0]!, given: words.slice(1), prefix: [] }];
  return [{ family: words[words.length - 1]!, given: words.slice(0, -1), prefix: [] }];
}

/** DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY or YYYY-MM-DD (a birth date may be a year alone) to ISO. */
export function parseFormDate(value: string, yearAlone: boolean): string | undefined {
  const v = value.trim();
  let y: string | undefined;
  let m: string | undefined;
  let d: string | undefined;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(v);
  const dmy = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b/.exec(v);
  if (iso) [, y, m, d] = iso;
  else if (dmy) [, d, m, y] = dmy;
  else if (yearAlone && /^\d{4}$/.test(v)) return v;
  if (!y || !m || !d) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

/** The first word as yes or no. */
function parseYesNo(value: string): boolean | undefined {
  const word = norm(value).split(/[\s,.;:—–-]+/u)[0] ?? '';
  if (YES_WORDS.includes(word)) return true;
  if (NO_WORDS.includes(word)) return false;
  return undefined;
}

/** Whether the value holds one of the words (whole words; `*` ends a stem). */
function hasWord(value: string, words: readonly string[]): boolean {
  const v = norm(value);
  return words.some((w) => {
    const stem = w.endsWith('*');
    const word = norm(stem ? w.slice(0, -1) : w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?<![\\p{L}\\p{N}])${word}${stem ? '' : '(?![\\p{L}\\p{N}])'}`, 'u').test(v);
  });
}

function matchSex(value: string) {
  const v = norm(value);
  return SEX_WORDS.find(([, words]) => words.some((w) => norm(w) === v))?.[0] ?? SEX_WORDS.find(([, words]) => hasWord(v, words.filter((w) => w.length > 1)))?.[0];
}

function matchModeOfReturn(value: string) {
  return MODE_OF_RETURN_WORDS.find(([, words]) => hasWord(value, words))?.[0] ?? 'other';
}

/** "yes — reason, identity and specialty of the expert, mode of return, 2026-01-10". */
function parseConsentValue(value: string, returnValue: string | undefined): Consent | undefined {
  const granted = parseYesNo(value);
  if (granted === undefined) return undefined;
  const all = hasWord(value, ALL_WORDS);
  const date = /(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})/.exec(value)?.[1];
  const iso = date ? parseFormDate(date, false) : undefined;
  return {
    granted,
    ...(iso ? { date: iso } : {}),
    covers: {
      reason: granted && (all || hasWord(value, COVERAGE_WORDS.reason)),
      requestedIdentity: granted && (all || hasWord(value, COVERAGE_WORDS.requestedIdentity)),
      requestedSpecialty: granted && (all || hasWord(value, COVERAGE_WORDS.requestedSpecialty)),
      modeOfReturn: granted && (all || hasWord(value, COVERAGE_WORDS.modeOfReturn)),
    },
    ...(returnValue ? { modeOfReturn: matchModeOfReturn(returnValue) } : {}),
    source: 'form',
  };
}
