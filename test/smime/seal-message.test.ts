import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, contentOf, octetsOf, oidOf, rawOf, readRoot, smallIntOf, type DerNode } from '../../src/asn1/der-reader.ts';
import { OID } from '../../src/asn1/oids.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { decodeBase64 } from '../../src/mime/decode-body.ts';
import { parseCertificates, type Certificate } from '../../src/pki/certificate.ts';
import { SEAL_CIPHERS, KEY_TRANSPORTS, type SignatureScheme } from '../../src/smime/algorithms.ts';
import { buildEnvelopedData } from '../../src/smime/build-enveloped-data.ts';
import { buildSignedData } from '../../src/smime/build-signed-data.ts';
import { encryptEntity, sealMessage, signEntity, splitInner, wrapInner, type SealOptions } from '../../src/smime/seal-message.ts';

/** A small PKI made with the openssl CLI: root CA → intermediate → signer; root → recipients. */
interface TestPki {
  dir: string;
  caFile: string;
  signerKey: KeyObject;
  signerCert: Certificate;
  intermediate: Certificate;
  recipient: { cert: Certificate; certFile: string; keyFile: string };
  second: { cert: Certificate; certFile: string; keyFile: string };
  weak: Certificate;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, issuer: string, bits: number, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', '-new', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=txgate test/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '30', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-seal-'));
  const caExt = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/O=txgate test/CN=Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  issue(dir, 'sub', 'ca', 2048, caExt);
  const mail = (addr: string, ku: string) => `subjectAltName=email:${addr}\nextendedKeyUsage=emailProtection\nkeyUsage=critical,${ku}\n`;
  issue(dir, 'signer', 'sub', 2048, mail('dr.a@hopital-a.test', 'digitalSignature,nonRepudiation'));
  issue(dir, 'recipient', 'ca', 2048, mail('dr.b@clinique-b.test', 'keyEncipherment'));
  issue(dir, 'second', 'ca', 3072, mail('dr.c@clinique-b.test', 'keyEncipherment'));
  issue(dir, 'weak', 'ca', 1024, mail('old@clinique-b.test', 'keyEncipherment'));
  const cert = (name: string) => parseCertificates(readFileSync(join(dir, `${name}.crt`)))[0]!;
  const party = (name: string) => ({ cert: cert(name), certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) });
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    signerKey: createPrivateKey(readFileSync(join(dir, 'signer.key'))),
    signerCert: cert('signer'),
    intermediate: cert('sub'),
    recipient: party('recipient'),
    second: party('second'),
    weak: cert('weak'),
  };
}

