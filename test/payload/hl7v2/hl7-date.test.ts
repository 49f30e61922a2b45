import { describe, expect, it } from 'vitest';
import { formatHl7Date, parseHl7Date } from '../../../src/payload/hl7v2/hl7-date.ts';

describe('parseHl7Date', () => {
  it.each([
    ['1958', '1958', 'year'],
    ['195808', '1958-08', 'month'],
    ['19580817', '1958-08-17', 'day'],
    ['2016101823', '2016-10-18T23', 'hour'],
    ['201610182359', '2016-10-18T23:59', 'minute'],
    ['20161018235959', '2016-10-18T23:59:59', 'second'],
    ['20161018235959.1', '2016-10-18T23:59:59.1', 'fraction'],
    ['20161018235959.1234', '2016-10-18T23:59:59.1234', 'fraction'],
    ['20161018235959+0000', '2016-10-18T23:59:59+00:00', 'second'],
    ['201610182359-0500', '2016-10-18T23:59-05:00', 'minute'],
    ['20240229', '2024-02-29', 'day'],
    ['20000229', '2000-02-29', 'day'],
    ['20260303100000+0100', '2026-03-03T10:00:00+01:00', 'second'],
    ['20261231235959.9999+1400', '2026-12-31T23:59:59.9999+14:00', 'fraction'],
  ])('%s → %s (%s)', (hl7, iso, precision) => {
    const r = parseHl7Date(hl7);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ iso, precision }) });
  });

  it.each([
    ['19761325', 'month'],
    ['19760001', 'month'],
    ['19760230', 'day'],
    ['19000229', 'day'],
    ['20230229', 'day'],
    ['19760100', 'day'],
    ['2016101824', 'hour'],
    ['201610182360', 'minute'],
    ['20161018235960', 'second'],
    ['20161018235959+1500', 'offset'],
    ['20161018235959+0060', 'offset'],
    ['0000', 'year'],
    ['195', 'YYYY'],
    ['1958081', 'YYYY'],
    ['20161018235959.12345', 'YYYY'],
    ['2016-10-18', 'YYYY'],
    ['20161018T2359', 'YYYY'],
    ['', 'YYYY'],
    [' 19580817', 'YYYY'],
  ])('%s is invalid (%s)', (hl7, why) => {
    const r = parseHl7Date(hl7);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(why === 'offset' ? 'offset' : why);
      expect(hl7 === '' || !r.reason.includes(hl7)).toBe(true);
    }
  });
});

describe('formatHl7Date', () => {
  it.each([
    ['2026-03-03T10:00:00+01:00', '20260303100000+0100'],
    ['2026-03-03T09:00:00Z', '20260303090000+0000'],
    ['2026-03-03T09:00:00.123Z', '20260303090000.123+0000'],
    ['2026-03-03T09:00:00.123456Z', '20260303090000.1234+0000'],
    ['1958-08-17', '19580817'],
    ['1958-08', '195808'],
    ['1958', '1958'],
    ['2016-10-18T23:59', '201610182359'],
  ])('%s → %s', (iso, hl7) => {
    expect(formatHl7Date(iso)).toBe(hl7);
  });

  it('round-trips with parseHl7Date at the same precision', () => {
    for (const hl7 of ['1958', '195808', '19580817', '2016101823', '201610182359+0000', '20161018235959.12-0330']) {
      const r = parseHl7Date(hl7);
      expect(r.ok && formatHl7Date(r.value.iso)).toBe(hl7);
    }
  });

  it.each(['not a date', '2026-13-01', '2026-02-30T10:00:00Z', '03/03/2026'])('refuses %s', (iso) => {
    expect(() => formatHl7Date(iso)).toThrow(RangeError);
  });
});
