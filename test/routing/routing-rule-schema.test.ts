import { describe, expect, it } from 'vitest';
import { parseRulePack } from '../../src/policy/load-rule-pack.ts';
import { pack } from '../policy/policy-fixtures.ts';

const frRaw = () => JSON.parse(JSON.stringify(pack('fr-teleexpertise'))) as Record<string, unknown>;

function problemsOf(routing: unknown): { path: string; message: string }[] {
  const r = parseRulePack({ ...frRaw(), routing });
  return r.ok ? [] : r.problems.map(({ path, message }) => ({ path, message }));
}

describe('the routing section of a rule pack', () => {
  it('is optional: no pools, refuse, no follow-up, no hub, reminders at half time and 90 %, reassignment on decline and expiry', () => {
    const raw = frRaw();
    delete raw.routing;
    raw.unconfirmed = (raw.unconfirmed as { path: string }[]).filter((u) => !u.path.startsWith('routing'));
    const r = parseRulePack(raw);
    expect(r.ok && r.value.routing).toEqual({ pools: {}, namedExpertUnavailable: 'refuse', hubFirst: false, reminders: [0.5, 0.9], reassignOn: ['decline', 'expiry'] });
  });

  it('the shipped packs: France reroutes, Brazil follows up for 60 days, Vietnam sends to the hub first', () => {
    expect(pack('fr-teleexpertise').routing).toMatchObject({ namedExpertUnavailable: 'reroute', pools: { cardiologie: 'cardiology' } });
    expect(pack('br-telessaude').routing).toMatchObject({ followUpDays: 60, pools: { dermatologia: 'dermatology' } });
    expect(pack('ru-federal-centres').routing).toMatchObject({ namedExpertUnavailable: 'refuse', pools: { kardiologiya: 'cardiology' } });
    expect(pack('vn-hub-spoke').routing).toMatchObject({ hubFirst: true, pools: { hoichan: 'any' } });
  });

  it.each([
    ['a pool of a specialty group', { pools: { organes: 'organ-specialties' } }, 'routing.pools.organes', 'a specialty group'],
    ['a pool of an unknown specialty', { pools: { astrologie: 'astrology' } }, 'routing.pools.astrologie', 'not a specialty of the pack'],
    ['a local part with capitals', { pools: { Cardiologie: 'cardiology' } }, 'routing.pools', 'lower-case ASCII local part'],
    ['a local part that is not ASCII', { pools: { 'néphrologie': 'nephrology' } }, 'routing.pools', 'lower-case ASCII local part'],
    ['an unknown policy for the named expert', { namedExpertUnavailable: 'wait' }, 'routing.namedExpertUnavailable', ''],
    ['a negative follow-up window', { followUpDays: -1 }, 'routing.followUpDays', ''],
    ['a reminder at the deadline', { reminders: [0.5, 1] }, 'routing.reminders.1', ''],
    ['reminders out of order', { reminders: [0.9, 0.5] }, 'routing.reminders.1', 'greater than the reminder before it'],
    ['a reassignment event given twice', { reassignOn: ['decline', 'decline'] }, 'routing.reassignOn', 'decline is given twice'],
    ['an unknown field', { pool: {} }, 'routing', ''],
  ])('refuses %s', (_name, routing, path, message) => {
    const problems = problemsOf(routing);
    expect(problems.some((p) => p.path.startsWith(path) && p.message.includes(message)), JSON.stringify(problems)).toBe(true);
  });

  it('an unconfirmed note may name a routing value', () => {
    expect(pack('br-telessaude').unconfirmed.some((u) => u.path === 'routing.followUpDays')).toBe(true);
  });
});
