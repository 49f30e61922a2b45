import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCanonicalCrlf } from '../../src/mime/decode-body.ts';
import { parseEntity, type Header } from '../../src/mime/parse-entity.ts';
import { isNotification, notificationAddress, parseNotification, wantsFinalDeliveryNotification } from '../../src/notify/parse-notification.ts';
import { DIRECT } from '../helpers/paths.ts';

const NOTIFICATIONS = join(DIRECT, 'notifications');
const fixture = (name: string) => readFileSync(join(NOTIFICATIONS, name));
const FIXTURES = ['MDNMessage.eml', 'MDNDispatchedTimeAndReliable.eml', 'MDNMessageNoDisp.eml', 'DSNMessage.eml'];
const ORIGINAL_ID = '<9501051053.aa04167@IETF.CNR I.Reston.VA.US>';

const toLf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const headersOf = (s: string): Header[] => parseEntity(crlf(`${s}\n\n`)).headers;

describe('the Direct RI notifications', () => {
  it('reads the processed MDN: disposition, Final-Recipient without address type, Original-Message-ID', () => {
    expect(parseNotification(fixture('MDNMessage.eml'))).toEqual({
      kind: 'mdn',
      disposition: 'processed',
      actionMode: 'automatic-action',
      sendingMode: 'mdn-sent-automatically',
      modifiers: [],
      originalMessageId: ORIGINAL_ID,
      finalRecipient: 'externUser1@starugh-stateline.com',
      finalDestinationDelivery: false,
    });
  });

  it('reads the dispatched MDN with X-DIRECT-FINAL-DESTINATION-DELIVERY and its In-Reply-To', () => {
    expect(parseNotification(fixture('MDNDispatchedTimeAndReliable.eml'))).toEqual({
      kind: 'mdn',
      disposition: 'dispatched',
      actionMode: 'automatic-action',
      sendingMode: 'mdn-sent-automatically',
      modifiers: [],
      finalRecipient: 'externUser1@starugh-stateline.com',
      finalDestinationDelivery: true,
      inReplyTo: ORIGINAL_ID,
    });
  });

  it('finds the MDN without Disposition malformed, with the path of the missing field', () => {
    expect(parseNotification(fixture('MDNMessageNoDisp.eml'))).toEqual({
      kind: 'invalid',
      problems: [{ code: 'NOTIFY_MALFORMED', path: 'disposition-notification.Disposition', message: expect.any(String) }],
    });
  });

  it('reads the DSN: one failed recipient, its status and diagnostic, the original Message-ID and envelope id', () => {
    expect(parseNotification(fixture('DSNMessage.eml'))).toEqual({
      kind: 'dsn',
      recipients: [{ finalRecipient: 'Carol@Ivory.EDU', action: 'failed', status: '5.0.0', diagnosticCode: 'smtp; 550 error - no such recipient' }],
      originalMessageId: ORIGINAL_ID,
      originalEnvelopeId: 'QQ314159',
    });
  });

  it('gives the same result with LF and with CRLF line ends', () => {
    for (const name of FIXTURES) {
      const raw = fixture(name);
      const expected = parseNotification(raw);
      expect(parseNotification(toCanonicalCrlf(raw)), name).toEqual(expected);
      expect(parseNotification(toLf(toCanonicalCrlf(raw))), name).toEqual(expected);
    }
  });

  it('knows all four for notifications (never to be answered)', () => {
    for (const name of FIXTURES) expect(isNotification(parseEntity(fixture(name)).headers), name).toBe(true);
  });
});