/** Runs openssl with stdin; throws with its stderr when it fails. */
function run(args: string[], input: Buffer): Buffer {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

function decryptWithOpenssl(message: Buffer, party: { certFile: string; keyFile: string }): Buffer {
  return run(['cms', '-decrypt', '-recip', party.certFile, '-inkey', party.keyFile], message);
}

function verifyWithOpenssl(entity: Buffer, caFile: string): Buffer {
  return run(['cms', '-verify', '-CAfile', caFile, '-purpose', 'smimesign'], entity);
}

const INNER = Buffer.from(
  'From: "Dr A" <dr.a@hopital-a.test>\n' +
    'To: dr.b@clinique-b.test\n' +
    'Cc: dr.c@clinique-b.test\n' +
    'Subject: =?utf-8?q?Demande_d=27avis?=\n' +
    'Date: Tue, 03 Mar 2026 10:00:00 +0100\n' +
    'Message-ID: <req-1@hopital-a.test>\n' +
    'Disposition-Notification-To: dr.a@hopital-a.test\n' +
    'X-Priority: 3\n' +
    'MIME-Version: 1.0\n' +
    'Content-Type: text/plain; charset=utf-8\n' +
    'Content-Transfer-Encoding: 8bit\n' +
    '\n' +
    'Patient: café au lait, 5 ans.\n' +
    'From here on, a line that starts with From.\n' +
    '-- \n' +
    'Dr A\n',
);
const CRLF_INNER = Buffer.from(INNER.toString('utf8').replace(/\n/g, '\r\n'), 'utf8');
const WRAP_HEAD = Buffer.from('Content-Type: message/rfc822\r\n\r\n');
const NOW = new Date('2026-03-03T09:00:00Z');

function headersOf(message: Buffer): string {
  const text = message.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n') + 2);
}

function bodyOf(entity: Buffer): Buffer {
  return entity.subarray(entity.indexOf('\r\n\r\n') + 4);
}

/** The DER inside an application/pkcs7-mime entity. */
function derOf(entity: Buffer): Buffer {
  return decodeBase64(bodyOf(entity));
}

/** [contentType, content] of a ContentInfo. */
function contentInfo(der: Buffer): [string, DerNode] {
  const [type, wrapped] = childrenOf(readRoot(der));
  return [oidOf(type!), childrenOf(wrapped!)[0]!];
}

let pki: TestPki;
let base: SealOptions;

beforeAll(() => {
  pki = makePki();
  base = { signerKey: pki.signerKey, signerCert: pki.signerCert, chain: [pki.intermediate], recipients: [pki.recipient.cert], now: NOW };
});

afterAll(() => {
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

describe('sealMessage opens with OpenSSL for every cipher, key transport, signature scheme and signature form', () => {
  const schemes: SignatureScheme[] = ['rsa-pkcs1', 'rsa-pss'];
  const combos = SEAL_CIPHERS.flatMap((cipher) =>
    KEY_TRANSPORTS.flatMap((keyTransport) => schemes.flatMap((scheme) => [false, true].map((opaque) => ({ cipher, keyTransport, scheme, opaque })))),
  );

  it('covers 48 combinations', () => {
    expect(combos).toHaveLength(48);
  });

  it.each(combos)('$cipher / $keyTransport / $scheme / opaque=$opaque: decrypts, verifies and gives back the wrapped inner byte for byte', (combo) => {
    const message = sealMessage(INNER, { ...base, ...combo });
    const decrypted = decryptWithOpenssl(message, pki.recipient);
    const smimeType = combo.opaque ? 'application/pkcs7-mime; smime-type=signed-data' : 'multipart/signed; protocol="application/pkcs7-signature"';
    expect(decrypted.toString('latin1').startsWith(`Content-Type: ${smimeType}`)).toBe(true);
    const signed = verifyWithOpenssl(decrypted, pki.caFile);
    expect(signed.equals(Buffer.concat([WRAP_HEAD, CRLF_INNER]))).toBe(true);
  });
});

describe('the outer message', () => {
  it('copies the addressing headers of the inner message, adds MIME-Version and carries an enveloped-data entity', () => {
    const message = sealMessage(INNER, base);
    expect(headersOf(message)).toBe(
      'From: "Dr A" <dr.a@hopital-a.test>\r\n' +
        'To: dr.b@clinique-b.test\r\n' +
        'Cc: dr.c@clinique-b.test\r\n' +
        'Subject: =?utf-8?q?Demande_d=27avis?=\r\n' +
        'Date: Tue, 03 Mar 2026 10:00:00 +0100\r\n' +
        'Message-ID: <req-1@hopital-a.test>\r\n' +
        'Disposition-Notification-To: dr.a@hopital-a.test\r\n' +
        'MIME-Version: 1.0\r\n' +
        'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n' +
        'Content-Transfer-Encoding: base64\r\n' +
        'Content-Disposition: attachment; filename=smime.p7m\r\n',
    );
    const body = bodyOf(message).toString('latin1');
    expect(body.endsWith('\r\n')).toBe(true);
    const lines = body.split('\r\n').slice(0, -1);
    expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(lines.at(-1)!.length).toBeLessThanOrEqual(76);
    expect(/\r(?!\n)|(?<!\r)\n/.test(message.toString('latin1'))).toBe(false);
  });

  it('labels AES-GCM messages authEnveloped-data', () => {
    const message = sealMessage(INNER, { ...base, cipher: 'aes-128-gcm' });
    expect(message.toString('latin1')).toContain('Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m\r\n');
  });

  it('replaces or adds headers given in `headers`, refusing line breaks in values', () => {
    const message = sealMessage(INNER, { ...base, headers: { subject: 'Secure message', 'X-Txgate-Route': 'direct' } });
    const head = headersOf(message);
    expect(head).not.toContain('Demande');
    expect(head).toContain('subject: Secure message\r\nX-Txgate-Route: direct\r\nMIME-Version: 1.0\r\n');
    expect(() => sealMessage(INNER, { ...base, headers: { Subject: 'a\r\nBcc: evil@x.test' } })).toThrow(TypeError);
  });
});

describe('Direct wrapping (message/rfc822)', () => {
  it('signs "Content-Type: message/rfc822" and the whole inner message, canonicalized to CRLF', () => {
    const { entity, outerHeaders } = wrapInner(INNER, base);
    expect(entity.equals(Buffer.concat([WRAP_HEAD, CRLF_INNER]))).toBe(true);
    expect(outerHeaders).not.toContain('X-Priority');
    expect(outerHeaders).not.toContain('Content-Type');
  });

  it('generates a missing Date and Message-ID (in the domain of From) in both the inner and the outer message', () => {
    const bare = Buffer.from('From: Dr A <dr.a@hopital-a.test>\r\nTo: dr.b@clinique-b.test\r\nSubject: hi\r\n\r\nbody\r\n');
    const { entity, outerHeaders } = wrapInner(bare, base);
    expect(outerHeaders).toMatch(/^From: .*\r\nTo: .*\r\nSubject: hi\r\nDate: Tue, 03 Mar 2026 09:00:00 \+0000\r\nMessage-ID: <[0-9a-f-]{36}@hopital-a\.test>\r\n$/);
    const added = outerHeaders.slice(outerHeaders.indexOf('Date:'));
    expect(entity.toString('latin1')).toBe(`Content-Type: message/rfc822\r\n\r\n${bare.toString('latin1').replace('\r\n\r\n', `\r\n${added}\r\n`)}`);
  });

  it('keeps folded header fields as written', () => {
    const folded = Buffer.from('From: a@hopital-a.test\r\nTo: b@x.test,\r\n c@x.test\r\nDate: x\r\nMessage-ID: <1@a>\r\n\r\nbody');
    const { entity, outerHeaders } = wrapInner(folded, base);
    expect(outerHeaders).toBe('From: a@hopital-a.test\r\nTo: b@x.test,\r\n c@x.test\r\nDate: x\r\nMessage-ID: <1@a>\r\n');
    expect(entity.equals(Buffer.concat([WRAP_HEAD, folded]))).toBe(true);
  });
});

describe('without wrapping', () => {
  it('signs the Content-* headers and the body; the other headers (except MIME-Version) go outside', () => {
    const { entity, outerHeaders } = splitInner(INNER, base);
    expect(entity.toString('utf8')).toBe(
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nPatient: café au lait, 5 ans.\r\nFrom here on, a line that starts with From.\r\n-- \r\nDr A\r\n',
    );
    expect(outerHeaders).toContain('X-Priority: 3\r\n');
    expect(outerHeaders).not.toContain('MIME-Version');
    expect(outerHeaders).not.toContain('Content-');
  });

  it('declares text/plain; charset=utf-8 when the inner has no Content-Type', () => {
    const { entity } = splitInner(Buffer.from('From: a@hopital-a.test\nSubject: x\n\nhello\n'), base);
    expect(entity.toString()).toBe('Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n');
  });

  it('opens with OpenSSL and gives back the entity', () => {
    const message = sealMessage(INNER, { ...base, wrap: false });
    expect(headersOf(message)).toContain('X-Priority: 3\r\n');
    const signed = verifyWithOpenssl(decryptWithOpenssl(message, pki.recipient), pki.caFile);
    expect(signed.equals(splitInner(INNER, base).entity)).toBe(true);
  });
});

describe('signEntity', () => {
  const entity = Buffer.from('Content-Type: text/plain\r\n\r\nhello\r\n');

  it('writes multipart/signed with micalg, the entity as the first part and smime.p7s as the second', () => {
    const signed = signEntity(entity, { ...base, digest: 'sha384' }).toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(signed)![1]!;
    expect(signed).toMatch(/^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature";\r\n micalg=sha-384; boundary="/);
    expect(signed).toContain(`\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n\r\n--${boundary}\r\n`);
    expect(signed).toContain('Content-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n');
    expect(signed.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    expect(verifyWithOpenssl(Buffer.from(signed, 'latin1'), pki.caFile).equals(entity)).toBe(true);
  });

  it('builds SHA-1 signatures only on request (for refusal tests), labelled sha-1', () => {
    const signed = signEntity(entity, { ...base, digest: 'sha1' });
    expect(signed.toString('latin1')).toContain('micalg=sha-1;');
  });

  it('puts the signed attributes OpenSSL shows: contentType, signingTime, messageDigest, smimeCapabilities, CMSAlgorithmProtection', () => {
    const printed = run(['cms', '-cmsout', '-print', '-noout'], signEntity(entity, { ...base, scheme: 'rsa-pss' })).toString();
    for (const name of ['contentType', 'signingTime', 'messageDigest', 'S/MIME Capabilities', '1.2.840.113549.1.9.52']) expect(printed).toContain(name);
    expect(printed).toContain('UTCTIME:Mar  3 09:00:00 2026 GMT');
    expect(printed).toContain('aes-256-gcm');
    expect(printed).toContain('rsaesOaep');
    expect(printed).toContain('algorithm: rsassaPss');
  });
});

describe('buildSignedData', () => {
  const input = () => ({
    content: Buffer.from('hello'),
    detached: false,
    signerKey: pki.signerKey,
    signerCert: pki.signerCert,
    chain: [pki.intermediate, pki.signerCert],
    digest: 'sha256' as const,
    scheme: 'rsa-pkcs1' as const,
    signingTime: NOW,
  });

  it('writes SignedData v1 with the signer certificate first, then the chain (no duplicates), and sorted signed attributes', () => {
    const [type, sd] = contentInfo(buildSignedData(input()));
    expect(type).toBe(OID.signedData);
    const fields = childrenOf(sd);
    expect(smallIntOf(fields[0]!)).toBe(1);
    const eci = childrenOf(fields[2]!);
    expect(octetsOf(childrenOf(eci[1]!)[0]!).toString()).toBe('hello');
    const certs = childrenOf(fields[3]!);
    expect(certs.map((c) => rawOf(c).equals(pki.signerCert.der))).toEqual([true, false]);
    expect(rawOf(certs[1]!).equals(pki.intermediate.der)).toBe(true);
    const signerInfo = childrenOf(childrenOf(fields[4]!)[0]!);
    expect(smallIntOf(signerInfo[0]!)).toBe(1);
    const attrs = childrenOf(signerInfo[3]!).map(rawOf);
    expect(attrs).toEqual([...attrs].sort(Buffer.compare));
    expect(rawOf(signerInfo[4]!).toString('hex')).toBe('300d06092a864886f70d0101010500');
  });

  it('names in CMSAlgorithmProtection exactly the SignerInfo digest and signature algorithms (RFC 6211)', () => {
    for (const scheme of ['rsa-pkcs1', 'rsa-pss'] as const) {
      const [, sd] = contentInfo(buildSignedData({ ...input(), scheme, digest: 'sha512' }));
      const signerInfo = childrenOf(childrenOf(childrenOf(sd)[4]!)[0]!);
      const protection = childrenOf(signerInfo[3]!)
        .map((a) => childrenOf(a))
        .find(([type]) => oidOf(type!) === OID.cmsAlgorithmProtection)!;
      const [digestAlg, sigAlg] = childrenOf(childrenOf(protection[1]!)[0]!);
      expect(rawOf(digestAlg!).equals(rawOf(signerInfo[2]!))).toBe(true);
      expect(sigAlg!.tag).toBe(0xa1);
      expect(contentOf(sigAlg!).equals(contentOf(signerInfo[4]!))).toBe(true);
    }
  });

  it('omits eContent when detached', () => {
    const [, sd] = contentInfo(buildSignedData({ ...input(), detached: true }));
    expect(childrenOf(childrenOf(sd)[2]!)).toHaveLength(1);
  });

  it('refuses a key that is not the certificate’s', () => {
    const other = createPrivateKey(readFileSync(pki.recipient.keyFile));
    expect(() => buildSignedData({ ...input(), signerKey: other })).toThrow(TypeError);
  });
});

describe('buildEnvelopedData', () => {
  const content = Buffer.from('secret');

  it('writes AuthEnvelopedData v0 for GCM: 12-byte nonce, ICVlen 16, a 16-byte mac, no authAttrs', () => {
    const [type, aed] = contentInfo(buildEnvelopedData({ content, recipients: [pki.recipient.cert], cipher: 'aes-256-gcm', keyTransport: 'rsa-oaep-sha256' }));
    expect(type).toBe(OID.authEnvelopedData);
    const fields = childrenOf(aed);
    expect(fields).toHaveLength(4);
    expect(smallIntOf(fields[0]!)).toBe(0);
    const [, alg] = childrenOf(fields[2]!);
    const [algOid, params] = childrenOf(alg!);
    expect(oidOf(algOid!)).toBe(OID.aes256Gcm);
    const [nonce, icvLen] = childrenOf(params!);
    expect(contentOf(nonce!)).toHaveLength(12);
    expect(smallIntOf(icvLen!)).toBe(16);
    expect(contentOf(fields[3]!)).toHaveLength(16);
  });

  it('writes EnvelopedData v0 for CBC with a 16-byte IV, one issuerAndSerialNumber recipient per certificate', () => {
    const [type, ed] = contentInfo(
      buildEnvelopedData({ content, recipients: [pki.recipient.cert, pki.second.cert], cipher: 'aes-128-cbc', keyTransport: 'rsa-pkcs1' }),
    );
    expect(type).toBe(OID.envelopedData);
    const [version, ris, eci] = childrenOf(ed);
    expect(smallIntOf(version!)).toBe(0);
    expect(childrenOf(ris!)).toHaveLength(2);
    for (const ri of childrenOf(ris!)) {
      const [v, rid, kea] = childrenOf(ri);
      expect(smallIntOf(v!)).toBe(0);
      expect(rid!.tag).toBe(0x30);
      expect(rawOf(kea!).toString('hex')).toBe('300d06092a864886f70d0101010500');
    }
    const [, alg] = childrenOf(eci!);
    expect(contentOf(childrenOf(alg!)[1]!)).toHaveLength(16);
  });

  it('encodes RSAES-OAEP parameters: empty for SHA-1, SHA-256 and MGF1-SHA-256 otherwise', () => {
    const kea = (keyTransport: 'rsa-oaep-sha1' | 'rsa-oaep-sha256') => {
      const [, ed] = contentInfo(buildEnvelopedData({ content, recipients: [pki.recipient.cert], cipher: 'aes-128-cbc', keyTransport }));
      return rawOf(childrenOf(childrenOf(childrenOf(ed)[1]!)[0]!)[2]!).toString('hex');
    };
    expect(kea('rsa-oaep-sha1')).toBe('300d06092a864886f70d0101073000');
    expect(kea('rsa-oaep-sha256')).toBe(
      '303c06092a864886f70d010107302fa00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500',
    );
  });

  it('takes the content key and IV from `random`', () => {
    const random = (n: number) => Buffer.alloc(n, 7);
    const [, ed] = contentInfo(buildEnvelopedData({ content, recipients: [pki.recipient.cert], cipher: 'aes-128-cbc', keyTransport: 'rsa-oaep-sha1', random }));
    expect(contentOf(childrenOf(childrenOf(childrenOf(ed)[2]!)[1]!)[1]!).equals(Buffer.alloc(16, 7))).toBe(true);
  });

  it('refuses a recipient key under 2048 bits with SMIME_WEAK_ALGORITHM', () => {
    let caught: unknown;
    try {
      sealMessage(INNER, { ...base, recipients: [pki.recipient.cert, pki.weak] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).code).toBe('SMIME_WEAK_ALGORITHM');
  });
});

describe('the certificate chain', () => {
  it('is what lets a peer trusting only the root verify a signer issued by an intermediate', () => {
    const withChain = signEntity(Buffer.from('Content-Type: text/plain\r\n\r\nx\r\n'), base);
    expect(verifyWithOpenssl(withChain, pki.caFile).toString()).toContain('x');
    const without = signEntity(Buffer.from('Content-Type: text/plain\r\n\r\nx\r\n'), { ...base, chain: [] });
    expect(() => verifyWithOpenssl(without, pki.caFile)).toThrow(/unable to get local issuer certificate/);
  });
});

describe('several recipients and triple wrapping', () => {
  it('lets every recipient open the message', () => {
    const message = sealMessage(INNER, { ...base, recipients: [pki.recipient.cert, pki.second.cert], cipher: 'aes-128-gcm' });
    for (const party of [pki.recipient, pki.second]) {
      expect(verifyWithOpenssl(decryptWithOpenssl(message, party), pki.caFile).equals(Buffer.concat([WRAP_HEAD, CRLF_INNER]))).toBe(true);
    }
  });

  it.each([false, true])('signs the encrypted entity again (opaque=%s): verify outer, decrypt, verify inner', (opaque) => {
    const message = sealMessage(INNER, { ...base, tripleWrap: true, opaque });
    const enveloped = verifyWithOpenssl(message, pki.caFile);
    expect(enveloped.toString('latin1')).toMatch(/^Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/);
    const inner = verifyWithOpenssl(decryptWithOpenssl(enveloped, pki.recipient), pki.caFile);
    expect(inner.equals(Buffer.concat([WRAP_HEAD, CRLF_INNER]))).toBe(true);
  });

  it('encryptEntity alone gives an entity OpenSSL decrypts to the input', () => {
    const entity = Buffer.from('Content-Type: text/plain\r\n\r\nonly encrypted\r\n');
    const encrypted = encryptEntity(entity, { recipients: [pki.recipient.cert], cipher: 'aes-256-gcm', keyTransport: 'rsa-pkcs1' });
    expect(decryptWithOpenssl(encrypted, pki.recipient).equals(entity)).toBe(true);
    expect(derOf(encrypted)[0]).toBe(0x30);
  });
});
