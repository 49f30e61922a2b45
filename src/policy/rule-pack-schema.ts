/**
 * A rule pack: the rules of one tele-expertise programme as data (who may ask whom, consent, urgency, the quota,
 * required documents, who may request, the answer deadline, billable acts and their tariffs, the notice
 * language, how admitted requests are routed). The single source of truth for the shape: schemas/rule-pack.schema.json is exported from it, and
 * docs/rule-packs.md explains every field. Cross-references (group members, rule sides, act professions…) are
 * checked once the shape is right.
 */
import Holidays from 'date-holidays';
import { z } from 'zod';
import { ModeOfReturnSchema } from '../domain/canonical-request.ts';
import { NOTICE_LANGUAGES, type NoticeLanguage } from './notice-texts.ts';

/** The reserved word that matches every profession or specialty on a rule side. */
export const ANY = 'any';

const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const packId = () => z.string().regex(ID_PATTERN, 'must be lower-case letters, digits and hyphens (e.g. speech-therapist)');
const text = () => z.string().min(1);

/** A YYYY-MM-DD date that exists in the calendar. */
const day = () =>
  z
    .string()
    .regex(DAY_PATTERN, 'must be a date YYYY-MM-DD')
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, 'is not a date of the calendar');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const SourceSchema = z
  .strictObject({
    id: packId().describe('A short name for the source, used in notes (e.g. ameli-teleexpertise).'),
    title: text().describe('What the source is: a text, a page, a regulation.'),
    url: z.url().optional().describe('Where to read it.'),
  })
  .describe('A source of the rules of the pack.');

export const UnconfirmedSchema = z
  .strictObject({
    path: text().describe('The value that is not confirmed: a path in the pack, dotted (quota.window, acts.0.system).'),
    note: text().describe('What is not confirmed, and what was chosen meanwhile.'),
  })
  .describe('A value of the pack taken from a secondary source or chosen for want of one.');

export const CalendarSchema = z
  .strictObject({
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code (FR, BR…)').describe('The country whose public holidays are not business days (date-holidays).'),
    region: text().optional().describe('A state or region of the country whose own holidays count too (date-holidays, e.g. MS for Mato Grosso do Sul).'),
    holidayTypes: z
      .array(z.enum(['public', 'bank', 'school', 'optional', 'observance']))
      .min(1)
      .default(['public'])
      .describe('Which kinds of date-holidays holidays are not business days.'),
    weekend: z
      .array(z.number().int().min(1).max(7))
      .optional()
      .describe('The ISO weekdays that are not business days, 1 = Monday … 7 = Sunday (default: [6, 7], Saturday and Sunday).'),
  })
  .superRefine((calendar, ctx) => {
    const holidays = new Holidays();
    if (!Object.hasOwn(holidays.getCountries(), calendar.country)) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: `${calendar.country} is not a country date-holidays knows` });
    } else if (calendar.region !== undefined && !Object.hasOwn(holidays.getStates(calendar.country) ?? {}, calendar.region)) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: `${calendar.region} is not a region of ${calendar.country} date-holidays knows` });
    }
  })
  .describe('The business calendar of the programme (its time zone is the pack timeZone).');

export const VocabularyEntrySchema = z
  .strictObject({
    id: packId().describe('The name rules use for it (doctor, nurse, cardiology…).'),
    label: text().describe('A human name, in the pack language or English.'),
    codes: z.array(text()).default([]).describe('The codes of the code systems that mean it.'),
    codePrefixes: z.array(text()).default([]).describe('Code prefixes that mean it (e.g. a CBO family, 2251 for every clinical doctor).'),
  })
  .refine((e) => e.codes.length > 0 || e.codePrefixes.length > 0, { message: 'needs at least one code or code prefix', path: ['codes'] })
  .describe('One profession or specialty and the codes that mean it.');

export const VocabularySchema = z
  .strictObject({
    systems: z.array(text()).default([]).describe('The code systems whose codes the entries list (URIs, urn:oid:…); a coding in another system is unknown.'),
    entries: z.array(VocabularyEntrySchema).default([]).describe('The professions or specialties of the programme.'),
    groups: z.record(packId(), z.array(packId()).min(1)).default({}).describe('Named groups of entries, to keep rules short (auxiliaries, organ-specialties…).'),
  })
  .describe('A table from codings to the names rules use.');

