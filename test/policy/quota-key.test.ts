import { describe, expect, it } from 'vitest';
import { quotaKey } from '../../src/policy/quota-key.ts';
import type { RulePack } from '../../src/policy/rule-pack-schema.ts';
import { brRequest, FR, frRequest, INS, NIR, pack } from './policy-fixtures.ts';

const fr = pack('fr-teleexpertise');
const frPerRequested: RulePack = { ...fr, quota: { ...fr.quota!, key: 'patient-and-requested' } };

describe('quotaKey', () => {
  it.each([
    ['quota.patientIdentifierSystems: the INS', [{ system: INS, value: '276012A12345678' }], `${INS}|276012A12345678`],
    ['quota.patientIdentifierSystems: INS before NIR, whatever the order sent', [{ system: NIR, value: '1840275123456' }, { system: INS, value: '2760199123456' }], `${INS}|2760199123456`],
    ['quota.patientIdentifierSystems: the NIR when there is no INS', [{ system: 'MRN', value: '42' }, { system: NIR, value: '1840275123456' }], `${NIR}|1840275123456`],
    ['an OID written bare, spaces inside the value', [{ system: '1.2.250.1.213.1.4.8', value: '2 76 01 99 123 456' }], `${INS}|2760199123456`],
  ])('fr-teleexpertise, %s', (_rule, identifiers, key) => {
    expect(quotaKey(frRequest({ patient: { identifiers } }), fr)).toBe(key);
  });

  it('is undefined when the patient has no identifier of the pack systems (the caller refuses: fail closed)', () => {
    expect(quotaKey(frRequest({ patient: { identifiers: [{ system: 'MRN', value: '42' }] } }), fr)).toBeUndefined();
  });

  it('is undefined for a pack without quota', () => {
    expect(quotaKey(brRequest(), pack('br-telessaude'))).toBeUndefined();
  });

  it.each([
    ['the named expert by identifier', frRequest(), `${INS}|276012A12345678|requested:urn:oid:1.2.250.1.71.4.2.1|810009876543`],
    ['a pool by its address', frRequest({ requested: { specialty: { system: 'x', code: 'SM04' }, address: 'Cardiologie@CHU.mssante.fr' } }, FR.gp, null), `${INS}|276012A12345678|requested:mailto:cardiologie@chu.mssante.fr`],
    ['a pool by its specialty when nothing else', frRequest({ requested: { specialty: { system: '1.2.250.1.213.2.28', code: 'SM04' } } }, FR.gp, null), `${INS}|276012A12345678|requested:specialty:urn:oid:1.2.250.1.213.2.28|SM04`],
    ['nobody identifiable: undefined', frRequest({ requested: {} }, FR.gp, null), undefined],
  ])('quota.key patient-and-requested: %s', (_what, request, key) => {
    expect(quotaKey(request, frPerRequested)).toBe(key);
  });
});
