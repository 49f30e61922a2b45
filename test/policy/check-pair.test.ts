import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../src/domain/canonical-request.ts';
import { checkPair, findEntryId, findPairRule, resolveParties } from '../../src/policy/check-pair.ts';
import {
  brRequest,
  cbo,
  facts,
  FR,
  frProfession,
  frRequest,
  frSpecialty,
  genericRequest,
  pack,
  ruProfession,
  ruRequest,
  vnProfession,
  vnRequest,
  type Professional,
} from './policy-fixtures.ts';

const fr = pack('fr-teleexpertise');

/** A French request from `requester` to a named `expert`, or to the pool of a specialty code. */
function frPair(requester: Professional, requested: Professional | { pool: string }): CanonicalRequest {
  if ('pool' in requested) return frRequest({ requested: { specialty: frSpecialty(requested.pool), address: 'pool@chu.mssante.fr' } }, requester, null);
  return frRequest({}, requester, requested);
}

function ruleOf(request: CanonicalRequest, p = fr): string | undefined {
  return findPairRule(resolveParties(request, p, facts()), p)?.name;
}

describe('checkPair — fr-teleexpertise', () => {
  it.each([
    ['auxiliaries-among-themselves', 'a nurse asks a physiotherapist', FR.nurse, FR.physiotherapist],
    ['auxiliaries-among-themselves', 'a physiotherapist asks a nurse', FR.physiotherapist, FR.nurse],
    ['auxiliaries-among-themselves', 'a speech therapist asks an orthoptist', FR.speechTherapist, FR.orthoptist],
    ['general-practice-and-organ-specialist', 'a GP asks a cardiologist', FR.gp, FR.cardiologist],
    ['general-practice-and-organ-specialist', 'a cardiologist asks a GP (both directions)', FR.cardiologist, FR.gp],
    ['general-practice-and-organ-specialist', 'a GP asks a dermatologist', FR.gp, FR.dermatologist],
    ['general-practice-and-organ-specialist', 'a dermatologist asks a GP', FR.dermatologist, FR.gp],
    ['general-practice-and-organ-specialist', 'a GP asks the cardiology pool (a pool is a doctor of its specialty)', FR.gp, { pool: 'SM04' }],
    ['doctors-of-the-same-specialty', 'two cardiologists', FR.cardiologist, FR.cardiologist],
    ['doctors-of-the-same-specialty', 'two cardiologists under the old and the 2017 code (SM04, SM73)', FR.cardiologist, FR.cardiologist2023],
    ['doctors-of-the-same-specialty', 'two GPs', FR.gp, FR.gp],
    ['doctors-of-the-same-specialty', 'two radiologists (not organ specialists, same specialty)', FR.radiologist, FR.radiologist],
    ['auxiliary-or-midwife-to-doctor', 'a nurse asks a GP', FR.nurse, FR.gp],
    ['auxiliary-or-midwife-to-doctor', 'a speech therapist asks a GP', FR.speechTherapist, FR.gp],
    ['auxiliary-or-midwife-to-doctor', 'a midwife asks a cardiologist', FR.midwife, FR.cardiologist],
    // design §2 and the brief: every auxiliary may ask a doctor, so a physiotherapist may ask a cardiology pool
    ['auxiliary-or-midwife-to-doctor', 'a physiotherapist asks the cardiology pool', FR.physiotherapist, { pool: 'SM04' }],
    ['to-midwife', 'a GP asks a midwife', FR.gp, FR.midwife],
    ['to-midwife', 'a nurse asks a midwife', FR.nurse, FR.midwife],
    ['to-midwife', 'a midwife asks a midwife', FR.midwife, FR.midwife],
  ])('%s: %s', (rule, _what, requester, requested) => {
    const request = frPair(requester, requested);
    expect(checkPair(request, fr, facts())).toEqual([]);
    expect(ruleOf(request)).toBe(rule);
  });

  it.each([
    ['two different organ specialists', FR.cardiologist, FR.dermatologist],
    ['a GP asks a nurse (a doctor asks an auxiliary)', FR.gp, FR.nurse],
    ['a pharmacist asks a GP (pharmacists are not in the matrix of design §2)', FR.pharmacist, FR.gp],
    ['a dentist asks a cardiologist (dentists are not in the matrix)', FR.dentist, FR.cardiologist],
    ['a midwife asks a nurse (a medical profession asks an auxiliary)', FR.midwife, FR.nurse],
    ['a doctor whose specialty is unknown asks a cardiologist', { profession: frProfession('10') }, FR.cardiologist],
    ['a cardiologist asks the dermatology pool', FR.cardiologist, { pool: 'SM15' }],
  ])('refuses %s', (_what, requester, requested) => {
    expect(checkPair(frPair(requester, requested), fr, facts())).toEqual([
      { code: 'POLICY_PAIR_NOT_ELIGIBLE', path: 'requested', message: expect.stringMatching(/^no eligible pair of this programme lets a .+ ask a .+$/) },
    ]);
  });

  it('names both professions and specialties by their labels in the message', () => {
    const [reason] = checkPair(frPair(FR.cardiologist, FR.dermatologist), fr, facts());
    expect(reason?.message).toBe(
      'no eligible pair of this programme lets a Médecin (Cardiologie et médecine cardiovasculaire) ask a Médecin (Dermatologie et vénéréologie)',
    );
  });

  it('takes the profession and specialty from the directory when the request lacks them', () => {
    const request = frPair({}, { profession: frProfession('10') });
    const directory = facts({ requester: { profession: frProfession('60') }, requested: { specialty: frSpecialty('SM04') } });
    expect(checkPair(request, fr, directory)).toEqual([]);
    expect(resolveParties(request, fr, directory)).toMatchObject({
      requester: { professionId: 'nurse', professionFrom: 'directory' },
      requested: { professionId: 'doctor', specialtyId: 'cardiology', professionFrom: 'request' },
    });
  });

  it("prefers the request's own profession to the directory's", () => {
    const request = frPair(FR.pharmacist, FR.gp);
    expect(checkPair(request, fr, facts({ requester: { profession: frProfession('60') } }))).toHaveLength(1);
  });

  it.each([
    ['the requester: unknown to both the request and the directory', frPair({}, FR.gp), 'requester.profession', 'neither the request nor the directory gives it'],
    ['the requested expert: unknown to both', frPair(FR.gp, {}), 'requested.expert.profession', 'neither the request nor the directory gives it'],
    ['the requester: a code the programme does not know', frPair({ profession: frProfession('99') }, FR.gp), 'requester.profession', 'code 99 of'],
    ['the requester: a code of another system', frPair({ profession: cbo('225142') }, FR.gp), 'requester.profession', 'is not a profession of this programme'],
    ['the requested: no expert and no pool', frRequest({ requested: { address: 'someone@chu.mssante.fr' } }, FR.gp, null), 'requested', 'neither'],
  ])('refuses an unknown profession (fail closed) of %s', (_what, request, path, detail) => {
    expect(checkPair(request, fr, facts())).toEqual([{ code: 'POLICY_PAIR_NOT_ELIGIBLE', path, message: expect.stringContaining('unknown profession') }]);
    expect(checkPair(request, fr, facts())[0]!.message).toContain(detail);
  });

  it('reads a profession code system written as its OID', () => {
    expect(findEntryId(fr.professions, { system: '1.2.250.1.71.1.2.7', code: '50' })).toBe('midwife');
    expect(findEntryId(fr.specialties, { system: 'urn:oid:1.2.250.1.213.2.28', code: 'SM54' })).toBe('general-practice');
  });
});

