import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { payloadParseCommand } from '../../src/cli/commands/payload-parse.ts';
import { CanonicalRequestSchema } from '../../src/domain/canonical-request.ts';
import { blobPath } from '../../src/payload/blob-store.ts';
import { sha256Hex } from '../../src/payload/mime/payload-document.ts';
import { BIN, FIXTURES } from '../helpers/paths.ts';
import { runCommand } from '../helpers/run-command.ts';
import { requestBundleBytes } from '../payload/fhir/request-bundle.ts';
import { SAMPLE_CDA, SAMPLE_PDF } from '../payload/xdm/sample-xdm.ts';

const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TXGATE_')));
const XDM = readFileSync(join(FIXTURES, 'xdm', 'IHE_XDM.ZIP'));

const base = mkdtempSync(join(tmpdir(), 'txgate-payload-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The real binary: exit codes and streams as a shell sees them (a few cases: each start loads tsx). */
function txgate(args: string[], input: Buffer | string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'payload', 'parse', ...args], { input, encoding: 'utf8', env: ENV });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(args: string[], input: Buffer | string): Promise<{ status: number; stdout: string }> {
  return runCommand(payloadParseCommand, args, input);
}

const FORM_MAIL = [
  'From: Dr Jean Martin <jean.martin@medecin.mssante.fr>',
  'To: cardiologie@chu.mssante.fr',
  'Subject: Avis',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Patient: DUPONT Marie',
  'Question: Palpitations, avis ?',
  '',
].join('\r\n');

describe('txgate payload parse', () => {
  it('prints the canonical request of a bare FHIR Bundle (channel fhir), exit 0', () => {
    const r = txgate([], requestBundleBytes());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const request = CanonicalRequestSchema.parse(JSON.parse(r.stdout));
    expect(request).toMatchObject({ dialect: 'fhir', channel: 'fhir', ids: { sender: { value: 'ret4421' } } });
  });

  it('reads an IHE_XDM.ZIP (auto and --dialect xdm) and stores its documents with --blobs', async () => {
    const blobs = join(base, 'blobs');
    for (const args of [[], ['--dialect', 'xdm', '--blobs', blobs]]) {
      const r = await run(args, XDM);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ dialect: 'xdm', channel: 'smtp' });
    }
    expect(readFileSync(blobPath(blobs, sha256Hex(SAMPLE_PDF))).equals(SAMPLE_PDF)).toBe(true);
    expect(readFileSync(blobPath(blobs, sha256Hex(SAMPLE_CDA))).equals(SAMPLE_CDA)).toBe(true);
  });

  it('reads a mail: the form, auto-detected as mime and with --dialect form; a bare form too', async () => {
    for (const args of [[], ['--dialect', 'mime'], ['--dialect', 'form']]) {
      const r = await run(args, FORM_MAIL);
      expect(r.status, args.join(' ')).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ dialect: 'form', channel: 'smtp', requester: { address: 'jean.martin@medecin.mssante.fr' }, question: 'Palpitations, avis ?' });
    }
    for (const args of [[], ['--dialect', 'form']]) {
      const bare = await run(args, 'Patient: DUPONT Marie\nQuestion: Avis ?\n');
      expect(bare.status).toBe(0);
      expect(JSON.parse(bare.stdout)).toMatchObject({ dialect: 'form', patient: { names: [{ family: 'DUPONT' }] } });
    }
  });

  it('prints the problems, exit 1', async () => {
    const r = txgate([], '{"resourceType":"Bundle","type":"transaction","entry":[]}');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, problems: [{ code: 'FHIR_MISSING', path: 'Bundle.entry', message: expect.any(String) }] });
    const none = await run([], FORM_MAIL.replace(/Patient:.*\r\nQuestion:.*\r\n/, 'Bonjour, un avis ?\r\n'));
    expect(none.status).toBe(1);
    expect(JSON.parse(none.stdout).problems[0].code).toBe('PAYLOAD_NONE');
    const unknown = await run([], 'just some words');
    expect(JSON.parse(unknown.stdout).problems[0].code).toBe('PAYLOAD_UNKNOWN');
  });

  it('exits 2 on a usage error and answers --help', () => {
    const bad = txgate(['--dialect', 'pdf'], '');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--dialect must be one of');
    const help = txgate(['--help'], '');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: txgate payload parse');
  });

  it('reads an HL7 v2 message through the HL7 v2 parser (src/payload/hl7v2), bare or in a mail', async () => {
    const omg = readFileSync(join(FIXTURES, 'hl7v2', '360x', 'OMG_O19_referral_request.hl7'));
    for (const args of [['--dialect', 'hl7v2'], []]) {
      const r = await run(args, omg);
      expect(r.status, r.stdout).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ dialect: 'hl7v2-360x', channel: 'smtp' });
    }
    const inMail = Buffer.concat([
      Buffer.from('From: a@b.mssante.fr\r\nTo: pool@c.mssante.fr\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nRequest attached\r\n--x\r\nContent-Type: application/hl7-v2\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
      Buffer.from(`${omg.toString('base64')}\r\n--x--\r\n`),
    ]);
    const m = await run([], inMail);
    expect(m.status, m.stdout).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ dialect: 'hl7v2-360x', channel: 'smtp', requested: { address: 'pool@c.mssante.fr' } });
  });
});
