import { describe, expect, it } from 'vitest';
import type { CanonicalRequestInput } from '../../src/domain/canonical-request.ts';
import { poolSpecialtyOf, resolvePoolSpecialty } from '../../src/routing/pool-specialty.ts';
import { brRequest, cbo, FR, frRequest, frSpecialty, pack, vnRequest } from '../policy/policy-fixtures.ts';

const fr = pack('fr-teleexpertise');
const br = pack('br-telessaude');
const ru = pack('ru-federal-centres');
const vn = pack('vn-hub-spoke');
const generic = pack('generic');

describe('poolSpecialtyOf', () => {
  it.each([
    ['fr: a French pool name', 'cardiologie@chu.mssante.fr', fr, 'cardiology'],
    ['fr: the local part compared without case', 'Cardiologie@CHU.mssante.fr', fr, 'cardiology'],
    ['fr: a display name and angle brackets', 'Pool cardio <dermatologie@chu.mssante.fr>', fr, 'dermatology'],
    ['fr: ORL', 'orl@chu.mssante.fr', fr, 'ent'],
    ['br: a Portuguese pool name', 'cardiologia@telessaude.ms.gov.br', br, 'cardiology'],
    ['ru: a transliterated Russian pool name', 'kardiologiya@centr.ru', ru, 'cardiology'],
    ['vn: the consultation pool of every doctor', 'hoichan@benhvien.vn', vn, 'any'],
    ['generic: one pool of every expert', 'experts@example.org', generic, 'any'],
    ['fr: a personal address is no pool', 'dr.martin@chu.mssante.fr', fr, undefined],
    ['fr: another pack’s pool name is no pool', 'cardiologia@chu.mssante.fr', fr, undefined],
    ['fr: an inherited property name is no pool', 'constructor@chu.mssante.fr', fr, undefined],
    ['fr: an empty local part', '@chu.mssante.fr', fr, undefined],
  ])('%s: %s', (_rule, address, p, expected) => {
    expect(poolSpecialtyOf(address, p)).toBe(expected);
  });
});

describe('resolvePoolSpecialty', () => {
  const frPool = (requested: CanonicalRequestInput['requested']) => frRequest({ requested }, FR.gp, null);
  it.each([
    ['the pool address', frPool({ address: 'cardiologie@chu.mssante.fr' }), fr, 'cardiology'],
    ['the pool address before the requested specialty', frPool({ address: 'dermatologie@chu.mssante.fr', specialty: frSpecialty('SM04') }), fr, 'dermatology'],
    ['the requested specialty when the address is no pool', frPool({ address: 'accueil@chu.mssante.fr', specialty: frSpecialty('SM04') }), fr, 'cardiology'],
    ['the requested specialty (FHIR performer type), no address', brRequest({ requested: { specialty: cbo('225135') } }), br, 'dermatology'],
    ['a specialty the pack does not know', frPool({ specialty: frSpecialty('SM99') }), fr, undefined],
    ['neither address nor specialty', vnRequest(), vn, undefined],
  ])('%s', (_rule, request, p, expected) => {
    expect(resolvePoolSpecialty(request, p)).toBe(expected);
  });
});