describe('other messages', () => {
  const ordinary = `From: dr.martin@hopital-a.test
To: cardio@chu-b.test
Subject: Demande d'avis
Message-ID: <req-1@hopital-a.test>
Disposition-Notification-To: dr.martin@hopital-a.test
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

Disposition: automatic-action/MDN-sent-automatically; processed
--b1--
`;

  it('an ordinary message is none, with CRLF or LF', () => {
    expect(parseNotification(crlf(ordinary))).toEqual({ kind: 'none' });
    expect(parseNotification(Buffer.from(ordinary))).toEqual({ kind: 'none' });
    expect(isNotification(headersOf(ordinary.split('\n\n')[0]!))).toBe(false);
    expect(parseNotification(Buffer.from('Subject: no body at all\r\n'))).toEqual({ kind: 'none' });
  });

  it('a multipart/report of another report type is none; a header block that cannot be read is invalid', () => {
    const feedback = 'Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n--x\n\ntext\n--x--\n';
    expect(parseNotification(Buffer.from(feedback))).toEqual({ kind: 'none' });
    expect(parseNotification(Buffer.from('not a header\r\n\r\nbody'))).toMatchObject({ kind: 'invalid', problems: [{ code: 'NOTIFY_MALFORMED', path: 'headers' }] });
  });

  it('reads case-insensitive, folded fields, a base64 report part, modifiers, Failure and Error, rfc822; <addr>', () => {
    const report = Buffer.from(
      'reporting-ua: peer.test; Agent\r\noriginal-recipient: RFC822; <cardio@chu-b.test>\r\nFINAL-RECIPIENT: rfc822;cardio@chu-b.test\r\n' +
        'original-message-id: <req-1@hopital-a.test>\r\nDISPOSITION: Automatic-Action/MDN-Sent-Automatically;\r\n  Failed/Error (a comment)\r\n' +
        'Failure: SMIME_BAD_SIGNATURE The message signature\r\n is not valid\r\nError: something else\r\n',
    ).toString('base64');
    const message = `From: cardio@chu-b.test
To: dr.martin@hopital-a.test
In-Reply-To:
 <req-1@hopital-a.test>
CONTENT-TYPE: Multipart/Report;
\tReport-Type="Disposition-Notification";
\tboundary="=_b"

--=_b
Content-Type: text/plain

Failed.
--=_b
content-type: message/disposition-notification
content-transfer-encoding: BASE64

${report.replace(/(.{60})/g, '$1\n')}
--=_b--
`;
    const expected = {
      kind: 'mdn',
      disposition: 'failed',
      actionMode: 'automatic-action',
      sendingMode: 'mdn-sent-automatically',
      modifiers: ['error'],
      originalMessageId: '<req-1@hopital-a.test>',
      originalRecipient: 'cardio@chu-b.test',
      finalRecipient: 'cardio@chu-b.test',
      finalDestinationDelivery: false,
      failure: 'SMIME_BAD_SIGNATURE The message signature is not valid',
      error: 'something else',
      inReplyTo: '<req-1@hopital-a.test>',
    };
    expect(parseNotification(crlf(message))).toEqual(expected);
    expect(parseNotification(Buffer.from(message))).toEqual(expected);
  });

  it('reads a top-level message/disposition-notification', () => {
    const message = 'Content-Type: message/disposition-notification\n\nDisposition: manual-action/MDN-sent-manually; displayed\nFinal-Recipient: a@b.test\n';
    expect(parseNotification(Buffer.from(message))).toMatchObject({ kind: 'mdn', disposition: 'displayed', actionMode: 'manual-action', sendingMode: 'mdn-sent-manually', finalRecipient: 'a@b.test' });
    expect(isNotification(headersOf('Content-Type: message/delivery-status'))).toBe(true);
  });

  it('finds malformed: an unreadable Disposition, no report part, no boundary', () => {
    const mdn = (fields: string) =>
      Buffer.from(`Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n--b\n\ntext\n--b\nContent-Type: message/disposition-notification\n\n${fields}\n--b--\n`);
    expect(parseNotification(mdn('Disposition: processed'))).toMatchObject({ kind: 'invalid', problems: [{ path: 'disposition-notification.Disposition' }] });
    expect(parseNotification(mdn('Disposition: automatic-action/MDN-sent-automatically;'))).toMatchObject({ kind: 'invalid', problems: [{ path: 'disposition-notification.Disposition' }] });
    expect(parseNotification(mdn('not a field'))).toMatchObject({ kind: 'invalid', problems: [{ path: 'disposition-notification' }] });
    const noPart = 'Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n--b\n\ntext\n--b--\n';
    expect(parseNotification(Buffer.from(noPart))).toMatchObject({ kind: 'invalid', problems: [{ path: 'disposition-notification' }] });
    expect(parseNotification(Buffer.from('Content-Type: multipart/report; report-type=delivery-status\n\nbody\n'))).toMatchObject({ kind: 'invalid', problems: [{ path: 'report' }] });
  });

  it('reads a DSN with several recipients and the Message-ID of its returned headers', () => {
    const message = `From: MAILER-DAEMON@mx.chu-b.test
Content-Type: multipart/report; report-type=delivery-status; boundary="r"

--r
Content-Type: text/plain

Delivery failed.
--r
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.chu-b.test

Final-Recipient: rfc822; cardio@chu-b.test
Action: delayed
Status: 4.4.1 (connection timed out)

Final-Recipient: RFC822;<neuro@chu-b.test>
Action: Failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--r
Content-Type: text/rfc822-headers

From: dr.martin@hopital-a.test
Message-ID: <req-2@hopital-a.test>
Subject: Demande

--r--
`;
    expect(parseNotification(crlf(message))).toEqual({
      kind: 'dsn',
      recipients: [
        { finalRecipient: 'cardio@chu-b.test', action: 'delayed', status: '4.4.1' },
        { finalRecipient: 'neuro@chu-b.test', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 no such user' },
      ],
      originalMessageId: '<req-2@hopital-a.test>',
    });
  });

  it('finds a DSN recipient without Action or Status malformed, each with its path', () => {
    const message = 'Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test\n\nFinal-Recipient: rfc822;a@b.test\nStatus: bad\n';
    expect(parseNotification(Buffer.from(message))).toEqual({
      kind: 'invalid',
      problems: [
        { code: 'NOTIFY_MALFORMED', path: 'delivery-status.recipients[0].Action', message: expect.any(String) },
        { code: 'NOTIFY_MALFORMED', path: 'delivery-status.recipients[0].Status', message: expect.any(String) },
      ],
    });
    expect(parseNotification(Buffer.from('Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test\n'))).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'delivery-status.recipients' }],
    });
  });
});

