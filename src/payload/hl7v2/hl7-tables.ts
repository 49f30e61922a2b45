/**
 * The HL7 tables the mapping uses, and how their codes map to the canonical request and to answers. The choices
 * (and what they rest on) are in docs/decisions/0011-hl7v2-parser.md.
 */
import type { CanonicalRequest } from '../../domain/canonical-request.ts';
import type { Answer } from '../../domain/answer.ts';
import { lookup } from './lookup.ts';

type Priority = CanonicalRequest['priority'];

/**
 * Table 0280 (referral priority, RF1-2) and table 0485 (TQ1-9): S (STAT) → urgent and A (ASAP) → asap as the
 * payloads issue asks, R → routine.
 */
export const PRIORITY_OF_CODE: Readonly<Record<string, Priority>> = { S: 'urgent', A: 'asap', R: 'routine' };
export const CODE_OF_PRIORITY: Readonly<Record<Priority, string>> = { routine: 'R', asap: 'A', urgent: 'S', stat: 'S' };

/** Table 0284 (referral category, RF1-5). User-defined: other codes are kept as sent. */
export const REFERRAL_CATEGORY: Readonly<Record<string, string>> = { I: 'inpatient', O: 'outpatient', A: 'ambulatory', E: 'emergency' };

/** Table 0286 (provider role, PRD-1). */
export const PROVIDER_ROLE = { referring: 'RP', referredTo: 'RT', consulting: 'CP', primaryCare: 'PP' } as const;

/** Table 0498 (consent status, CON-11): whether the patient consented. */
export const CONSENT_GRANTED: Readonly<Record<string, boolean>> = { A: true, L: true, B: false, P: false, R: false, X: false };

/** What an order control code (ORC-1, table 0119) and order status (ORC-5, table 0038) say happened. */
export type OrderEvent =
  | 'cancel-requested'
  | 'discontinue-requested'
  | 'hold-requested'
  | 'release-requested'
  | 'change-requested'
  | 'accepted'
  | 'declined'
  | 'information-requested'
  | 'in-progress'
  | 'scheduled'
  | 'on-hold'
  | 'finalized'
  | 'corrected'
  | 'cancelled'
  | 'discontinued'
  | 'status-changed';

/** ORC-1 codes that say all by themselves what happened. */
const CONTROL_EVENTS: Readonly<Record<string, OrderEvent>> = {
  CA: 'cancel-requested',
  DC: 'discontinue-requested',
  HD: 'hold-requested',
  RL: 'release-requested',
  XO: 'change-requested',
  OK: 'accepted',
  UA: 'declined',
  CR: 'cancelled',
  OC: 'cancelled',
  OD: 'discontinued',
  DR: 'discontinued',
  OH: 'on-hold',
};

/** ORC-5 under ORC-1 SC (status changed) or RE (observations). */
const STATUS_EVENTS: Readonly<Record<string, OrderEvent>> = {
  IP: 'in-progress',
  A: 'in-progress',
  SC: 'scheduled',
  HD: 'information-requested',
  CM: 'finalized',
  CA: 'cancelled',
  DC: 'discontinued',
};

/**
 * The event of an ORC; undefined when the codes are not ones this gateway maps. `corrected`: an OBX-11 of the
 * message says C (a correction of a final result).
 */
export function eventOfOrder(control: string, status: string, corrected: boolean): OrderEvent | undefined {
  const c = control.toUpperCase();
  const byControl = lookup(CONTROL_EVENTS, c);
  if (byControl) return byControl;
  if (c !== 'SC' && c !== 'RE') return undefined;
  if (status === '') return c === 'RE' ? (corrected ? 'corrected' : 'finalized') : 'status-changed';
  const byStatus = lookup(STATUS_EVENTS, status.toUpperCase());
  if (byStatus === 'finalized' && corrected) return 'corrected';
  return byStatus;
}

/** ORC-1 and ORC-5 of each answer, in a 360X OSU^O51 (tables 0119 and 0038). */
export const ORDER_OF_ANSWER: Readonly<Record<Answer['kind'], { control: string; status: string }>> = {
  accepted: { control: 'OK', status: 'IP' },
  declined: { control: 'UA', status: 'CA' },
  'information-requested': { control: 'SC', status: 'HD' },
  finalized: { control: 'SC', status: 'CM' },
  corrected: { control: 'SC', status: 'CM' },
  cancelled: { control: 'OC', status: 'CA' },
};

/** RF1-1 of each answer, in an RRI^I12 (table 0283, user-defined; C is our local code). */
export const REFERRAL_STATUS_OF_ANSWER: Readonly<Record<Answer['kind'], [string, string]>> = {
  accepted: ['A', 'Accepted'],
  finalized: ['A', 'Accepted'],
  corrected: ['A', 'Accepted'],
  declined: ['R', 'Rejected'],
  'information-requested': ['P', 'Pending'],
  cancelled: ['C', 'Cancelled'],
};

export type ReferralResponseKind = Answer['kind'] | 'expired';

/** The kind of an RRI from RF1-1 and whether it carries an opinion (an OBX) and a correction (OBX-11 C). */
export function kindOfReferralStatus(status: string, hasOpinion: boolean, corrected: boolean): ReferralResponseKind | undefined {
  switch (status.toUpperCase()) {
    case 'A':
      return hasOpinion ? (corrected ? 'corrected' : 'finalized') : 'accepted';
    case 'R':
      return 'declined';
    case 'P':
      return 'information-requested';
    case 'C':
      return 'cancelled';
    case 'E':
      return 'expired';
    default:
      return undefined;
  }
}