describe('checkPair — the other packs', () => {
  const br = pack('br-telessaude');
  const ru = pack('ru-federal-centres');
  const vn = pack('vn-hub-spoke');

  it.each([
    ['br-telessaude', 'primary-care-to-teleconsultant', 'a family doctor asks the cardiology pool', br, brRequest()],
    ['br-telessaude', 'primary-care-to-teleconsultant', 'a nurse (CBO family 2235) asks a named dermatologist', br, brRequest({ requester: { profession: cbo('223565') }, requested: { expert: { profession: cbo('225135') } } })],
    ['br-telessaude', 'primary-care-to-teleconsultant', 'a dentist asks a nurse', br, brRequest({ requester: { profession: cbo('223293') }, requested: { expert: { profession: cbo('223505') } } })],
    ['ru-federal-centres', 'treating-doctor-to-federal-centre', 'a treating doctor asks a federal-centre doctor', ru, ruRequest()],
    ['vn-hub-spoke', 'provincial-doctor-to-upper-level-doctor', 'a provincial doctor asks an upper-level doctor', vn, vnRequest()],
  ])('%s, %s: %s', (_pack, rule, _what, p, request) => {
    expect(checkPair(request, p, facts())).toEqual([]);
    expect(ruleOf(request, p)).toBe(rule);
  });

  it.each([
    ['br-telessaude', 'an occupation outside the health professions (CBO 252105)', br, brRequest({ requester: { profession: cbo('252105') } }), 'unknown profession'],
    ['ru-federal-centres', 'a nurse asks a federal-centre doctor', ru, ruRequest({ requester: { profession: ruProfession('nurse') } }), 'no eligible pair'],
    ['ru-federal-centres', 'a doctor asks a feldsher', ru, ruRequest({ requested: { expert: { profession: ruProfession('feldsher') } } }), 'no eligible pair'],
    ['vn-hub-spoke', 'a nurse asks a doctor', vn, vnRequest({ requester: { profession: vnProfession('nurse') } }), 'no eligible pair'],
    ['vn-hub-spoke', 'a doctor asks a midwife', vn, vnRequest({ requested: { expert: { profession: vnProfession('midwife') } } }), 'no eligible pair'],
  ])('%s refuses %s', (_pack, _what, p, request, message) => {
    expect(checkPair(request, p, facts())).toEqual([expect.objectContaining({ code: 'POLICY_PAIR_NOT_ELIGIBLE', message: expect.stringContaining(message) })]);
  });

  it('generic: any pair, even of unknown professions (the pack has no pair rules)', () => {
    expect(checkPair(genericRequest(), pack('generic'), facts())).toEqual([]);
  });
});
