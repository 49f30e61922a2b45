/**
 * The demo's programme table (src/demo/programmes): each programme's data fit its rule pack, so that the story it
 * plays is the pack's own: the acts it bills, a case over its yearly limit when it has one (and none otherwise), an
 * ineligible pair and an unknown signer; forms that the form parser reads without a problem, with the patient
 * identifiers the pack's country uses; a directory CSV imported whole; the FHIR requester's Bundle valid R4, read by
 * the FHIR parser without a problem and admitted by the pack with the directory's facts, billing the acts the scene
 * expects. A programme without a FHIR requester plays one passing step that says so. Fast: no gateway.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoCommand } from '../../src/cli/commands/demo.ts';
import { UsageError } from '../../src/cli/command.ts';
import { buildDemoFhirRequest } from '../../src/demo/build-demo-fhir-request.ts';
import { demoPeople, expectedBilling, expectedClaims } from '../../src/demo/demo-programme.ts';
import type { DemoContext } from '../../src/demo/demo-scene.ts';
import { createStepRecorder } from '../../src/demo/demo-steps.ts';
import { buildDirectoryCsv, readDirectoryEntry } from '../../src/demo/demo-workspace.ts';
import { NO_FHIR_REQUESTER, playFhirRequest } from '../../src/demo/play-fhir-request.ts';
import { toPractitionerFacts } from '../../src/directory/practitioner-facts.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { parseFhirRequest } from '../../src/payload/fhir/parse-fhir-request.ts';
import { codingsOfSpecialty } from '../../src/pipeline/assign-request.ts';
import { withRequestedSide } from '../../src/pipeline/decide-stage.ts';
import { decideRequest } from '../../src/policy/decide-request.ts';
import { chooseDemoProgramme, DEMO_PROGRAMMES } from '../../src/demo/programmes/index.ts';
import { cnsWithCheckDigit, cpfWithCheckDigits, nirWithKey } from '../../src/demo/synthetic-identifiers.ts';
import { parseDirectoryCsv } from '../../src/directory/parse-directory-csv.ts';
import { IDENTIFIER_SYSTEMS } from '../../src/domain/canonical-request.ts';
import { checkCns, checkCpf, checkNir } from '../../src/domain/check-identifiers.ts';
import { parseForm } from '../../src/payload/form/parse-form.ts';
import { loadRulePack } from '../../src/policy/load-rule-pack.ts';
import { runCommand } from '../helpers/run-command.ts';

const PATIENT_SYSTEM: Record<string, string> = { 'fr-teleexpertise': IDENTIFIER_SYSTEMS.INS_NIR, 'br-telessaude': IDENTIFIER_SYSTEMS.CNS };

describe.each(Object.values(DEMO_PROGRAMMES).map((p) => [p.pack, p] as const))('the demo programme %s', (name, p) => {
  const pack = (() => {
    const loaded = loadRulePack(name);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    return loaded.value;
  })();

  it("expects the insurer to receive exactly the pack's acts (nothing when it bills none)", () => {
    expect([...p.billing.acts].sort()).toEqual(pack.acts.map((a) => a.code).sort());
    if (pack.acts.length === 0) expect(expectedBilling(p)).toBe('no claim, nothing sent');
  });

  it('plays a request over the yearly limit exactly when the pack has one, after the places below it', () => {
    const over = p.refusedCases.filter((c) => c.expected === 'POLICY_QUOTA_EXCEEDED');
    if (!pack.quota) {
      expect(over).toEqual([]);
      return;
    }
    expect(over).toHaveLength(1);
    // the round trip's request and the cases before this one take the places up to the limit
    const before = p.refusedCases.slice(0, p.refusedCases.indexOf(over[0]!)).filter((c) => c.from === p.requester.name && c.patient === 'main');
    expect(1 + before.reduce((n, c) => n + c.questions.length, 0)).toBe(pack.quota.limit);
  });

  it('plays an ineligible pair and an unknown signer, every case sent by someone of the programme', () => {
    expect(p.refusedCases.some((c) => c.expected.split(', ').includes('POLICY_PAIR_NOT_ELIGIBLE'))).toBe(true);
    expect(p.refusedCases.some((c) => c.from === p.outsider.name && c.expected === 'SMIME_UNTRUSTED_SIGNER')).toBe(true);
    const names = new Set([...demoPeople(p).map((x) => x.name), p.outsider.name]);
    for (const c of p.refusedCases) expect(names, c.name).toContain(c.from);
    expect(pack.routing.pools[p.pool], 'the pool asked is one of the pack').toBeDefined();
  });

  it.each([
    ['main', false],
    ['other', true],
  ] as const)('writes forms the parser reads without a problem (patient %s, urgent %s), the patient named by the identifier the pack country uses', (patient, urgent) => {
    const text = p.buildForm({ patient: p.patients[patient], question: p.request.question, at: new Date(), urgent });
    const parsed = parseForm(text, { from: p.requester.address, to: `${p.pool}@txgate.localhost` });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value.patient.identifiers.map((i) => i.system)).toEqual([PATIENT_SYSTEM[name]]);
    expect(parsed.value.consent).toMatchObject({ granted: true });
    expect(parsed.value.priority).toBe(urgent ? 'urgent' : 'routine');
  });

  it('writes a directory CSV that is imported whole', () => {
    const read = parseDirectoryCsv(buildDirectoryCsv(p));
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    expect(read.value.problems).toEqual([]);
    expect(read.value.entries).toHaveLength(demoPeople(p).length);
  });

  it.skipIf(!p.fhir)("has its FHIR requester's Bundle read without a problem and admitted to the pool, billing the acts the scene expects", () => {
    const fhir = p.fhir!;
    const entry = readDirectoryEntry(fhir.requester);
    if (!entry.ok) throw new Error(JSON.stringify(entry.problems));
    const specialty = codingsOfSpecialty(pack, pack.routing.pools[p.pool]!)[0]!;
    const at = new Date();
    const bundle = buildDemoFhirRequest({ request: fhir, requester: entry.value, specialty, at });
    expect(validateFhirResource(bundle)).toEqual([]);
    const parsed = parseFhirRequest(Buffer.from(JSON.stringify(bundle)));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value.patient.identifiers.map((i) => i.system)).toEqual([PATIENT_SYSTEM[name]]);
    expect(parsed.value.requester.address).toBe(fhir.requester.address);
    expect(parsed.value.attachments.map((a) => a.name)).toEqual([fhir.attachment.name]);
    // her patient is not the round trip's: the yearly places played by the refused cases stay theirs
    expect(fhir.patient.identifier).not.toBe(p.patients.main.identifier);
    const request = withRequestedSide(parsed.value, pack, () => false);
    const verdict = decideRequest(request, pack, { at, requester: toPractitionerFacts({ specialties: [], ...entry.value }), quotaUsed: 0 });
    expect(verdict.reasons).toEqual([]);
    expect(verdict.acts.map((a) => a.code).sort()).toEqual([...fhir.acts].sort());
  });
});

describe('the FHIR scene', () => {
  it('plays one passing step that says so for a programme without a FHIR requester', async () => {
    const lines: string[] = [];
    const { steps, step } = createStepRecorder((l) => lines.push(l));
    const { fhir: _none, ...programme } = DEMO_PROGRAMMES['br-telessaude']!;
    const pack = loadRulePack('br-telessaude');
    if (!pack.ok) throw new Error('no pack');
    await playFhirRequest({ programme, pack: pack.value, step, log: (l: string) => lines.push(l) } as unknown as DemoContext);
    expect(steps).toMatchObject([{ ok: true, got: NO_FHIR_REQUESTER }]);
    expect(steps[0]!.name).toContain('no FHIR requester');
  });

  it('expects each act of a request complete, or nothing sent', () => {
    expect(expectedClaims(['TE2', 'RQD'])).toBe('RQD complete, TE2 complete');
    expect(expectedClaims([])).toBe('no claim, nothing sent');
  });
});

describe('the synthetic identifiers', () => {
  it('are valid INS/NIR (any well-formed body: sex, year, month, place, order), CNS and CPF', () => {
    fc.assert(fc.property(fc.stringMatching(/^[12]\d{2}(0[1-9]|1[0-2])\d{8}$/), (body) => checkNir(nirWithKey(body)) === undefined));
    fc.assert(
      fc.property(fc.stringMatching(/^[789]\d{13}$/), (body) => {
        let cns: string;
        try {
          cns = cnsWithCheckDigit(body);
        } catch {
          return true; // no digit fits this body (the check would be 10): refused, never a wrong number
        }
        return checkCns(cns) === undefined;
      }),
    );
    fc.assert(fc.property(fc.stringMatching(/^\d{9}$/), (body) => checkCpf(cpfWithCheckDigits(body)) === undefined || /^(\d)\1{8}$/.test(body)));
  });
});

describe('txgate demo --pack', () => {
  it('chooses the programme of a shipped pack name', () => {
    const chosen = chooseDemoProgramme('br-telessaude');
    expect(chosen.ok && chosen.value.programme.pack).toBe('br-telessaude');
    expect(chosen.ok && chosen.value.policyPack).toBe('br-telessaude');
  });

  it('refuses a pack the demo has no people for (exit 2, naming the programmes it plays)', async () => {
    await expect(runCommand(demoCommand, ['--pack', 'generic'])).rejects.toThrow(UsageError);
    await expect(runCommand(demoCommand, ['--pack', 'generic'])).rejects.toThrow(/fr-teleexpertise, br-telessaude/);
    await expect(runCommand(demoCommand, ['--pack', 'no-such-pack'])).rejects.toThrow(UsageError);
  });
});
