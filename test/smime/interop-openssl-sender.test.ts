/**
 * OpenSSL as the independent sender: every message it produces over the matrix
 * (cipher × key transport × signature scheme × detached/opaque) opens with txgate.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openMessage } from '../../src/smime/open-message.ts';
import { CA_FILE, gatewayKey, party, sampleInner, testTrust } from '../helpers/test-pki.ts';

function openssl(args: string[], input: Buffer): Buffer {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
}

const doctor = party('doctor');
const gateway = party('gateway');
const keys = [gatewayKey()];
const trust = testTrust();
const AT = new Date('2026-06-01T00:00:00Z');

interface Combo {
  cipher: string;
  keyTransport: 'rsa-pkcs1' | 'rsa-oaep-sha1' | 'rsa-oaep-sha256';
  scheme: 'rsa-pkcs1' | 'rsa-pss';
  digest: 'sha256' | 'sha384' | 'sha512';
  opaque: boolean;
}

/** Signs (Direct-wrapped) and encrypts with the openssl CLI, as a HISP built on OpenSSL would. */
export function sealWithOpenssl(inner: Buffer, c: Combo, signer = doctor, recipientCert = gateway.certFile): Buffer {
  const wrapped = Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n'), inner]);
  const signArgs = ['cms', '-sign', '-binary', '-signer', signer.certFile, '-inkey', signer.keyFile, '-md', c.digest];
  if (c.scheme === 'rsa-pss') signArgs.push('-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:digest');
  if (c.opaque) signArgs.push('-nodetach');
  const signed = openssl(signArgs, wrapped);
  const encArgs = ['cms', '-encrypt', '-binary', `-${c.cipher}`, '-from', signer.cert.sanEmails[0]!, '-to', 'gateway@txgate.localhost', '-subject', 'Demande', '-recip', recipientCert];
  if (c.keyTransport !== 'rsa-pkcs1') encArgs.push('-keyopt', 'rsa_padding_mode:oaep', '-keyopt', `rsa_oaep_md:${c.keyTransport === 'rsa-oaep-sha256' ? 'sha256' : 'sha1'}`);
  return openssl(encArgs, signed);
}

const combos: Combo[] = [];
for (const cipher of ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-256-gcm']) {
  for (const keyTransport of ['rsa-pkcs1', 'rsa-oaep-sha1', 'rsa-oaep-sha256'] as const) {
    for (const scheme of ['rsa-pkcs1', 'rsa-pss'] as const) {
      for (const opaque of [false, true]) combos.push({ cipher, keyTransport, scheme, digest: 'sha256', opaque });
    }
  }
}
for (const digest of ['sha384', 'sha512'] as const) {
  for (const scheme of ['rsa-pkcs1', 'rsa-pss'] as const) combos.push({ cipher: 'aes-256-cbc', keyTransport: 'rsa-oaep-sha256', scheme, digest, opaque: false });
}

describe('messages sealed by the openssl CLI open with txgate', () => {
  it.each(combos)('$cipher / $keyTransport / $scheme-$digest / opaque=$opaque', (c) => {
    const inner = sampleInner();
    const message = sealWithOpenssl(inner, c);
    const r = openMessage(message, { keys, trust, at: AT });
    expect(r.encryption.contentCipher).toBe(c.cipher);
    expect(r.encryption.keyTransport).toBe(c.keyTransport);
    expect(r.signature).toEqual({ digest: c.digest, algorithm: c.scheme });
    expect(r.signer.email).toBe('dr.martin@hopital-a.test');
    expect(r.wrapped).toBe(true);
    expect(r.content.equals(inner)).toBe(true);
  });

  it('opens the triple-wrapped form (signed, encrypted, signed again) and reports both signers', () => {
    const inner = sampleInner();
    const encrypted = sealWithOpenssl(inner, { cipher: 'aes-256-cbc', keyTransport: 'rsa-oaep-sha256', scheme: 'rsa-pkcs1', digest: 'sha256', opaque: false });
    // the outer signature covers the whole enveloped entity (its MIME headers and body)
    const text = encrypted.toString('latin1');
    const entityStart = text.search(/^(MIME-Version|Content-)/im);
    const entity = Buffer.from(text.slice(entityStart).replace(/^MIME-Version:[^\n]*\n/im, ''), 'latin1');
    const outer = openssl(['cms', '-sign', '-signer', doctor.certFile, '-inkey', doctor.keyFile, '-md', 'sha256', '-from', 'dr.martin@hopital-a.test', '-to', 'gateway@txgate.localhost', '-subject', 'Demande'], entity);
    const r = openMessage(outer, { keys, trust, at: AT });
    expect(r.tripleWrapped).toBe(true);
    expect(r.outerSigner?.email).toBe('dr.martin@hopital-a.test');
    expect(r.content.equals(inner)).toBe(true);
  });

  it('gives the same result from the CLI: txgate smime open, exit 0 and the JSON contract', async () => {
    const inner = sampleInner();
    const message = sealWithOpenssl(inner, { cipher: 'aes-128-gcm', keyTransport: 'rsa-oaep-sha256', scheme: 'rsa-pss', digest: 'sha256', opaque: true });
    const { BIN } = await import('../helpers/paths.ts');
    const r = spawnSync(process.execPath, [BIN, 'smime', 'open', '--key', gateway.keyFile, '--cert', gateway.certFile, '--trust', CA_FILE, '--at', AT.toISOString()], { input: message });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.toString());
    expect(out).toMatchObject({
      ok: true,
      signer: { email: 'dr.martin@hopital-a.test' },
      encryption: { contentCipher: 'aes-128-gcm', keyTransport: 'rsa-oaep-sha256' },
      signature: { digest: 'sha256', algorithm: 'rsa-pss' },
      wrapped: true,
      headers: { from: 'dr.martin@hopital-a.test', to: ['gateway@txgate.localhost'] },
    });
    expect(Buffer.from(out.content, 'base64').equals(inner)).toBe(true);
  });
});
