import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { parseContentType } from '../../src/mime/content-type.ts';
import { isCanonicalCrlf } from '../../src/mime/decode-body.ts';
import { headerValue, parseEntity } from '../../src/mime/parse-entity.ts';
import { buildMdn, type MdnInput } from '../../src/notify/build-mdn.ts';
import { isNotification, parseNotification } from '../../src/notify/parse-notification.ts';
import { SMIME_REFUSALS } from '../../src/smime/refusal.ts';

const base: MdnInput = {
  disposition: 'processed',
  from: 'gateway@txgate.localhost',
  to: 'dr.martin@hopital-a.test',
  originalMessageId: '<req-1@hopital-a.test>',
  originalRecipient: 'cardio@txgate.localhost',
  originalSubject: 'Demande avis cardiologie',
  reportingUa: 'txgate.localhost; txgate',
  messageId: '<mdn-1@txgate.localhost>',
  date: new Date('2025-03-04T05:06:07Z'),
};

/** RFC 2047 B-encoded UTF-8 words (what buildMdn writes), adjacent words joined. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

function headersOf(mdn: Buffer) {
  return parseEntity(mdn).headers;
}

function bodyOf(mdn: Buffer): string {
  return parseEntity(mdn).body.toString('utf8');
}

const cases: [string, MdnInput][] = [
  ['processed', base],
  ['dispatched', { ...base, disposition: 'dispatched' }],
  ['dispatched, final destination delivery', { ...base, disposition: 'dispatched', finalDestinationDelivery: true }],
  ...Object.entries(SMIME_REFUSALS).map(([code, text]): [string, MdnInput] => [`failed ${code}`, { ...base, disposition: 'failed', failure: { code, text } }]),
];

describe('buildMdn → parseNotification', () => {
  it.each(cases)('%s parses back to the same values', (_, input) => {
    expect(parseNotification(buildMdn(input))).toEqual({
      kind: 'mdn',
      disposition: input.disposition,
      actionMode: 'automatic-action',
      sendingMode: 'mdn-sent-automatically',
      modifiers: [],
      originalMessageId: input.originalMessageId,
      originalRecipient: input.originalRecipient,
      finalRecipient: input.originalRecipient,
      finalDestinationDelivery: input.finalDestinationDelivery === true,
      inReplyTo: input.originalMessageId,
      ...(input.failure ? { failure: `${input.failure.code} ${input.failure.text}` } : {}),
    });
  });

  it.each(cases)('%s has the required headers, CRLF only, short lines', (_, input) => {
    const mdn = buildMdn(input);
    expect(isCanonicalCrlf(mdn)).toBe(true);
    // 78 characters everywhere but in the report part, whose fields are never folded (the Direct RI does not unfold)
    for (const line of mdn.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(line.startsWith('Failure: ') ? 998 : 78);
    const headers = headersOf(mdn);
    expect(headerValue(headers, 'from')).toBe(input.from);
    expect(headerValue(headers, 'to')).toBe(input.to);
    const prefix = { processed: 'Processed', dispatched: 'Dispatched', failed: 'Failed' }[input.disposition];
    expect(headerValue(headers, 'subject')).toBe(`${prefix}: ${input.originalSubject}`);
    expect(headerValue(headers, 'date')).toBe('Tue, 4 Mar 2025 05:06:07 +0000');
    expect(headerValue(headers, 'message-id')).toBe(input.messageId);
    expect(headerValue(headers, 'in-reply-to')).toBe(input.originalMessageId);
    expect(headerValue(headers, 'references')).toBe(input.originalMessageId);
    expect(headerValue(headers, 'mime-version')).toBe('1.0');
    expect(headerValue(headers, 'auto-submitted')).toBe('auto-replied');
    const ct = parseContentType(headerValue(headers, 'content-type'));
    expect(ct.mediaType).toBe('multipart/report');
    expect(ct.params['report-type']).toBe('disposition-notification');
    expect(isNotification(headers)).toBe(true);
    expect(headers.filter((h) => h.key === 'disposition-notification-to')).toEqual([]);
  });

  it('writes the report part fields as RFC 8098 and the Direct IG show them', () => {
    const body = bodyOf(buildMdn({ ...base, disposition: 'dispatched', finalDestinationDelivery: true }));
    expect(body).toContain(
      [
        'Content-Type: message/disposition-notification',
        'Content-Transfer-Encoding: 7bit',
        '',
        'Reporting-UA: txgate.localhost; txgate',
        'Original-Recipient: rfc822;cardio@txgate.localhost',
        'Final-Recipient: rfc822;cardio@txgate.localhost',
        'Original-Message-ID: <req-1@hopital-a.test>',
        'Disposition: automatic-action/MDN-sent-automatically; dispatched',
        'X-DIRECT-FINAL-DESTINATION-DELIVERY:',
        '',
      ].join('\r\n'),
    );
    const failed = bodyOf(buildMdn({ ...base, disposition: 'failed', failure: { code: 'SMIME_BAD_SIGNATURE', text: SMIME_REFUSALS.SMIME_BAD_SIGNATURE } }));
    expect(failed).toContain('Disposition: automatic-action/MDN-sent-automatically; failed\r\nFailure: SMIME_BAD_SIGNATURE The message signature is not valid\r\n');
    expect(failed).toContain('Reason: SMIME_BAD_SIGNATURE The message signature is not valid');
  });

  it('adds the final-destination field to dispatched MDNs only', () => {
    expect(bodyOf(buildMdn({ ...base, disposition: 'dispatched' }))).not.toContain('X-DIRECT-FINAL-DESTINATION-DELIVERY');
    expect(bodyOf(buildMdn({ ...base, finalDestinationDelivery: true }))).not.toContain('X-DIRECT-FINAL-DESTINATION-DELIVERY');
  });

  it('never puts the original subject in the body', () => {
    for (const [, input] of cases) {
      const subject = 'Patient Jean Dupont, ne le 01/02/1950';
      expect(bodyOf(buildMdn({ ...input, originalSubject: subject }))).not.toContain('Dupont');
    }
  });

  it('encodes a non-ASCII original subject (RFC 2047) and writes ASCII only', () => {
    const subject = 'Avis cardiologie – Mme Hélène Çelik, échographie 心臓 😀';
    const mdn = buildMdn({ ...base, originalSubject: subject });
    expect([...mdn].every((b) => b < 0x80)).toBe(true);
    const raw = headerValue(headersOf(mdn), 'subject')!;
    expect(raw).toMatch(/^Processed: =\?UTF-8\?B\?/);
    expect(decodeWords(raw)).toBe(`Processed: ${subject}`);
    expect(bodyOf(mdn)).not.toContain('Hélène');
  });

  it('gives a subject without the colon when the original had none', () => {
    expect(headerValue(headersOf(buildMdn({ ...base, originalSubject: undefined })), 'subject')).toBe('Processed');
    expect(headerValue(headersOf(buildMdn({ ...base, originalSubject: ' \r\n ' })), 'subject')).toBe('Processed');
  });

  it('adds angle brackets to Message-IDs given without them; an empty original Message-ID leaves its fields out', () => {
    const mdn = buildMdn({ ...base, messageId: 'mdn-2@txgate.localhost', originalMessageId: 'req-2@hopital-a.test' });
    expect(headerValue(headersOf(mdn), 'message-id')).toBe('<mdn-2@txgate.localhost>');
    expect(parseNotification(mdn)).toMatchObject({ originalMessageId: '<req-2@hopital-a.test>', inReplyTo: '<req-2@hopital-a.test>' });
    const none = buildMdn({ ...base, originalMessageId: '' });
    const headers = headersOf(none);
    expect(headerValue(headers, 'in-reply-to')).toBeUndefined();
    expect(headerValue(headers, 'references')).toBeUndefined();
    const parsed = parseNotification(none);
    expect(parsed.kind).toBe('mdn');
    expect(parsed).not.toHaveProperty('originalMessageId');
  });

  it('cannot be made to add a header or a field through a peer value', () => {
    const mdn = buildMdn({
      ...base,
      originalMessageId: '<x@y>\r\nBcc: victim@evil.test',
      originalRecipient: 'cardio@txgate.localhost\nDisposition: manual-action/MDN-sent-manually; deleted',
      originalSubject: 'hello\r\nBcc: victim@evil.test',
    });
    expect(headersOf(mdn).filter((h) => h.key === 'bcc')).toEqual([]);
    const parsed = parseNotification(mdn);
    expect(parsed).toMatchObject({ kind: 'mdn', disposition: 'processed' });
    expect(mdn.toString().match(/^Disposition:/gm)).toHaveLength(1);
  });

  it('is deterministic, and refuses values it cannot use with NOTIFY_BAD_INPUT', () => {
    expect(buildMdn(base).equals(buildMdn({ ...base }))).toBe(true);
    const bad = (input: MdnInput) => {
      try {
        buildMdn(input);
      } catch (err) {
        return err instanceof GatewayError ? err.code : String(err);
      }
      return 'built';
    };
    expect(bad({ ...base, disposition: 'failed' })).toBe('NOTIFY_BAD_INPUT');
    expect(bad({ ...base, failure: { code: 'SMIME_BAD_SIGNATURE', text: SMIME_REFUSALS.SMIME_BAD_SIGNATURE } })).toBe('NOTIFY_BAD_INPUT');
    expect(bad({ ...base, disposition: 'failed', failure: { code: 'BAD CODE', text: 'x' } })).toBe('NOTIFY_BAD_INPUT');
    expect(bad({ ...base, to: ' ' })).toBe('NOTIFY_BAD_INPUT');
    expect(bad({ ...base, originalRecipient: '' })).toBe('NOTIFY_BAD_INPUT');
    expect(bad({ ...base, messageId: '' })).toBe('NOTIFY_BAD_INPUT');
    expect(bad({ ...base, date: new Date(Number.NaN) })).toBe('NOTIFY_BAD_INPUT');
  });
});

describe('build → parse, property-based', () => {
  const atext = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}){0,2}$/);
  const domain = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,15}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,15}[a-z0-9])?){0,3}$/);
  const address = fc.tuple(atext, domain).map(([l, d]) => `${l}@${d}`);
  const messageId = fc.tuple(atext, domain, fc.boolean()).map(([l, d, bracketed]) => (bracketed ? `<${l}@${d}>` : `${l}@${d}`));
  const subject = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'binary-ascii', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 80 }));
  const refusal = fc.constantFrom(...Object.entries(SMIME_REFUSALS).map(([code, text]) => ({ code, text })));
  const input: fc.Arbitrary<MdnInput> = fc
    .record({
      disposition: fc.constantFrom('processed' as const, 'dispatched' as const, 'failed' as const),
      from: address,
      to: address,
      originalMessageId: messageId,
      originalRecipient: address,
      originalSubject: subject,
      messageId,
      finalDestinationDelivery: fc.boolean(),
      failure: refusal,
      date: fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
    })
    .map(({ failure, ...r }) => ({ ...r, reportingUa: 'txgate.localhost; txgate', ...(r.disposition === 'failed' ? { failure } : {}) }));
  const bracket = (id: string) => (id.startsWith('<') ? id : `<${id}>`);
  /** what the subject becomes: control characters to spaces, runs of spaces to one, none at the ends */
  const normalize = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/ {2,}/g, ' ').replace(/^ | $/g, '');

  it('random subjects, Message-IDs and addresses survive build → parse', () => {
    fc.assert(
      fc.property(input, (mdnInput) => {
        const mdn = buildMdn(mdnInput);
        expect(isCanonicalCrlf(mdn)).toBe(true);
        expect([...mdn].every((b) => b < 0x80)).toBe(true);
        expect(parseNotification(mdn)).toEqual({
          kind: 'mdn',
          disposition: mdnInput.disposition,
          actionMode: 'automatic-action',
          sendingMode: 'mdn-sent-automatically',
          modifiers: [],
          originalMessageId: bracket(mdnInput.originalMessageId),
          originalRecipient: mdnInput.originalRecipient,
          finalRecipient: mdnInput.originalRecipient,
          finalDestinationDelivery: mdnInput.disposition === 'dispatched' && mdnInput.finalDestinationDelivery === true,
          inReplyTo: bracket(mdnInput.originalMessageId),
          ...(mdnInput.failure ? { failure: `${mdnInput.failure.code} ${mdnInput.failure.text}` } : {}),
        });
        const headers = headersOf(mdn);
        const prefix = { processed: 'Processed', dispatched: 'Dispatched', failed: 'Failed' }[mdnInput.disposition];
        const expected = normalize(mdnInput.originalSubject ?? '');
        expect(decodeWords(headerValue(headers, 'subject')!)).toBe(expected ? `${prefix}: ${expected}` : prefix);
        expect(headerValue(headers, 'from')).toBe(mdnInput.from);
        expect(headerValue(headers, 'to')).toBe(mdnInput.to);
        expect(headerValue(headers, 'message-id')).toBe(bracket(mdnInput.messageId));
        expect(new Date(headerValue(headers, 'date')!).getTime()).toBe(Math.floor(mdnInput.date.getTime() / 1000) * 1000);
      }),
      { numRuns: 500 },
    );
  });
});
