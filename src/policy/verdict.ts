/**
 * What the policy decides about a request (the verdict), and the facts it decides on besides the request itself.
 */
import type { Coding } from '../domain/canonical-request.ts';
import type { NoticeLanguage, NoticeParams } from './notice-texts.ts';
import type { QuotaWindowKind } from './quota-window.ts';

/** One failing check. The message is English and names no patient data; notices are built from code and params. */
export interface VerdictReason {
  code: string;
  /** where in the canonical request (consent.covers, priority, patient.identifiers, requester.profession…) */
  path: string;
  message: string;
  params?: NoticeParams;
}

export interface BillableAct {
  code: string;
  system: string;
  display?: string;
  billedBy: 'requester' | 'requested';
  when: 'opinion-delivered' | 'admitted';
  amount: { value: number; currency: string };
}

/** The place a request takes in its quota window (the store claims it atomically when the request is admitted). */
export interface QuotaClaim {
  pack: string;
  key: string;
  /** the request's local day, as a day number */
  day: number;
  firstDay: number;
  lastDay: number;
  limit: number;
  window: QuotaWindowKind;
}

/** What the directory knows of a professional, used where the request does not carry the value. */
export interface PractitionerFacts {
  profession?: Coding;
  specialty?: Coding;
  council?: { name: string; number: string; state?: string };
  /** the municipality code of where they work (Brazil: IBGE) */
  municipality?: string;
}

export interface DecisionFacts {
  /** when the request was received (the request's date) */
  at: Date;
  requester?: PractitionerFacts;
  requested?: PractitionerFacts;
  /** places already taken in the quota window for this request's key (the caller reads it) */
  quotaUsed: number;
}

export interface Verdict {
  /** true iff reasons is empty */
  admitted: boolean;
  pack: { name: string; version: string };
  language: NoticeLanguage;
  /** every failing check */
  reasons: VerdictReason[];
  /** YYYY-MM-DD, from the pack's deadline rule and calendar (admitted and refused alike) */
  deadline?: string;
  /** billable acts with the tariff in force on the request's local date; empty when refused */
  acts: BillableAct[];
  /** the place this request takes when admitted (absent: no quota in the pack, or no patient key) */
  quota?: QuotaClaim;
}