export const PairSideSchema = z
  .strictObject({
    professions: z.array(packId()).min(1).optional().describe('Professions or profession groups allowed on this side, or "any" (absent: any known profession).'),
    specialties: z.array(packId()).min(1).optional().describe('Specialties or specialty groups allowed on this side, or "any" (absent: any specialty, even unknown).'),
  })
  .describe('One side of an eligible pair.');

export const PairRuleSchema = z
  .strictObject({
    name: packId().describe('The name of the rule, given in verdicts and tests.'),
    requester: PairSideSchema.default({}).describe('Who asks.'),
    requested: PairSideSchema.default({}).describe('Who is asked.'),
    sameSpecialty: z.boolean().default(false).describe('Both must have the same specialty (and it must be known).'),
    bothDirections: z.boolean().default(false).describe('The rule also holds with requester and requested swapped.'),
  })
  .describe('A requester → requested pair the programme allows.');

export const PairsSchema = z
  .strictObject({
    poolProfession: packId().optional().describe('The profession of the requested side when the request names only a specialty pool (no expert).'),
    rules: z.array(PairRuleSchema).min(1).describe('The eligible pairs; a request is eligible when one rule allows it.'),
  })
  .describe('The eligible requester → requested pairs.');

export const CONSENT_COVERS = ['reason', 'requestedIdentity', 'requestedSpecialty', 'modeOfReturn'] as const;
export type ConsentCover = (typeof CONSENT_COVERS)[number];

export const ConsentRuleSchema = z
  .strictObject({
    required: z.boolean().default(true).describe('A granted consent must come with the request.'),
    covers: z.array(z.enum(CONSENT_COVERS)).default([]).describe('What the patient must have been informed of and consented to.'),
    modesOfReturn: z.array(ModeOfReturnSchema).optional().describe('The modes of return accepted when the consent names one (absent: any).'),
  })
  .describe('The consent the programme requires. A consent dated after the request never counts.');

export const UrgencyRuleSchema = z
  .strictObject({
    refuse: z.boolean().default(false).describe('Refuse requests whose priority is urgent, asap or stat (the programme is not for urgent cases).'),
  })
  .describe('What the programme does with urgent requests.');

export const QuotaRuleSchema = z
  .strictObject({
    limit: z.number().int().min(1).describe('The most admitted requests per key in one window.'),
    window: z.enum(['calendar-year', 'rolling-365-days']).describe('calendar-year (1 January – 31 December, local time) or rolling-365-days (the request day and the 364 before).'),
    key: z.enum(['patient', 'patient-and-requested']).default('patient').describe('What is counted: the patient, or the patient with the requested professional.'),
    patientIdentifierSystems: z
      .array(text())
      .min(1)
      .describe('The identifier systems that identify a patient for this programme, best first; the first one the patient carries makes the key.'),
  })
  .describe('At most limit admitted requests per key and window.');

export const RequiredDocumentSchema = z
  .strictObject({
    kind: packId().describe('The attachment kind that satisfies it (matched against attachments[].kind, or a file name pattern of that kind).'),
    label: text().describe('The name given to the requester when it is missing.'),
  })
  .describe('A document a case category requires.');

export const DocumentRulesSchema = z
  .strictObject({
    required: z
      .record(text(), z.array(RequiredDocumentSchema).min(1))
      .default({})
      .describe('Per case category (the request category), the documents it requires; the category "*" applies to every request.'),
    namePatterns: z
      .record(packId(), z.array(text()).min(1))
      .default({})
      .describe('Per kind, regular expressions matched against attachment file names (case-insensitive, accents removed from both).'),
  })
  .describe('The documents requests must carry.');

export const CouncilRuleSchema = z
  .strictObject({
    names: z.array(text()).min(1).optional().describe('The councils accepted (CRM, COREN, CRO…; absent: any).'),
    stateRequired: z.boolean().default(false).describe('The registration must name its state.'),
  })
  .describe('The requester must give a professional council registration.');

export const RequesterRuleSchema = z
  .strictObject({
    municipalities: z.array(text()).min(1).optional().describe('The municipality codes requesters must work in (from the directory).'),
    council: CouncilRuleSchema.optional().describe('A council registration required of requesters.'),
    professions: z.array(packId()).min(1).optional().describe('The professions or groups allowed to request.'),
  })
  .describe('Who may request.');

