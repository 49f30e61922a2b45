import { describe, expect, it } from 'vitest';
import { endOfLocalDay, findDueTimers, undeliverableEvent } from '../../src/pipeline/assignment-clock.ts';

const H = 3_600_000;
const start = new Date('2026-03-02T08:00:00Z');
const due = new Date(start.getTime() + 100 * H);
const row = (remindersSent: number) => ({ id: 'req-1', assignedAt: start, dueAt: due, remindersSent });

describe('the expert clock', () => {
  it.each([
    ['nothing before half time', 49, 0, []],
    ['the first reminder at half time', 50, 0, ['remind:0']],
    ['no second copy of a reminder sent', 60, 1, []],
    ['only the latest reminder when the sweep comes late (90 %)', 95, 0, ['remind:1']],
    ['the second reminder at 90 %', 90, 1, ['remind:1']],
    ['the expiry at the deadline, not a reminder', 100, 1, ['expire']],
    ['the expiry after it', 130, 2, ['expire']],
  ])('%s', (_rule, hours, sent, expected) => {
    const events = findDueTimers([row(sent)], new Date(start.getTime() + hours * H), [0.5, 0.9]);
    expect(events.map((e) => (e.event === 'remind' ? `remind:${e.reminder}` : e.event))).toEqual(expected);
    for (const e of events) expect(e.key).toContain(`req-1:${start.getTime()}`);
  });

  it('ignores rows without an assignment or a due time', () => {
    expect(findDueTimers([{ id: 'req-2', assignedAt: undefined, dueAt: undefined, remindersSent: 0 }], new Date(), [0.5])).toEqual([]);
  });

  it.each([
    ['Paris in winter (UTC+1)', '2026-01-15', 'Europe/Paris', '2026-01-15T22:59:59.999Z'],
    ['Paris in summer (UTC+2)', '2026-07-15', 'Europe/Paris', '2026-07-15T21:59:59.999Z'],
    ['São Paulo (UTC−3)', '2026-02-19', 'America/Sao_Paulo', '2026-02-20T02:59:59.999Z'],
    ['Ho Chi Minh City (UTC+7)', '2026-02-25', 'Asia/Ho_Chi_Minh', '2026-02-25T16:59:59.999Z'],
  ])('the end of a local day: %s', (_rule, day, zone, iso) => {
    expect(endOfLocalDay(day, zone).toISOString()).toBe(iso);
  });

  it('reads the request and assignment of an undeliverable forward from its Message-ID, and nothing from other mail', () => {
    expect(undeliverableEvent({ id: 'out-1', kind: 'forward', messageId: '<fwd-req-0abc-pr-0def-1772438400000@txgate.localhost>' })).toEqual({
      key: 'timer:undeliverable:out-1',
      event: 'undeliverable',
      request: 'req-0abc',
      assignedAt: 1772438400000,
    });
    expect(undeliverableEvent({ id: 'out-2', kind: 'notice-refused', messageId: '<notice-refused-req-0abc@txgate.localhost>' })).toBeUndefined();
  });
});
