import { describe, expect, it } from 'vitest';
import { checkAdeli, checkCns, checkCpf, checkNir, checkRpps } from '../../src/domain/check-identifiers.ts';

describe('identifier checks', () => {
  it.each([
    ['NIR with its key (the textbook example)', checkNir, '184127645108946', true],
    ['NIR with spaces', checkNir, '1 84 12 76 451 089 46', true],
    ['NIR with a wrong key', checkNir, '184127645108947', false],
    ['NIR of a person born in Corsica (2A counts as 19)', checkNir, `1840${'5'}2A123456${String(97 - Number(BigInt('184052A123456'.replace('2A', '19')) % 97n)).padStart(2, '0')}`, true],
    ['NIR too short', checkNir, '18412764510894', false],
    ['CNS, provisional, weighted mod 11', checkCns, '700123456700001', true],
    ['CNS with one digit changed', checkCns, '700123456700002', false],
    ['CNS starting with 3', checkCns, '300000000000000', false],
    ['CPF', checkCpf, '529.982.247-25', true],
    ['CPF with a wrong check digit', checkCpf, '52998224724', false],
    ['CPF of one repeated digit', checkCpf, '11111111111', false],
    ['RPPS of 11 digits', checkRpps, '10003123456', true],
    ['RPPS of 10 digits', checkRpps, '1000312345', false],
    ['ADELI of 9 characters', checkAdeli, '751234567', true],
    ['ADELI of Corsica', checkAdeli, '2A1234567', true],
    ['ADELI of 8 characters', checkAdeli, '75123456', false],
  ] as const)('%s', (_name, check, value, valid) => {
    expect(check(value) === undefined).toBe(valid);
  });
});