describe('request headers', () => {
  it('wantsFinalDeliveryNotification: optional,true or required,true, case-insensitive, among other parameters', () => {
    const wants = (value: string) => wantsFinalDeliveryNotification(headersOf(`Disposition-Notification-Options: ${value}`));
    expect(wants('X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true')).toBe(true);
    expect(wants('x-direct-final-destination-delivery = Required , TRUE')).toBe(true);
    expect(wants('signed-receipt-protocol=optional,pkcs7-signature; X-DIRECT-FINAL-DESTINATION-DELIVERY="optional",true')).toBe(true);
    expect(wants('X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,false')).toBe(false);
    expect(wants('X-DIRECT-FINAL-DESTINATION-DELIVERY=true')).toBe(false);
    expect(wants('signed-receipt-protocol=optional,pkcs7-signature')).toBe(false);
    expect(wantsFinalDeliveryNotification(headersOf('disposition-notification-options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true'))).toBe(true);
    expect(wantsFinalDeliveryNotification(headersOf('Subject: x'))).toBe(false);
  });

  it('notificationAddress: the addr-spec of Disposition-Notification-To, else undefined', () => {
    expect(notificationAddress(headersOf('Disposition-Notification-To: "Martin, Dr" <dr.martin@hopital-a.test>'))).toBe('dr.martin@hopital-a.test');
    expect(notificationAddress(headersOf('disposition-notification-to: a@b.test'))).toBe('a@b.test');
    expect(notificationAddress(headersOf('From: a@b.test'))).toBeUndefined();
  });
});

describe('damaged input', () => {
  const kinds = ['none', 'mdn', 'dsn', 'invalid'];
  type Mutation = { op: 'set'; at: number; byte: number } | { op: 'delete'; at: number; length: number } | { op: 'insert'; at: number; bytes: Uint8Array };
  const snippets = ['\n', '\r\n', '\n\n', '--', ':', ';', '/', '(', ' ', '\t', '=?', 'Disposition: ', 'Content-Type: multipart/report; boundary=x\n'];
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.constantFrom(...snippets.map((s) => new Uint8Array(Buffer.from(s)))) }),
  );
  const mutate = (raw: Buffer, ops: Mutation[]): Buffer => {
    let b = Buffer.from(raw);
    for (const m of ops) {
      const at = m.at % (b.length + 1);
      if (m.op === 'set') {
        if (at < b.length) b[at] = m.byte;
      } else if (m.op === 'delete') {
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
      } else {
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
      }
    }
    return b;
  };

  it('random mutations of the fixtures give a result, never an exception', () => {
    const raws = FIXTURES.map(fixture);
    fc.assert(
      fc.property(fc.constantFrom(...raws), fc.array(mutation, { minLength: 1, maxLength: 8 }), (raw, ops) => {
        const damaged = mutate(raw, ops);
        const result = parseNotification(damaged);
        expect(kinds).toContain(result.kind);
        if (result.kind === 'invalid') expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('truncations of the fixtures give a result, never an exception', () => {
    for (const name of FIXTURES) {
      const raw = fixture(name);
      for (let n = 0; n <= raw.length; n++) expect(kinds).toContain(parseNotification(raw.subarray(0, n)).kind);
    }
  });
});
