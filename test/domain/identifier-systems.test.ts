import { describe, expect, it } from 'vitest';
import { IDENTIFIER_SYSTEMS } from '../../src/domain/canonical-request.ts';
import { checkIdentifierValue, normalizeSystem, typeOfSystem } from '../../src/domain/identifier-systems.ts';

describe('identifier systems', () => {
  it.each([
    ['a bare OID', '1.2.250.1.213.1.4.8', 'INS'],
    ['an OID as urn:oid:', IDENTIFIER_SYSTEMS.CNS, 'CNS'],
    ['an unknown system', 'urn:oid:1.2.3', undefined],
    ['a key of Object.prototype', 'constructor', undefined],
  ])('knows the kind of %s', (_name, system, kind) => {
    expect(typeOfSystem(system)).toBe(kind);
  });

  it.each([
    ['a valid NIR', IDENTIFIER_SYSTEMS.INS_NIR, '184127645108946', true],
    ['a NIR with a wrong key', '1.2.250.1.213.1.4.8', '184127645108947', false],
    ['8 + RPPS', IDENTIFIER_SYSTEMS.PS_NATIONAL, '810003123456', true],
    ['0 + ADELI', IDENTIFIER_SYSTEMS.PS_NATIONAL, '0751234567', true],
    ['neither', IDENTIFIER_SYSTEMS.PS_NATIONAL, '512345', false],
    ['a system without a rule', 'urn:oid:1.2.3', 'anything', true],
    ['a key of Object.prototype', 'toString', 'x', true],
  ])('checks %s', (_name, system, value, valid) => {
    expect(checkIdentifierValue(system, value) === undefined).toBe(valid);
  });

  it('writes OIDs as urn:oid:', () => {
    expect(normalizeSystem(' 1.2.250.1.71.4.2.1 ')).toBe('urn:oid:1.2.250.1.71.4.2.1');
    expect(normalizeSystem('URN:OID:1.2.3')).toBe('urn:oid:1.2.3');
  });
});
