import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';

const BIN = fileURLToPath(new URL('../../bin/txgate', import.meta.url));

let dir: string;
const file = (name: string) => join(dir, name);

function openssl(args: string[], input?: Buffer): Buffer {
  const r = spawnSync('openssl', args, { cwd: dir, ...(input ? { input } : {}), maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

function issue(name: string, issuer: string, bits: number, ext: string): void {
  writeFileSync(file(`${name}.ext`), ext);
  openssl(['req', '-new', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '30', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'txgate-seal-cli-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  issue('sub', 'ca', 2048, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const mail = (addr: string, ku: string) => `subjectAltName=email:${addr}\nextendedKeyUsage=emailProtection\nkeyUsage=critical,${ku}\n`;
  issue('signer', 'sub', 2048, mail('dr.a@hopital-a.test', 'digitalSignature'));
  issue('recipient', 'ca', 2048, mail('dr.b@clinique-b.test', 'keyEncipherment'));
  issue('weak', 'ca', 1024, mail('old@clinique-b.test', 'keyEncipherment'));
  // the signer's key also as PKCS#1 ("BEGIN RSA PRIVATE KEY")
  execFileSync('openssl', ['rsa', '-in', 'signer.key', '-traditional', '-out', 'signer.pkcs1.key'], { cwd: dir, stdio: 'ignore' });
  writeFileSync(file('inner.eml'), INNER);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const INNER = Buffer.from(
  'From: Dr A <dr.a@hopital-a.test>\nTo: dr.b@clinique-b.test\nSubject: Avis\nDate: Tue, 03 Mar 2026 10:00:00 +0100\nMessage-ID: <cli-1@hopital-a.test>\nX-Case: 42\nContent-Type: text/plain; charset=utf-8\n\nBonjour\n',
);
const CRLF_INNER = Buffer.from(INNER.toString().replace(/\n/g, '\r\n'));

async function seal(args: string[], input: Buffer = INNER): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli(['smime', 'seal', ...args], { stdin: Readable.from([input]), stdout, stderr });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

const signer = () => ['--sign-key', file('signer.key'), '--sign-cert', file('signer.crt'), '--chain', file('sub.crt')];

function open(message: Buffer): Buffer {
  const decrypted = openssl(['cms', '-decrypt', '-recip', 'recipient.crt', '-inkey', 'recipient.key'], message);
  return openssl(['cms', '-verify', '-CAfile', 'ca.crt'], decrypted);
}

describe('txgate smime seal', () => {
  it('writes a Direct-wrapped, signed and AES-256-CBC / RSA-OAEP-SHA-256 encrypted message that OpenSSL opens', async () => {
    const r = await seal([...signer(), '--to', file('recipient.crt')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const text = r.stdout.toString('latin1');
    expect(text).toMatch(/^From: Dr A <dr\.a@hopital-a\.test>\r\nTo: dr\.b@clinique-b\.test\r\n/);
    expect(text).toContain('MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n');
    expect(open(r.stdout).equals(Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), CRLF_INNER]))).toBe(true);
    const printed = openssl(['cms', '-cmsout', '-print', '-noout'], r.stdout).toString();
    expect(printed).toContain('aes-256-cbc');
    expect(printed).toContain('rsaesOaep');
  });

  it('honours --cipher, --key-transport, --pss, --opaque and --no-wrap, and reads a PKCS#1 key', async () => {
    const r = await seal([
      '--sign-key', file('signer.pkcs1.key'), '--sign-cert', file('signer.crt'), '--chain', file('sub.crt'), '--to', file('recipient.crt'),
      '--cipher', 'aes-128-gcm', '--key-transport', 'rsa-pkcs1', '--pss', '--opaque', '--no-wrap',
    ]);
    expect(r.code).toBe(0);
    const text = r.stdout.toString('latin1');
    expect(text).toContain('X-Case: 42\r\n');
    expect(text).toContain('smime-type=authEnveloped-data');
    const decrypted = openssl(['cms', '-decrypt', '-recip', 'recipient.crt', '-inkey', 'recipient.key'], r.stdout);
    expect(decrypted.toString('latin1')).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=signed-data/);
    expect(openssl(['cms', '-cmsout', '-print', '-noout'], decrypted).toString()).toContain('algorithm: rsassaPss');
    const signed = openssl(['cms', '-verify', '-CAfile', 'ca.crt'], decrypted);
    expect(signed.toString()).toBe('Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n');
  });

  it('takes chain certificates that follow the signer in --sign-cert', async () => {
    writeFileSync(file('signer-bundle.crt'), readFileSync(file('signer.crt'), 'latin1') + readFileSync(file('sub.crt'), 'latin1'));
    const r = await seal(['--sign-key', file('signer.key'), '--sign-cert', file('signer-bundle.crt'), '--to', file('recipient.crt')]);
    expect(r.code).toBe(0);
    expect(open(r.stdout).subarray(0, 28).toString()).toBe('Content-Type: message/rfc822');
  });

  it('refuses a recipient key under 2048 bits: exit 1, JSON on stderr, nothing on stdout', async () => {
    const r = await seal([...signer(), '--to', file('recipient.crt'), '--to', file('weak.crt')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toHaveLength(0);
    expect(JSON.parse(r.stderr)).toEqual({ ok: false, code: 'SMIME_WEAK_ALGORITHM', message: expect.any(String) });
  });

  it('refuses standard input that is not an RFC 5322 message: exit 1, MIME_MALFORMED', async () => {
    const r = await seal([...signer(), '--to', file('recipient.crt')], Buffer.from('just some text\n'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ ok: false, code: 'MIME_MALFORMED' });
  });

  it.each([
    ['an unknown cipher', () => [...signer(), '--to', file('recipient.crt'), '--cipher', 'des-ede3-cbc']],
    ['an unknown key transport', () => [...signer(), '--to', file('recipient.crt'), '--key-transport', 'rsa-oaep-sha512']],
    ['a missing recipient file', () => [...signer(), '--to', '/nonexistent/r.pem']],
    ['a recipient file without a certificate', () => [...signer(), '--to', file('signer.key')]],
    ['a signing key that is not the certificate’s', () => ['--sign-key', file('recipient.key'), '--sign-cert', file('signer.crt'), '--to', file('recipient.crt')]],
    ['an unknown option', () => [...signer(), '--to', file('recipient.crt'), '--triple']],
  ])('exits 2 on a usage error: %s', async (_what, args) => {
    const r = await seal(args());
    expect(r.code).toBe(2);
    expect(r.stdout).toHaveLength(0);
    expect(r.stderr).toContain('txgate smime seal:');
  });

  it('exits 2 without --to', async () => {
    const r = await seal(signer());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to');
  });

  it('runs as a process: stdin to stdout, exit 0', () => {
    const r = spawnSync(process.execPath, [BIN, 'smime', 'seal', ...signer(), '--to', file('recipient.crt'), '--cipher', 'aes-256-gcm'], { input: INNER });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(open(r.stdout).subarray(28).equals(Buffer.concat([Buffer.from('\r\n\r\n'), CRLF_INNER]))).toBe(true);
  });
});
