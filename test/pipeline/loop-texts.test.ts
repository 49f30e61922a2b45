import { describe, expect, it } from 'vitest';
import { loopText, type LoopText } from '../../src/pipeline/loop-texts.ts';
import { NOTICE_LANGUAGES } from '../../src/policy/notice-texts.ts';

const KEYS: LoopText[] = [
  'acceptedSubject',
  'accepted',
  'reassignedSubject',
  'reassigned',
  'waiting',
  'questionSubject',
  'question',
  'opinionSubject',
  'opinion',
  'correctionSubject',
  'correction',
  'reminderSubject',
  'reminder',
  'answerSubject',
  'answer',
  'replyRefusedSubject',
  'replyRefused',
  'withdrawnSubject',
  'withdrawn',
  'cancelledSubject',
  'cancelled',
];

describe('the texts of the loop', () => {
  it.each(NOTICE_LANGUAGES)('%s: every text exists, its placeholders filled, on one line', (language) => {
    for (const key of KEYS) {
      const text = loopText(language, key, { id: 'req-1', ref: 'REF-9', why: 'deadline', version: 2, due: '2026-03-10', code: 'X' });
      expect(text.length, key).toBeGreaterThan(10);
      expect(text, key).not.toMatch(/[{}]/);
      expect(text, key).not.toMatch(/\n/);
    }
  });

  it('flattens line breaks in values (a header never gets a second line from a value)', () => {
    expect(loopText('en', 'reminderSubject', { id: 'req-1\r\nBcc: x@y', due: '2026-03-10' })).toBe('Reminder: tele-expertise req-1 Bcc: x@y due by 2026-03-10');
  });

  it('texts differ across languages', () => {
    const all = NOTICE_LANGUAGES.map((l) => loopText(l, 'accepted', { ref: 'R' }));
    expect(new Set(all).size).toBe(NOTICE_LANGUAGES.length);
  });
});
