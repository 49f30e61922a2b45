/**
 * One outbound SMTP connection, driven directly: nodemailer's SMTPConnection (greeting, EHLO, STARTTLS,
 * SIZE, PIPELINING, dot-stuffing) without its Mail layer. The Mail layer (plugins, the MIME composer, a
 * generated Message-ID, the envelope parsed again as header addresses) cost more CPU than the protocol
 * itself for a message that is already its final bytes; the envelope is normalized here instead, as the
 * Mail layer did (see normalizeEnvelopeAddress).
 *
 * Errors keep nodemailer's fields (code, responseCode, response, command, rejectedErrors), so that
 * classifySendError reads them as before.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export type SmtpConnection = SMTPConnection;
export type SmtpConnectionOptions = SMTPConnection.Options;

export interface SmtpEnvelope {
  /** '' for the null sender */
  from: string;
  to: string[];
  /** the message size, announced with SIZE= (RFC 1870) and checked against the peer's limit */
  size: number;
}

export interface SmtpSent {
  /** the peer's final reply to the data */
  response: string;
  accepted: string[];
  rejected: string[];
  rejectedErrors: unknown;
}

/** Opens a connection (connect, greeting, EHLO, STARTTLS as `options` ask); rejects with nodemailer's error. */
export function openSmtpConnection(options: SmtpConnectionOptions, signal: AbortSignal): Promise<SmtpConnection> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const conn = new SMTPConnection(options);
    let settled = false;
    const settle = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        conn.close();
        reject(err);
      } else resolve(conn);
    };
    const onAbort = () => settle(signal.reason);
    // an SMTPConnection reports failures as 'error' events for as long as it lives: one listener always
    // stays (an 'error' event without one would throw); the owner of the connection adds its own
    conn.on('error', (err: Error) => settle(err));
    conn.once('end', () => settle(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION', command: 'CONN' })));
    signal.addEventListener('abort', onAbort, { once: true });
    conn.connect((err) => settle(err ?? undefined));
  });
}

/** Sends one message over an open connection that is not busy; rejects with nodemailer's error. */
export function sendOnConnection(conn: SmtpConnection, envelope: SmtpEnvelope, raw: Buffer, signal: AbortSignal): Promise<SmtpSent> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown, sent?: SmtpSent) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      conn.off('error', onError);
      conn.off('end', onEnd);
      if (sent) resolve(sent);
      else reject(err);
    };
    const onAbort = () => {
      // a transaction cut in the middle leaves the session unusable
      conn.close();
      settle(signal.reason);
    };
    const onError = (err: Error) => settle(err);
    // the send callback normally reports a closed connection itself; this only guarantees an answer
    const onEnd = () => setImmediate(() => settle(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' })));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    conn.on('error', onError);
    conn.once('end', onEnd);
    // a fresh object: SMTPConnection keeps and changes the envelope it is given
    conn.send({ from: envelope.from, to: [...envelope.to], size: envelope.size }, raw, (err, info) => {
      if (err || !info) return settle(err ?? new Error('no send result'));
      settle(undefined, { response: String(info.response ?? ''), accepted: info.accepted, rejected: info.rejected, rejectedErrors: info.rejectedErrors });
    });
  });
}

/**
 * An envelope address as nodemailer's Mail layer sent it, for a plain addr-spec: the domain in IDNA
 * ASCII form, lower case (kept in Unicode when the local part is not ASCII, which needs SMTPUTF8 anyway).
 */
export function normalizeEnvelopeAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return address;
  const local = address.slice(0, at);
  const ascii = domainToASCII(address.slice(at + 1));
  if (ascii === '') return address;
  return `${local}@${/[^\x00-\x7f]/.test(local) ? domainToUnicode(ascii) : ascii}`;
}

/** The envelope sent: addresses normalized, each recipient once (as the Mail layer did). */
export function smtpEnvelopeOf(envelope: { from: string; to: readonly string[] }, size: number): SmtpEnvelope {
  const to = [...new Set(envelope.to.map(normalizeEnvelopeAddress))];
  return { from: envelope.from === '' ? '' : normalizeEnvelopeAddress(envelope.from), to, size };
}
