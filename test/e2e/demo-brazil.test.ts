/**
 * `txgate demo --pack br-telessaude`: the real binary plays the Brazilian programme on loopback (Portuguese form,
 * CNS patients, CBO professions, councils and municipalities in the directory, nothing billed) and every step
 * happens as expected; the GP's request by mail and the nurse's by FHIR are admitted under br-telessaude.
 */
import { describe, expect, it } from 'vitest';
import { IDENTIFIER_SYSTEMS } from '../../src/domain/canonical-request.ts';
import { listClaims } from '../../src/store/claims.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { listRequests } from '../../src/store/requests.ts';
import type { GatewayDemoJson } from '../../src/demo/run-gateway-demo.ts';
import { runTxgate } from '../helpers/run-txgate.ts';

type DemoJson = GatewayDemoJson;

describe('txgate demo --pack br-telessaude', () => {
  it("plays the Telessaúde teleconsultoria: every step as expected, the GP's request by mail and the nurse's by FHIR admitted under br-telessaude, no claim, the refused cases with their codes", async () => {
    const r = await runTxgate(['demo', '--pack', 'br-telessaude', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as DemoJson;
    expect(result.pack).toBe('br-telessaude');
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.got)).toEqual([
      'done',
      'listening',
      'routed',
      'signed by the gateway',
      'accepted',
      'told',
      'answered',
      'received',
      'no claim, nothing sent',
      // the nurse (enfermeira, of the pack's primary-care team) asks by FHIR
      'CapabilityStatement, FHIR 4.0.1',
      '201 Created: Task requested',
      'received, owned by a cardiologist',
      'signed by the gateway',
      'accepted',
      'answered',
      'completed; the opinion, signed by the gateway',
      'no claim, nothing sent',
      'POLICY_URGENT_NOT_ALLOWED',
      'POLICY_PAIR_NOT_ELIGIBLE, POLICY_REQUESTER_NOT_ELIGIBLE',
      'POLICY_REQUESTER_NOT_ELIGIBLE',
      'SMIME_UNTRUSTED_SIGNER',
    ]);
    expect(result.ok).toBe(true);

    const db = openDatabase(result.database);
    try {
      const requests = listRequests(db);
      const answered = requests.filter((q) => q.state === 'answered');
      expect(answered).toHaveLength(2);
      const read = answered.map(
        (q) =>
          q as unknown as {
            verdict: { admitted: boolean; pack: { name: string }; language: string; acts: unknown[] };
            canonical: { request: { dialect: string; patient: { identifiers: { system: string }[] } } };
          },
      );
      for (const { verdict, canonical } of read) {
        expect(verdict).toMatchObject({ admitted: true, pack: { name: 'br-telessaude' }, language: 'pt-BR', acts: [] });
        expect(canonical.request.patient.identifiers.map((i) => i.system)).toEqual([IDENTIFIER_SYSTEMS.CNS]);
      }
      // the Portuguese form and the nurse's FHIR Bundle, each patient named by CNS
      expect(read.map((q) => q.canonical.request.dialect).sort()).toEqual(['fhir', 'form']);
      expect(requests.filter((q) => q.state === 'refused').map((q) => q.refusalCodes.join(',')).sort()).toEqual([
        'POLICY_PAIR_NOT_ELIGIBLE,POLICY_REQUESTER_NOT_ELIGIBLE',
        'POLICY_REQUESTER_NOT_ELIGIBLE',
        'POLICY_URGENT_NOT_ALLOWED',
      ]);
      // the pack bills nothing: no claim written
      expect(listClaims(db)).toEqual([]);
    } finally {
      db.close();
    }
  }, 60_000);
});
