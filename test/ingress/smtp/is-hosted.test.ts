import { describe, expect, it } from 'vitest';
import { isHosted } from '../../../src/ingress/smtp/smtp-intake.ts';

const HOSTED = new Set(['gateway@txgate.localhost', 'cardiologie@txgate.localhost']);

describe('isHosted (the recipients the intake accepts on its domain)', () => {
  it.each([
    ['a hosted address', 'gateway@txgate.localhost', true],
    ['a pool address', 'cardiologie@txgate.localhost', true],
    ['a request reply address (sub-address of a hosted one)', 'gateway+req-0abc123@txgate.localhost', true],
    ['an unknown address', 'nobody@txgate.localhost', false],
    ['a sub-address of an unknown address', 'nobody+req-1@txgate.localhost', false],
    ['a plus at the start of the local part', '+gateway@txgate.localhost', false],
    ['an empty tag still names the hosted address', 'gateway+@txgate.localhost', true],
  ])('%s: %s → %s', (_rule, addr, expected) => {
    expect(isHosted(HOSTED, addr, addr.lastIndexOf('@'))).toBe(expected);
  });
});
