import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMail, encodeHeaderText } from '../../src/mime/build-mail.ts';
import { parseEntity, headerValue } from '../../src/mime/parse-entity.ts';
import { readMail } from '../../src/payload/mime/find-payload.ts';

const BASE = { from: 'gateway@txgate.localhost', to: 'dr.martin@hopital-a.test', messageId: '<m-1@txgate.localhost>', date: new Date('2026-03-03T10:00:00Z') };

/** RFC 2047 encoded words back to text (what a mail reader shows). */
function decodeWords(value: string): string {
  // whitespace between two encoded words is not part of the text (RFC 2047 §6.2)
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?B\?([^?]*)\?=/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

describe('buildMail', () => {
  it('writes a text-only mail with its headers, In-Reply-To and References, in CRLF', () => {
    const mail = buildMail({ ...BASE, subject: 'Avis', inReplyTo: '<req-1@hopital-a.test>', headers: { 'Disposition-Notification-To': 'gateway@txgate.localhost' }, text: 'Bonjour\nline 2' });
    const text = mail.toString('latin1');
    expect(text).not.toMatch(/[^\r]\n/);
    const entity = parseEntity(mail);
    expect(headerValue(entity.headers, 'in-reply-to')).toBe('<req-1@hopital-a.test>');
    expect(headerValue(entity.headers, 'references')).toBe('<req-1@hopital-a.test>');
    expect(headerValue(entity.headers, 'disposition-notification-to')).toBe('gateway@txgate.localhost');
    expect(readMail(mail)).toMatchObject({ ok: true, value: { text: 'Bonjour\r\nline 2', from: BASE.from, to: BASE.to, payloads: [], documents: [] } });
  });

  it('keeps any text, subject, attachment name and bytes through build → read (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((n) => !/[\r\n"\\]/.test(n) && n.trim() === n && !/\.(hl7|er7|json)$/i.test(n) && !/^IHE_XDM\.ZIP$/i.test(n)),
        fc.uint8Array({ minLength: 0, maxLength: 500 }),
        (subject, text, name, bytes) => {
          const body = text.replace(/\r/g, '');
          const mail = buildMail({ ...BASE, subject, text: body, attachments: [{ contentType: 'application/pdf', name, data: Buffer.from(bytes) }] });
          // (space around a header value is not part of it)
          expect(decodeWords(headerValue(parseEntity(mail).headers, 'subject') ?? '').trim()).toBe(subject.replace(/[\r\n]+/g, ' ').trim());
          const read = readMail(mail);
          if (!read.ok) throw new Error(JSON.stringify(read.problems));
          expect(read.value.text).toBe(body.replace(/\n/g, '\r\n'));
          expect(read.value.documents).toHaveLength(1);
          expect(read.value.documents[0]!.attachment.name).toBe(name);
          expect(Buffer.compare(read.value.documents[0]!.bytes, Buffer.from(bytes))).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('encodes a non-ASCII header as encoded words of at most 75 characters', () => {
    const encoded = encodeHeaderText('Demande de téléexpertise non recevable — réponse à votre demande du 3 mars'.repeat(2));
    for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe('Demande de téléexpertise non recevable — réponse à votre demande du 3 mars'.repeat(2));
    expect(encodeHeaderText('plain ASCII')).toBe('plain ASCII');
  });
});
