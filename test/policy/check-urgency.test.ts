import { describe, expect, it } from 'vitest';
import { checkUrgency } from '../../src/policy/check-urgency.ts';
import { brRequest, frRequest, genericRequest, pack, ruRequest, vnRequest } from './policy-fixtures.ts';

const PRIORITIES = ['routine', 'urgent', 'asap', 'stat'] as const;

describe('checkUrgency', () => {
  it.each([
    ['fr-teleexpertise', frRequest, true],
    ['br-telessaude', brRequest, true],
    ['ru-federal-centres', ruRequest, false],
    ['vn-hub-spoke', vnRequest, false],
    ['generic', genericRequest, false],
  ] as const)('%s: urgent requests refused: %s', (name, make, refused) => {
    const p = pack(name);
    for (const priority of PRIORITIES) {
      const reasons = checkUrgency(make({ priority }), p);
      if (refused && priority !== 'routine') {
        expect(reasons, priority).toEqual([{ code: 'POLICY_URGENT_NOT_ALLOWED', path: 'priority', message: expect.stringContaining(priority) }]);
      } else {
        expect(reasons, priority).toEqual([]);
      }
    }
  });
});
