import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRulePack, parseRulePack, SHIPPED_PACKS } from '../../src/policy/load-rule-pack.ts';
import { ROOT } from '../helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'txgate-packs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FR_JSON = JSON.parse(readFileSync(join(ROOT, 'src/policy/packs/fr-teleexpertise.json'), 'utf8')) as Record<string, unknown>;

function problemsOf(json: unknown): { path: string; message: string }[] {
  const r = parseRulePack(json);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.problems.map(({ code, path, message }) => (expect(code).toBe('RULE_PACK_INVALID'), { path, message }));
}

describe('loadRulePack', () => {
  it.each(SHIPPED_PACKS)('loads the shipped pack %s: named, versioned, sourced where it has rules', (name) => {
    const r = loadRulePack(name);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.value.name).toBe(name);
    expect(r.value.version).not.toBe('');
    if (name !== 'generic') {
      expect(r.value.sources.length).toBeGreaterThan(0);
      expect(r.value.unconfirmed.length).toBeGreaterThan(0);
    }
  });

  it('loads an operator pack from a file path, and a file with a syntax error reports its line', () => {
    const good = join(dir, 'mine.json');
    writeFileSync(good, JSON.stringify({ ...FR_JSON, name: 'mine' }));
    const r = loadRulePack(good);
    expect(r.ok && r.value.name).toBe('mine');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "name": "x",\n  "version": 1,,\n}');
    const b = loadRulePack(bad);
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.problems[0]).toMatchObject({ code: 'RULE_PACK_INVALID', message: expect.stringContaining('line 3') });
  });

  it.each([
    ['an unknown shipped name', 'de-telekonsil'],
    ['a missing file', '/nonexistent/pack.json'],
  ])('RULE_PACK_NOT_FOUND for %s', (_what, name) => {
    const r = loadRulePack(name);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([expect.objectContaining({ code: 'RULE_PACK_NOT_FOUND', path: name })]);
  });
});

describe('parseRulePack', () => {
  it('reports every problem of a broken pack, each with its path', () => {
    const broken = {
      ...FR_JSON,
      version: '',
      language: 'de',
      timeZone: 'Europe/Atlantis',
      quota: { limit: 0, window: 'monthly', patientIdentifierSystems: [] },
      urgency: { refuse: 'yes' },
      extra: true,
    };
    const paths = problemsOf(broken).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['version', 'language', 'timeZone', 'quota.limit', 'quota.window', 'quota.patientIdentifierSystems', 'urgency.refuse', 'extra']),
    );
    expect(paths).toHaveLength(8);
  });

  it('reports every dangling reference once the shape is right', () => {
    const fr = structuredClone(FR_JSON) as any;
    fr.professions.groups.auxiliaries.push('plumber');
    fr.pairs.rules[1].requested.specialties = ['organ-specialties', 'astrology'];
    fr.pairs.poolProfession = 'surgeon';
    fr.acts[0].professions = ['doctor', 'wizard'];
    fr.acts[0].tariffs[1].from = '2025-06-01';
    fr.documents.namePatterns = { ecg: ['(unclosed'] };
    fr.unconfirmed.push({ path: 'quota.colour', note: 'typo' });
    expect(problemsOf(fr)).toEqual(
      expect.arrayContaining([
        { path: 'professions.groups.auxiliaries.13', message: 'plumber is not an entry of professions' },
        { path: 'pairs.rules.1.requested.specialties.1', message: 'astrology is not a specialty or specialty group of the pack' },
        { path: 'pairs.poolProfession', message: 'surgeon is not a profession of the pack' },
        { path: 'acts.0.professions.1', message: 'wizard is not a profession or profession group of the pack' },
        { path: 'acts.0.tariffs.1.from', message: 'overlaps the tariff from 2022-04-01' },
        { path: 'documents.namePatterns.ecg.0', message: 'is not a valid regular expression' },
        { path: `unconfirmed.${fr.unconfirmed.length - 1}.path`, message: 'quota.colour names nothing in the pack' },
      ]),
    );
  });

  it('refuses a region date-holidays does not know (the deadline could not be computed)', () => {
    const fr = structuredClone(FR_JSON) as any;
    fr.calendar.region = 'XX';
    expect(problemsOf(fr)).toEqual([{ path: 'calendar.region', message: 'XX is not a region of FR date-holidays knows' }]);
  });

  it('needs a calendar for a deadline in business days, not for calendar days', () => {
    const base = { name: 'p', version: '1', title: 'P', language: 'en', timeZone: 'UTC' };
    expect(problemsOf({ ...base, deadline: { days: 3, business: true } })).toEqual([{ path: 'calendar', message: 'a deadline in business days needs the business calendar' }]);
    expect(parseRulePack({ ...base, deadline: { days: 3, business: false } }).ok).toBe(true);
  });

  it('never throws, whatever value replaces any field of a valid pack (problems are values)', () => {
    const paths: (string | number)[][] = [];
    const walk = (node: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
    };
    walk(FR_JSON, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.anything(), (path, value) => {
        const copy = structuredClone(FR_JSON) as Record<string | number, unknown>;
        let node: Record<string | number, unknown> = copy;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        node[path[path.length - 1]!] = value;
        const r = parseRulePack(copy);
        if (!r.ok) for (const p of r.problems) expect(p.code).toBe('RULE_PACK_INVALID');
      }),
      { numRuns: 500 },
    );
  });
});
