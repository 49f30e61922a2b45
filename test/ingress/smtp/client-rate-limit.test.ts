/** The per-client-address message rate limit: what is counted, the sliding window, and the memory it keeps. */
import { describe, expect, it } from 'vitest';
import { createClientRateLimit } from '../../../src/ingress/smtp/client-rate-limit.ts';

const MINUTE = 60_000;
const A = '192.0.2.1';
const B = '192.0.2.2';

describe('createClientRateLimit', () => {
  it.each([
    { rule: 'under the limit: allowed', accepted: [0], at: 1000, allowed: true },
    { rule: 'the limit reached within the window: refused', accepted: [0, 1000], at: 2000, allowed: false },
    { rule: 'the window is a sliding minute: refused until the oldest acceptance is a minute old', accepted: [0, 30_000], at: MINUTE - 1, allowed: false },
    { rule: 'the oldest acceptance a minute old: one place again', accepted: [0, 30_000], at: MINUTE, allowed: true },
    { rule: 'all acceptances out of the window: allowed', accepted: [0, 1000], at: 2 * MINUTE, allowed: true },
  ])('$rule (limit 2)', ({ accepted, at, allowed }) => {
    const limit = createClientRateLimit(2, MINUTE);
    for (const t of accepted) limit.record(A, t);
    expect(limit.allows(A, at)).toBe(allowed);
  });

  it('counts acceptances only: asking (a MAIL whose transaction then fails) uses up nothing', () => {
    const limit = createClientRateLimit(2, MINUTE);
    for (let i = 0; i < 10; i++) expect(limit.allows(A, i)).toBe(true);
    limit.record(A, 10);
    limit.record(A, 11);
    expect(limit.allows(A, 12)).toBe(false);
  });

  it('keeps each client address apart', () => {
    const limit = createClientRateLimit(1, MINUTE);
    limit.record(A, 0);
    expect(limit.allows(A, 1)).toBe(false);
    expect(limit.allows(B, 1)).toBe(true);
  });

  it('forgets the clients whose window has passed: the map goes back down', () => {
    const limit = createClientRateLimit(5, MINUTE);
    for (let i = 0; i < 1000; i++) limit.record(`10.0.${i >> 8}.${i & 255}`, i);
    expect(limit.size(1000)).toBe(1000);
    // clients 0…499 accepted their last message a minute ago or more
    expect(limit.size(MINUTE + 499)).toBe(500);
    expect(limit.size(MINUTE + 998)).toBe(1);
    expect(limit.size(MINUTE + 999)).toBe(0);
  });

  it('keeps a client accepted again in the window, however long ago it first came', () => {
    const limit = createClientRateLimit(5, MINUTE);
    limit.record(A, 0);
    limit.record(B, 10);
    limit.record(A, 50_000);
    // B's last acceptance is out of the window, A's is not
    expect(limit.size(MINUTE + 20)).toBe(1);
    expect(limit.allows(B, MINUTE + 20)).toBe(true);
    limit.record(A, MINUTE + 30);
    limit.record(A, MINUTE + 40);
    limit.record(A, MINUTE + 50);
    // 50_000 and three more: four in the window, one place left
    expect(limit.allows(A, MINUTE + 60)).toBe(true);
    limit.record(A, MINUTE + 60);
    expect(limit.allows(A, MINUTE + 70)).toBe(false);
  });

  it('remembers at most `limit` times per client, even when parallel sessions all got through', () => {
    const limit = createClientRateLimit(2, MINUTE);
    for (let t = 0; t < 5; t++) limit.record(A, t);
    expect(limit.allows(A, 10)).toBe(false);
    // only the two newest (3 and 4) count: at 3 + a minute, one has left the window
    expect(limit.allows(A, MINUTE + 3)).toBe(true);
  });
});
