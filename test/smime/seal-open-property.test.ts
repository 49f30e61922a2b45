/** Property-based: whatever the inner message, seal then open gives it back; whatever the damage, only coded refusals. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { toCanonicalCrlf } from '../../src/mime/decode-body.ts';
import { SEAL_CIPHERS, KEY_TRANSPORTS } from '../../src/smime/algorithms.ts';
import { openMessage } from '../../src/smime/open-message.ts';
import { isSmimeRefusalCode } from '../../src/smime/refusal.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { cert, gatewayKey, party, testTrust } from '../helpers/test-pki.ts';

const doctor = party('doctor');
const gateway = cert('gateway');
const keys = [gatewayKey()];
const trust = testTrust();
const AT = new Date('2026-06-01T00:00:00Z');

const textLine = fc.string({ unit: fc.constantFrom(...'abcdefghij éèçàœ€ЖжÂăđ漢字🙂-.,:;!?'.split('')), maxLength: 400 });
const innerMessage = fc
  .record({
    subject: fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    lines: fc.array(textLine, { maxLength: 20 }),
    longLine: fc.option(fc.integer({ min: 999, max: 5000 })),
    attachment: fc.option(fc.uint8Array({ maxLength: 3000 })),
    eol: fc.constantFrom('\r\n', '\n'),
  })
  .map(({ subject, lines, longLine, attachment, eol }) => {
    const body = [...lines, ...(longLine === null ? [] : ['x'.repeat(longLine)])].join(eol);
    const head = [
      'From: Dr Martin <dr.martin@hopital-a.test>',
      'To: gateway@txgate.localhost',
      `Subject: ${subject}`,
      'Message-ID: <p@hopital-a.test>',
      'Date: Tue, 03 Mar 2026 10:00:00 +0100',
      'MIME-Version: 1.0',
    ];
    if (attachment === null) {
      return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join(eol), 'utf8');
    }
    const b64 = Buffer.from(attachment).toString('base64').replace(/(.{76})/g, `$1${eol}`);
    return Buffer.from(
      [
        ...head,
        'Content-Type: multipart/mixed; boundary="=_b"',
        '',
        '--=_b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        body,
        '--=_b',
        'Content-Type: application/octet-stream; name="ecg.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        b64,
        '--=_b--',
        '',
      ].join(eol),
      'utf8',
    );
  });

const sealing = fc.record({
  cipher: fc.constantFrom(...SEAL_CIPHERS),
  keyTransport: fc.constantFrom(...KEY_TRANSPORTS),
  scheme: fc.constantFrom('rsa-pkcs1' as const, 'rsa-pss' as const),
  opaque: fc.boolean(),
  tripleWrap: fc.boolean(),
});

describe('seal then open', () => {
  it('gives back any inner message byte for byte (in the canonical CRLF form S/MIME signs)', () => {
    fc.assert(
      fc.property(innerMessage, sealing, (inner, o) => {
        const sealed = sealMessage(inner, { ...o, signerKey: doctor.key, signerCert: doctor.cert, recipients: [gateway], now: AT });
        const opened = openMessage(sealed, { keys, trust, at: AT });
        const canonical = toCanonicalCrlf(inner);
        expect(opened.content.equals(canonical)).toBe(true);
        // a message already in CRLF form comes back exactly as it went in
        if (!/(^|[^\r])\n/.test(inner.toString('latin1'))) expect(opened.content.equals(inner)).toBe(true);
        expect(opened.signer.email).toBe('dr.martin@hopital-a.test');
        expect(opened.tripleWrapped).toBe(o.tripleWrap);
      }),
      { numRuns: 150 },
    );
  });

  it('answers byte flips and truncations of sealed messages with coded refusals only', () => {
    const base = [
      sealMessage(Buffer.from('From: dr.martin@hopital-a.test\r\nTo: gateway@txgate.localhost\r\nSubject: t\r\n\r\nbody\r\n'), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [gateway], now: AT }),
      sealMessage(Buffer.from('From: dr.martin@hopital-a.test\r\nTo: gateway@txgate.localhost\r\nSubject: t\r\n\r\nbody\r\n'), { signerKey: doctor.key, signerCert: doctor.cert, recipients: [gateway], now: AT, cipher: 'aes-128-gcm', keyTransport: 'rsa-pkcs1', opaque: true }),
    ];
    const damaged = fc.tuple(fc.constantFrom(...base), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.option(fc.nat())).map(([m, flips, cut]) => {
      const b = Buffer.from(m);
      for (const [pos, v] of flips) b[pos % b.length] = v;
      return cut === null ? b : b.subarray(0, cut % (b.length + 1));
    });
    fc.assert(
      fc.property(fc.oneof(damaged, fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a))), (msg) => {
        try {
          openMessage(msg, { keys, trust, at: AT });
        } catch (err) {
          expect(err).toBeInstanceOf(GatewayError);
          expect(isSmimeRefusalCode((err as GatewayError).code)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
