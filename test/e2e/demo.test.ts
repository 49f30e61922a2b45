/** `npm start` (txgate demo): the real binary runs the whole loop on loopback and every step happens as expected. */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTxgate } from '../helpers/run-txgate.ts';

interface DemoJson {
  ok: boolean;
  steps: { name: string; expected: string; got: string; ok: boolean }[];
  workspace: string;
  database: string;
  mailboxes: string;
}

describe('txgate demo', () => {
  it('runs the loop by secure mail, the claims to the insurer and the refused cases, exits 0 with every step as expected', async () => {
    const r = await runTxgate(['demo', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as DemoJson;
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.got)).toEqual(
      expect.arrayContaining(['routed', 'accepted', 'answered', 'received', 'RQD complete, TE2 complete', 'POLICY_QUOTA_EXCEEDED', 'POLICY_PAIR_NOT_ELIGIBLE', 'SMIME_UNTRUSTED_SIGNER']),
    );
    expect(existsSync(result.database)).toBe(true);
    // the mails the peers received are there to look at
    expect(readdirSync(result.mailboxes).sort()).toEqual(expect.arrayContaining(['cardio.durand@chu-b.test', 'dr.leroy@chu-b.test', 'dr.martin@hopital-a.test']));
  }, 60_000);

  it('--smime shows the S/MIME engine alone', async () => {
    const r = await runTxgate(['demo', '--smime', '--json']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as DemoJson).ok).toBe(true);
  }, 60_000);
});
