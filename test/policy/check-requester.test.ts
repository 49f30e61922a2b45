import { describe, expect, it } from 'vitest';
import { checkRequester } from '../../src/policy/check-requester.ts';
import { BR_FACTS, brRequest, cbo, facts, FR, frRequest, genericRequest, pack, ruProfession, ruRequest, vnProfession, vnRequest } from './policy-fixtures.ts';

const br = pack('br-telessaude');
const CODE = 'POLICY_REQUESTER_NOT_ELIGIBLE';

describe('checkRequester — br-telessaude', () => {
  it.each([
    ['a CRM doctor of Campo Grande', brRequest(), BR_FACTS],
    ['a COREN nurse of Corumbá, the council from the directory', brRequest({ requester: { profession: cbo('223565') } }), { requester: { municipality: '5003207', council: { name: 'coren', number: '1', state: 'MS' } } }],
  ])('admits %s', (_what, request, directory) => {
    expect(checkRequester(request, br, facts(directory))).toEqual([]);
  });

  it.each([
    ['requester.municipalities: outside the municipalities (São Paulo)', brRequest(), { requester: { municipality: '3550308' } }, 'requester', 'municipalities'],
    ['requester.municipalities: municipality unknown to the directory', brRequest(), {}, 'requester', 'municipality is unknown'],
    ['requester.council: without council', brRequest({ requester: { profession: cbo('225142') } }), BR_FACTS, 'requester.council', 'no professional council'],
    ['requester.council.names: a council not accepted', brRequest({ requester: { profession: cbo('225142'), council: { name: 'OAB', number: '1', state: 'MS' } } }), BR_FACTS, 'requester.council.name', 'not one of'],
    ['requester.council.stateRequired: no state', brRequest({ requester: { profession: cbo('225142'), council: { name: 'CRM', number: '1' } } }), BR_FACTS, 'requester.council.state', 'no state'],
    ['requester.professions: an occupation outside the primary-care team', brRequest({ requester: { profession: cbo('252105'), council: { name: 'CRM', number: '1', state: 'MS' } } }), BR_FACTS, 'requester.profession', 'unknown profession'],
  ])('refuses %s', (_rule, request, directory, path, message) => {
    expect(checkRequester(request, br, facts(directory))).toEqual([{ code: CODE, path, message: expect.stringContaining(message) }]);
  });

  it('reports every failing restriction', () => {
    const request = brRequest({ requester: { profession: cbo('252105') } });
    expect(checkRequester(request, br, facts()).map((r) => r.path)).toEqual(['requester', 'requester.council', 'requester.profession']);
  });
});

describe('checkRequester — the other packs', () => {
  it.each([
    ['ru-federal-centres: requester.professions, a nurse may not request', 'ru-federal-centres', ruRequest({ requester: { profession: ruProfession('nurse') } }), 'Медицинская сестра'],
    ['vn-hub-spoke: requester.professions, a nurse may not request', 'vn-hub-spoke', vnRequest({ requester: { profession: vnProfession('nurse') } }), 'Điều dưỡng'],
  ])('refuses %s', (_rule, name, request, label) => {
    expect(checkRequester(request, pack(name), facts())).toEqual([{ code: CODE, path: 'requester.profession', message: `a ${label} may not request in this programme` }]);
  });

  it.each([
    ['fr-teleexpertise (no restriction: the pair matrix decides)', 'fr-teleexpertise', frRequest({}, FR.pharmacist)],
    ['ru-federal-centres: a doctor', 'ru-federal-centres', ruRequest()],
    ['vn-hub-spoke: a doctor', 'vn-hub-spoke', vnRequest()],
    ['generic (no restriction)', 'generic', genericRequest()],
  ])('admits %s', (_what, name, request) => {
    expect(checkRequester(request, pack(name), facts())).toEqual([]);
  });
});