export const DeadlineRuleSchema = z
  .strictObject({
    days: z.number().int().min(0).describe('How many days the requested side has to answer.'),
    business: z.boolean().describe('Business days (skipping weekends and the calendar holidays) or calendar days.'),
  })
  .describe('The answer deadline, counted from the day the request was received.');

export const TariffSchema = z
  .strictObject({
    from: day().describe('The first day the amount applies (local date of the request).'),
    to: day().optional().describe('The last day it applies (absent: until further notice).'),
    amount: z.number().min(0).describe('The amount.'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code (EUR…)').describe('ISO 4217 currency.'),
  })
  .describe('An amount and the days it applies.');

export const ActRuleSchema = z
  .strictObject({
    code: text().describe('The act code (TE2, RQD…).'),
    system: text().describe('The code system URI of the act code.'),
    display: text().optional().describe('A human name of the act.'),
    billedBy: z.enum(['requester', 'requested']).describe('Who bills it.'),
    professions: z.array(packId()).min(1).describe('The professions or groups that may bill it (the biller must have one).'),
    when: z.enum(['opinion-delivered', 'admitted']).default('opinion-delivered').describe('When it becomes billable.'),
    tariffs: z.array(TariffSchema).min(1).describe('Its amounts over time; none in force on the request date: not billable.'),
  })
  .describe('An act billed for a request.');

/** A pool address's local part: lower-case ASCII letters, digits, dots, hyphens and underscores (cardiologie, kardiologiya). */
const LOCAL_PART_PATTERN = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

export const REASSIGN_EVENTS = ['decline', 'expiry'] as const;
export type ReassignEvent = (typeof REASSIGN_EVENTS)[number];

export const RoutingRuleSchema = z
  .strictObject({
    pools: z
      .record(
        z.string().regex(LOCAL_PART_PATTERN, 'must be a lower-case ASCII local part (letters, digits, dots, hyphens, underscores)'),
        packId(),
      )
      .default({})
      .describe('Pool addresses: the local part (cardiologie in cardiologie@DOMAIN, compared without case) → the specialty id of the pool, or "any" for every expert the pair matrix allows.'),
    namedExpertUnavailable: z
      .enum(['refuse', 'reroute'])
      .default('refuse')
      .describe('When the named expert is absent, full, not eligible or declined: refuse the request, or reroute it to the pool of its specialty (the request\'s, else the expert\'s).'),
    followUpDays: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('A request on the same case within this many days (local days) of the earlier one goes to the same expert when eligible (absent: no follow-up rule).'),
    hubFirst: z.boolean().default(false).describe("A spoke practitioner's requests go first to its hub expert (hub and spoke), then to the pool."),
    reminders: z
      .array(z.number().gt(0).lt(1))
      .default([0.5, 0.9])
      .describe('When the expert is reminded, as fractions of the answer time (strictly increasing, each between 0 and 1).'),
    reassignOn: z
      .array(z.enum(REASSIGN_EVENTS))
      .default(['decline', 'expiry'])
      .describe('What makes the request go to the next eligible expert: the expert declines, or the deadline passes.'),
  })
  .describe('How an admitted request reaches an expert.');

const RulePackObjectSchema = z.strictObject({
  name: packId().describe('The name of the pack (fr-teleexpertise…).'),
  version: text().describe('The version of the pack, given in every verdict.'),
  title: text().describe('What programme the pack is for.'),
  sources: z.array(SourceSchema).default([]).describe('Where the rules come from.'),
  unconfirmed: z.array(UnconfirmedSchema).default([]).describe('The values not confirmed by a primary source.'),
  language: z.enum(NOTICE_LANGUAGES as unknown as [NoticeLanguage, ...NoticeLanguage[]]).describe('The language of refusal notices.'),
  timeZone: text().refine(isTimeZone, 'must be an IANA time zone (Europe/Paris…)').describe('The time zone of the programme: request dates, windows, deadlines and tariffs are local to it.'),
  calendar: CalendarSchema.optional().describe('The business calendar (needed for a deadline in business days).'),
  professions: VocabularySchema.default({ systems: [], entries: [], groups: {} }).describe('The professions of the programme and their codes.'),
  specialties: VocabularySchema.default({ systems: [], entries: [], groups: {} }).describe('The specialties of the programme and their codes.'),
  pairs: PairsSchema.optional().describe('The eligible requester → requested pairs (absent: any pair).'),
  consent: ConsentRuleSchema.default({ required: true, covers: [] }).describe('The consent required.'),
  urgency: UrgencyRuleSchema.default({ refuse: false }).describe('Whether urgent requests are refused.'),
  quota: QuotaRuleSchema.optional().describe('The quota (absent: none).'),
  documents: DocumentRulesSchema.default({ required: {}, namePatterns: {} }).describe('The documents required per case category.'),
  requester: RequesterRuleSchema.default({}).describe('Who may request.'),
  deadline: DeadlineRuleSchema.optional().describe('The answer deadline (absent: none).'),
  acts: z.array(ActRuleSchema).default([]).describe('The billable acts.'),
  routing: RoutingRuleSchema.default({ pools: {}, namedExpertUnavailable: 'refuse', hubFirst: false, reminders: [0.5, 0.9], reassignOn: ['decline', 'expiry'] }).describe(
    'How admitted requests are routed to an expert (absent: no pools, refuse when the named expert is unavailable).',
  ),
});

type RulePackObject = z.output<typeof RulePackObjectSchema>;
type Vocabulary = z.output<typeof VocabularySchema>;
type PathKey = string | number;

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

/** The entries and groups of a vocabulary are consistent; returns the names rules may use. */
function checkVocabulary(vocab: Vocabulary, at: PathKey, ctx: z.RefinementCtx): Set<string> {
  const ids = vocab.entries.map((e) => e.id);
  for (const id of duplicates(ids)) ctx.addIssue({ code: 'custom', path: [at, 'entries'], message: `the id ${id} is given twice` });
  vocab.entries.forEach((e, i) => {
    if (e.id === ANY) ctx.addIssue({ code: 'custom', path: [at, 'entries', i, 'id'], message: `"${ANY}" is reserved` });
  });
  const known = new Set(ids);
  for (const [group, members] of Object.entries(vocab.groups)) {
    if (group === ANY || known.has(group)) ctx.addIssue({ code: 'custom', path: [at, 'groups', group], message: `the group name ${group} is reserved or an entry id` });
    members.forEach((m, i) => {
      if (!known.has(m)) ctx.addIssue({ code: 'custom', path: [at, 'groups', group, i], message: `${m} is not an entry of ${String(at)}` });
    });
  }
  if (vocab.entries.length > 0 && vocab.systems.length === 0) ctx.addIssue({ code: 'custom', path: [at, 'systems'], message: 'the entries need at least one code system' });
  return new Set([...ids, ...Object.keys(vocab.groups)]);
}

function checkNames(names: readonly string[] | undefined, allowed: Set<string>, path: PathKey[], what: string, ctx: z.RefinementCtx, anyAllowed = true): void {
  names?.forEach((n, i) => {
    if (n === ANY ? !anyAllowed : !allowed.has(n)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${n} is not a ${what} or ${what} group of the pack` });
  });
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'iu');
    return true;
  } catch {
    return false;
  }
}

/** Every name a rule uses exists, patterns compile, tariffs do not overlap. */
function checkReferences(pack: RulePackObject, ctx: z.RefinementCtx): void {
  const professions = checkVocabulary(pack.professions, 'professions', ctx);
  const specialties = checkVocabulary(pack.specialties, 'specialties', ctx);
  if (pack.pairs) {
    const { poolProfession, rules } = pack.pairs;
    if (poolProfession !== undefined && !pack.professions.entries.some((e) => e.id === poolProfession)) {
      ctx.addIssue({ code: 'custom', path: ['pairs', 'poolProfession'], message: `${poolProfession} is not a profession of the pack` });
    }
    for (const name of duplicates(rules.map((r) => r.name))) ctx.addIssue({ code: 'custom', path: ['pairs', 'rules'], message: `the rule name ${name} is given twice` });
    rules.forEach((rule, i) => {
      for (const side of ['requester', 'requested'] as const) {
        checkNames(rule[side].professions, professions, ['pairs', 'rules', i, side, 'professions'], 'profession', ctx);
        checkNames(rule[side].specialties, specialties, ['pairs', 'rules', i, side, 'specialties'], 'specialty', ctx);
      }
    });
  }
  for (const name of duplicates(pack.consent.covers)) ctx.addIssue({ code: 'custom', path: ['consent', 'covers'], message: `${name} is given twice` });
  for (const [kind, patterns] of Object.entries(pack.documents.namePatterns)) {
    patterns.forEach((p, i) => {
      if (!isRegExp(p)) ctx.addIssue({ code: 'custom', path: ['documents', 'namePatterns', kind, i], message: 'is not a valid regular expression' });
    });
  }
  checkNames(pack.requester.professions, professions, ['requester', 'professions'], 'profession', ctx, false);
  for (const code of duplicates(pack.acts.map((a) => a.code))) ctx.addIssue({ code: 'custom', path: ['acts'], message: `the act ${code} is given twice` });
  pack.acts.forEach((act, i) => {
    checkNames(act.professions, professions, ['acts', i, 'professions'], 'profession', ctx, false);
    const tariffs = [...act.tariffs].map((t, j) => ({ ...t, j })).sort((a, b) => a.from.localeCompare(b.from));
    tariffs.forEach((t, k) => {
      if (t.to !== undefined && t.to < t.from) ctx.addIssue({ code: 'custom', path: ['acts', i, 'tariffs', t.j, 'to'], message: 'is before from' });
      const next = tariffs[k + 1];
      if (next && (t.to === undefined || t.to >= next.from)) {
        ctx.addIssue({ code: 'custom', path: ['acts', i, 'tariffs', next.j, 'from'], message: `overlaps the tariff from ${t.from}` });
      }
    });
  });
  checkRouting(pack, specialties, ctx);
  if (pack.deadline?.business && !pack.calendar) ctx.addIssue({ code: 'custom', path: ['calendar'], message: 'a deadline in business days needs the business calendar' });
  pack.unconfirmed.forEach((u, i) => {
    if (!hasPath(pack, u.path)) ctx.addIssue({ code: 'custom', path: ['unconfirmed', i, 'path'], message: `${u.path} names nothing in the pack` });
  });
}

/** Pools name specialty entries (not groups) or "any"; reminders increase; reassignment events are not repeated. */
function checkRouting(pack: RulePackObject, specialties: Set<string>, ctx: z.RefinementCtx): void {
  const { pools, reminders, reassignOn } = pack.routing;
  const entries = new Set(pack.specialties.entries.map((e) => e.id));
  for (const [localPart, specialty] of Object.entries(pools)) {
    if (specialty === ANY || entries.has(specialty)) continue;
    const what = specialties.has(specialty) ? 'a specialty group, not a specialty' : 'not a specialty of the pack';
    ctx.addIssue({ code: 'custom', path: ['routing', 'pools', localPart], message: `${specialty} is ${what}` });
  }
  reminders.forEach((r, i) => {
    if (i > 0 && r <= reminders[i - 1]!) ctx.addIssue({ code: 'custom', path: ['routing', 'reminders', i], message: 'must be greater than the reminder before it' });
  });
  for (const event of duplicates(reassignOn)) ctx.addIssue({ code: 'custom', path: ['routing', 'reassignOn'], message: `${event} is given twice` });
}

/** Whether a dotted path (quota.window, acts.0.system, documents.required.cardiac) names a value of the pack. */
function hasPath(root: unknown, path: string): boolean {
  let cur: unknown = root;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return false;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur !== undefined;
}

export const RulePackSchema = RulePackObjectSchema.superRefine(checkReferences).meta({
  title: 'txgate rule pack',
  description: 'The rules of one tele-expertise programme: eligible pairs, consent, urgency, quota, documents, requesters, deadline, billable acts, routing.',
});

/** A rule pack, every default applied. */
export type RulePack = z.output<typeof RulePackSchema>;
/** What a rule pack file may contain. */
export type RulePackInput = z.input<typeof RulePackSchema>;
export type PairRule = z.output<typeof PairRuleSchema>;
export type PairSide = z.output<typeof PairSideSchema>;
export type ActRule = z.output<typeof ActRuleSchema>;
export type RoutingRule = z.output<typeof RoutingRuleSchema>;
export type { Vocabulary };
