import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { CA_FILE } from './test-pki.ts';

export interface SmtpResult {
  ok: boolean;
  /** the reply code of the refusal (or 250) */
  code: number | undefined;
  response: string;
}

/** Sends raw bytes to a loopback SMTP server as a peer MTA would: STARTTLS (trusting the test CA), one message. */
export async function sendSmtp(port: number, envelope: { from: string; to: string[] }, raw: Buffer, opts: { tls?: boolean; clientCert?: { cert: Buffer; key: Buffer } } = {}): Promise<SmtpResult> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: opts.tls !== false,
    ignoreTLS: opts.tls === false,
    tls: { ca: [readFileSync(CA_FILE)], servername: 'localhost', minVersion: 'TLSv1.2', ...(opts.clientCert ?? {}) },
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return { ok: true, code: 250, response: info.response };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message: string };
    return { ok: false, code: e.responseCode, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}
