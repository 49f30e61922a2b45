/**
 * The expert's clock, pure: when an answer is due (the pack's deadline rule from the moment of assignment, at the end
 * of that local day; 7 days when the pack has none), and which reminders and expiries are due now.
 */
import { computeDeadline } from '../policy/compute-deadline.ts';
import type { RulePack } from '../policy/rule-pack-schema.ts';

/** When the pack sets no answer deadline. */
export const DEFAULT_ANSWER_DAYS = 7;
const DAY_MS = 86_400_000;

/** The last millisecond of a local date (YYYY-MM-DD) in a time zone. */
export function endOfLocalDay(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, 23, 59, 59, 999);
  // the zone's offset at that moment: the wall clock there, read as if it were UTC, minus the moment
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(guess))
    .reduce<Record<string, number>>((acc, p) => (p.type === 'literal' ? acc : { ...acc, [p.type]: Number(p.value) }), {});
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, 999);
  return new Date(guess - (wall - guess));
}

/** When the answer of an expert assigned at `at` is due. */
export function answerDueAt(at: Date, pack: RulePack): Date {
  if (!pack.deadline) return new Date(at.getTime() + DEFAULT_ANSWER_DAYS * DAY_MS);
  const calendar = { country: 'FR', holidayTypes: ['public'], ...pack.calendar, timeZone: pack.timeZone };
  return endOfLocalDay(computeDeadline(at, pack.deadline, calendar), pack.timeZone);
}

export interface TimerEvent {
  /** the idempotency key: one event of each kind per assignment (and reminder) */
  key: string;
  /** undeliverable: the forward to the expert failed for good, or its processed MDN never came */
  event: 'remind' | 'expire' | 'undeliverable';
  request: string;
  /** the assignment it is about (its start, ms), so that an event outlived by a reassignment is ignored */
  assignedAt: number;
  /** remind: the index of the reminder */
  reminder?: number;
}

export interface RunningAssignment {
  id: string;
  assignedAt: Date | undefined;
  dueAt: Date | undefined;
  remindersSent: number;
}

/**
 * The events due at `now` for running assignments: the expiry once the answer is overdue; otherwise the latest
 * reminder whose moment (a fraction of the answer time) has come and that was not sent (earlier ones are skipped).
 */
export function findDueTimers(rows: readonly RunningAssignment[], now: Date, reminders: readonly number[]): TimerEvent[] {
  const out: TimerEvent[] = [];
  const fractions = [...reminders].sort((a, b) => a - b);
  for (const r of rows) {
    if (!r.assignedAt || !r.dueAt) continue;
    const start = r.assignedAt.getTime();
    const span = r.dueAt.getTime() - start;
    if (now.getTime() >= r.dueAt.getTime()) {
      out.push({ key: `timer:expire:${r.id}:${start}`, event: 'expire', request: r.id, assignedAt: start });
      continue;
    }
    let due = -1;
    fractions.forEach((f, i) => {
      if (now.getTime() >= start + f * span) due = i;
    });
    if (due >= r.remindersSent) out.push({ key: `timer:remind:${r.id}:${start}:${due}`, event: 'remind', request: r.id, assignedAt: start, reminder: due });
  }
  return out;
}

/**
 * The event for a forward to an expert that could not be delivered (a permanent failure, retries given up, or no
 * processed MDN in time): its request and assignment are read from the forward's Message-ID
 * (`<fwd-REQUEST-EXPERT-ASSIGNEDAT@domain>`, see assign-request.ts). Undefined for any other outgoing mail.
 */
export function undeliverableEvent(outbox: { id: string; kind: string; messageId: string }): TimerEvent | undefined {
  if (outbox.kind !== 'forward') return undefined;
  const m = /^<fwd-(req-[0-9a-z]+)-.+-(\d+)@[^>]+>$/.exec(outbox.messageId);
  if (!m) return undefined;
  return { key: `timer:undeliverable:${outbox.id}`, event: 'undeliverable', request: m[1]!, assignedAt: Number(m[2]) };
}
