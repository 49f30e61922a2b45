/**
 * `npm start` (txgate demo): the real binary runs the whole loop on loopback and every step happens as expected:
 * the round trip by secure mail, the nurse's request by FHIR (metadata, the signed Bundle POSTed, her Task routed,
 * the cardiologist's answer by secure mail, the Task completed and the opinion Bundle signed by the gateway, the
 * claims of her request), the claims to the insurer and the refused cases.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listClaims } from '../../src/store/claims.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { listRequests } from '../../src/store/requests.ts';
import type { GatewayDemoJson } from '../../src/demo/run-gateway-demo.ts';
import { runTxgate } from '../helpers/run-txgate.ts';

type DemoJson = GatewayDemoJson;

/** What the FHIR scene's steps read, in order, for the French programme. */
const FHIR_SCENE = [
  'CapabilityStatement, FHIR 4.0.1',
  '201 Created: Task requested',
  'received, owned by a cardiologist',
  'signed by the gateway',
  'accepted',
  'answered',
  'completed; the opinion, signed by the gateway',
  'RQD complete, TE2 complete',
];

describe('txgate demo', () => {
  it('runs the loop by secure mail, the request by FHIR, the claims to the insurer and the refused cases, exits 0 with every step as expected', async () => {
    const r = await runTxgate(['demo', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as DemoJson;
    expect(result.pack).toBe('fr-teleexpertise');
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.got)).toEqual(
      expect.arrayContaining(['routed', 'accepted', 'answered', 'received', 'RQD complete, TE2 complete', 'POLICY_QUOTA_EXCEEDED', 'POLICY_PAIR_NOT_ELIGIBLE', 'SMIME_UNTRUSTED_SIGNER']),
    );

    // the FHIR scene happened, step by step, over the FHIR API the demo started on a free loopback port
    expect(result.fhirBaseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const first = result.steps.findIndex((s) => s.name.includes('GET /fhir/metadata'));
    expect(first, 'no FHIR scene').toBeGreaterThan(0);
    const scene = result.steps.slice(first, first + FHIR_SCENE.length);
    expect(scene.map((s) => s.got)).toEqual(FHIR_SCENE);
    expect(scene.every((s) => s.ok)).toBe(true);
    expect(scene[1]!.name).toMatch(/signs her request Bundle and POSTs it/);
    expect(scene[3]!.name).toMatch(/mailbox/);
    expect(scene[4]!.name).toMatch(/accepts by secure mail/);
    expect(scene[6]!.name).toMatch(/reads her Task and the opinion Bundle/);

    expect(existsSync(result.database)).toBe(true);
    const db = openDatabase(result.database);
    try {
      // her request: made by FHIR, answered, and billed TE2 and RQD like the GP's (4 claims in all)
      const answered = listRequests(db).filter((q) => q.state === 'answered');
      const dialects = answered.map((q) => (q.canonical as { request: { dialect: string; channel: string } }).request);
      expect(dialects).toEqual(expect.arrayContaining([expect.objectContaining({ dialect: 'form', channel: 'smtp' }), expect.objectContaining({ dialect: 'fhir', channel: 'fhir' })]));
      expect(answered).toHaveLength(2);
      const claims = listClaims(db);
      expect(claims.map((c) => `${c.actCode} ${c.state} ${c.outcome}`).sort()).toEqual(['RQD submitted complete', 'RQD submitted complete', 'TE2 submitted complete', 'TE2 submitted complete']);
      expect(new Set(claims.map((c) => c.request))).toEqual(new Set(answered.map((q) => q.id)));
    } finally {
      db.close();
    }
    // the mails the peers received are there to look at; the nurse, who asked by FHIR, received none
    const mailboxes = readdirSync(result.mailboxes).sort();
    expect(mailboxes).toEqual(expect.arrayContaining(['cardio.durand@chu-b.test', 'dr.leroy@chu-b.test', 'dr.martin@hopital-a.test']));
    expect(mailboxes).not.toContain('sophie.bernard@cabinet-infirmier-du-parc.test');
  }, 60_000);

  it('--smime shows the S/MIME engine alone', async () => {
    const r = await runTxgate(['demo', '--smime', '--json']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as DemoJson).ok).toBe(true);
  }, 60_000);
});
