import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, pemBlocks } from '../../src/pki/certificate.ts';
import { CRL_PEM_LABEL, parseCrl } from '../../src/pki/crl.ts';
import { importPkcs12 } from '../../src/pki/pkcs12.ts';
import { BIN, ROOT } from '../helpers/paths.ts';
import { openssl, tempDir } from './run-openssl.ts';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function txgate(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cert(file: string) {
  return parseCertificate(pemBlocks(readFileSync(file, 'latin1'))[0]!);
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

let dir: string;
let caCert: string;
let caKey: string;

beforeAll(() => {
  dir = tempDir('txgate-certs-cli-');
  const r = txgate('certs', 'init-ca', '--out', join(dir, 'ca'), '--name', 'CLI Test Root', '--org', 'Hopital A', '--days', '365', '--bits', '2048');
  expect(r.status, r.stderr).toBe(0);
  caCert = join(dir, 'ca', 'ca.crt.pem');
  caKey = join(dir, 'ca', 'ca.key.pem');
});

describe('txgate certs: help and usage errors', () => {
  it('prints help with the options and exits 0', () => {
    const r = txgate('certs', 'issue', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: txgate certs issue');
    expect(r.stdout).toContain('--email ADDR');
    expect(r.stdout).toContain('--tls-server');
    const group = txgate('certs', '--help');
    expect(group.status).toBe(0);
    for (const c of ['init-ca', 'issue', 'p12-export', 'p12-import', 'revoke', 'test-pki']) expect(group.stdout).toContain(`certs ${c}`);
  });

  it('exits 2 on usage errors: a missing option, both --email and --domain, a bad number', () => {
    const missing = txgate('certs', 'revoke', '--ca-cert', caCert);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('missing required option');
    const both = txgate('certs', 'issue', '--ca-cert', caCert, '--ca-key', caKey, '--out-cert', 'x', '--out-key', 'y', '--email', 'a@b.test', '--domain', 'b.test');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('exactly one of --email and --domain');
    const days = txgate('certs', 'init-ca', '--out', join(dir, 'never'), '--days', 'ten');
    expect(days.status).toBe(2);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe('txgate certs init-ca', () => {
  it('writes a self-signed CA and a 0600 PKCS#8 key', () => {
    const c = cert(caCert);
    expect(c.subject).toBe('O=Hopital A, CN=CLI Test Root');
    expect(c.basicConstraints?.ca).toBe(true);
    expect(Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / 86_400_000)).toBe(365);
    expect(readFileSync(caKey, 'latin1')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(mode(caKey)).toBe(0o600);
    expect(openssl(['verify', '-CAfile', caCert, caCert]).status).toBe(0);
  });

  it('keeps an existing CA: exit 1 with a one-line message', () => {
    const r = txgate('certs', 'init-ca', '--out', join(dir, 'ca'), '--bits', '2048');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--force');
  });
});

describe('txgate certs issue', () => {
  it('issues a gateway certificate with TLS usages and a PKCS#12 file', () => {
    const out = { cert: join(dir, 'gw.crt.pem'), key: join(dir, 'gw.key.pem'), p12: join(dir, 'gw.p12') };
    const r = txgate(
      'certs', 'issue', '--ca-cert', caCert, '--ca-key', caKey, '--out-cert', out.cert, '--out-key', out.key,
      '--email', 'gateway@txgate.localhost', '--tls-server', '--tls-client', '--dns', 'txgate.localhost', '--dns', 'localhost',
      '--days', '30', '--p12', out.p12, '--password', 'pw',
    );
    expect(r.status, r.stderr).toBe(0);
    const c = cert(out.cert);
    expect(c.sanEmails).toEqual(['gateway@txgate.localhost']);
    expect(c.sanDns).toEqual(['txgate.localhost', 'localhost']);
    expect(c.subject).toBe('CN=gateway@txgate.localhost');
    expect(mode(out.key)).toBe(0o600);
    for (const purpose of ['smimesign', 'smimeencrypt', 'sslserver', 'sslclient']) {
      expect(openssl(['verify', '-CAfile', caCert, '-purpose', purpose, out.cert]).status, purpose).toBe(0);
    }
    const text = openssl(['x509', '-in', out.cert, '-noout', '-text']).stdout;
    expect(text).toMatch(/E-mail Protection, TLS Web Server Authentication, TLS Web Client Authentication/);
    const p12 = importPkcs12(readFileSync(out.p12), 'pw');
    expect(p12.cert.equals(c.der)).toBe(true);
    expect(p12.chain[0]!.equals(cert(caCert).der)).toBe(true);
    expect(openssl(['pkcs12', '-info', '-nodes', '-in', out.p12, '-passin', 'pass:pw']).status).toBe(0);
  });

  it('issues a domain-bound certificate', () => {
    const out = { cert: join(dir, 'dom.crt.pem'), key: join(dir, 'dom.key.pem') };
    const r = txgate('certs', 'issue', '--ca-cert', caCert, '--ca-key', caKey, '--out-cert', out.cert, '--out-key', out.key, '--domain', 'hopital-a.test', '--org', 'Hopital A');
    expect(r.status, r.stderr).toBe(0);
    const c = cert(out.cert);
    expect(c.sanDns).toEqual(['hopital-a.test']);
    expect(c.sanEmails).toEqual([]);
    expect(c.subject).toBe('O=Hopital A, CN=hopital-a.test');
    expect(openssl(['verify', '-CAfile', caCert, '-purpose', 'smimesign', out.cert]).status).toBe(0);
  });

  it('fails with exit 1 when the CA key is not the CA certificate’s', () => {
    const otherKey = join(dir, 'gw.key.pem');
    const r = txgate('certs', 'issue', '--ca-cert', caCert, '--ca-key', otherKey, '--out-cert', join(dir, 'n.pem'), '--out-key', join(dir, 'n.key'), '--email', 'a@b.test');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^txgate certs issue: .*is not the key of.*\n$/);
    expect(existsSync(join(dir, 'n.pem'))).toBe(false);
  });
});

describe('txgate certs p12-export and p12-import', () => {
  it('round-trips a key, its certificate and the chain', () => {
    const p12 = join(dir, 'export.p12');
    const exp = txgate('certs', 'p12-export', '--key', join(dir, 'dom.key.pem'), '--cert', join(dir, 'dom.crt.pem'), '--chain', caCert, '--password', 'pw2', '--name', 'Hopital A', '--out', p12);
    expect(exp.status, exp.stderr).toBe(0);
    expect(mode(p12)).toBe(0o600);
    const out = { key: join(dir, 'imp.key.pem'), cert: join(dir, 'imp.crt.pem'), chain: join(dir, 'imp.chain.pem') };
    const imp = txgate('certs', 'p12-import', '--in', p12, '--password', 'pw2', '--out-key', out.key, '--out-cert', out.cert, '--out-chain', out.chain);
    expect(imp.status, imp.stderr).toBe(0);
    expect(readFileSync(out.key, 'latin1')).toBe(readFileSync(join(dir, 'dom.key.pem'), 'latin1'));
    expect(readFileSync(out.cert, 'latin1')).toBe(readFileSync(join(dir, 'dom.crt.pem'), 'latin1'));
    expect(readFileSync(out.chain, 'latin1')).toBe(readFileSync(caCert, 'latin1'));
    expect(mode(out.key)).toBe(0o600);

    const wrong = txgate('certs', 'p12-import', '--in', p12, '--password', 'nope', '--out-key', join(dir, 'w.key'), '--out-cert', join(dir, 'w.pem'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('wrong password');
  });
});

describe('txgate certs revoke', () => {
  it('writes a CRL, then adds serials to it with the CRL number incremented', () => {
    const gw = cert(join(dir, 'gw.crt.pem'));
    const dom = cert(join(dir, 'dom.crt.pem'));
    const first = join(dir, 'crl1.pem');
    const r1 = txgate('certs', 'revoke', '--ca-cert', caCert, '--ca-key', caKey, '--serial', gw.serialHex.toLowerCase(), '--out', first);
    expect(r1.status, r1.stderr).toBe(0);
    const crl1 = parseCrl(pemBlocks(readFileSync(first, 'latin1'), [CRL_PEM_LABEL])[0]!);
    expect(crl1.crlNumber).toBe(1n);
    expect([...crl1.revoked]).toEqual([gw.serialHex]);
    const check = openssl(['verify', '-crl_check', '-CRLfile', first, '-CAfile', caCert, join(dir, 'gw.crt.pem')]);
    expect(check.out).toContain('certificate revoked');

    const second = join(dir, 'crl2.pem');
    const r2 = txgate('certs', 'revoke', '--ca-cert', caCert, '--ca-key', caKey, '--crl', first, '--serial', dom.serialHex, '--serial', gw.serialHex, '--out', second, '--days', '7');
    expect(r2.status, r2.stderr).toBe(0);
    const crl2 = parseCrl(pemBlocks(readFileSync(second, 'latin1'), [CRL_PEM_LABEL])[0]!);
    expect(crl2.crlNumber).toBe(2n);
    expect([...crl2.revoked].sort()).toEqual([gw.serialHex, dom.serialHex].sort());
    expect(crl2.entries[0]!.revocationDate).toEqual(crl1.entries[0]!.revocationDate);
    expect(openssl(['crl', '-in', second, '-CAfile', caCert, '-noout']).out).toContain('verify OK');
  });

  it('refuses a serial that is not hex (exit 2) and a CRL of another CA (exit 1)', () => {
    expect(txgate('certs', 'revoke', '--ca-cert', caCert, '--ca-key', caKey, '--serial', 'zz', '--out', join(dir, 'x.pem')).status).toBe(2);
    const foreign = join(ROOT, 'certs', 'crl.pem');
    const r = txgate('certs', 'revoke', '--ca-cert', caCert, '--ca-key', caKey, '--crl', foreign, '--serial', '01', '--out', join(dir, 'x.pem'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not a CRL of');
  });
});

describe('txgate certs test-pki', () => {
  it('generates the whole test PKI, which openssl accepts', () => {
    const out = join(dir, 'pki');
    const r = txgate('certs', 'test-pki', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const names = readdirSync(out).sort();
    const committed = readdirSync(join(ROOT, 'certs')).filter((f) => f !== 'README.md').sort();
    expect(names).toEqual(committed);
    expect(mode(join(out, 'doctor.key.pem'))).toBe(0o600);
    expect(openssl(['verify', '-CAfile', join(out, 'ca.crt.pem'), '-purpose', 'smimesign', join(out, 'doctor.crt.pem')]).status).toBe(0);
    const revoked = openssl(['verify', '-crl_check', '-CRLfile', join(out, 'crl.pem'), '-CAfile', join(out, 'ca.crt.pem'), join(out, 'revoked.crt.pem')]);
    expect(revoked.out).toContain('certificate revoked');
  });
});
