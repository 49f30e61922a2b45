/**
 * A loopback SMTP server for tests: it records what it receives and answers as told.
 *
 * ```ts
 * const sink = await startSmtpSink();                        // STARTTLS with certs/gateway.*
 * try {
 *   // ... send to 127.0.0.1:sink.port (TLS name: localhost or txgate.localhost, CA certs/ca.crt.pem)
 *   await sink.waitFor(1);
 *   expect(sink.messages[0]!.raw.equals(raw)).toBe(true);
 * } finally {
 *   await sink.close();
 * }
 * ```
 *
 * Scripted answers:
 * - `behaviour` decides each message once its data is in (attempt 1, 2, ...), e.g. fail twice
 *   then accept: `({ attempt }) => (attempt <= 2 ? { code: 451, message: 'try later' } : 'accept')`.
 * - `rcptBehaviour` decides each RCPT TO, e.g. refuse one address with 550.
 *
 * Only accepted messages land in `messages`; `attempts` counts every message whose data was
 * received, accepted or not. TLS problems (a client that refuses our certificate, a missing
 * client certificate) never crash the test process: they are collected in `errors`.
 *
 * Built on smtp-server, bound to 127.0.0.1 only, AUTH optional (never required), no reverse
 * DNS, no logging.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { CERTS } from './paths.ts';

/** An SMTP reply other than acceptance: `code` 4xx (temporary) or 5xx (permanent). */
export interface SinkReply {
  code: number;
  message: string;
}

export type SinkDecision = 'accept' | SinkReply;

export interface SinkEnvelope {
  /** MAIL FROM address ('' for the null sender) */
  from: string;
  /** RCPT TO addresses that were accepted */
  to: string[];
}

export interface SinkMessage {
  envelope: SinkEnvelope;
  /** the message bytes as received, dot-unstuffed, without the final "." line */
  raw: Buffer;
  /** whether the session was encrypted (STARTTLS or implicit TLS) */
  tls: boolean;
  /** common name of the client certificate, when the client presented one */
  clientCert?: string;
}

export interface SinkAttempt {
  /** 1 for the first message whose data reached the sink, 2 for the next, ... */
  attempt: number;
  envelope: SinkEnvelope;
  raw: Buffer;
}

export interface SmtpSinkOptions {
  /**
   * The server's TLS key and certificate (PEM). Default: certs/gateway.* (names txgate.localhost
   * and localhost, issued by certs/ca.crt.pem). `false`: plain text only, no STARTTLS.
   */
  tls?: { cert: string | Buffer; key: string | Buffer } | false;
  /** Implicit TLS from the first byte (SMTPS) instead of STARTTLS. Needs `tls`. */
  implicitTls?: boolean;
  /**
   * Neither advertise nor accept STARTTLS (a peer without TLS). smtp-server's own
   * `hideSTARTTLS` only hides it from EHLO and still honours the command, so the command is
   * also disabled here.
   */
  noStarttls?: boolean;
  /** Require a client certificate issued by `ca` (mutual TLS); without one the handshake fails. */
  requireClientCert?: boolean;
  /** CA certificates (PEM) for client certificates. Default: certs/ca.crt.pem. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Decides each message after its data is received. Default: accept everything. */
  behaviour?: (ctx: SinkAttempt) => SinkDecision;
  /** Decides each RCPT TO. Default: accept every address. */
  rcptBehaviour?: (address: string) => SinkDecision;
  /** Announce SIZE with this limit (bytes) and answer 552 to a larger message. Default: no limit. */
  size?: number;
  /** Port to listen on. Default 0: a free port chosen by the system. */
  port?: number;
}

export interface SmtpSink {
  readonly port: number;
  readonly host: '127.0.0.1';
  /** accepted messages, in order of arrival */
  readonly messages: SinkMessage[];
  /** messages whose data was received, accepted or refused by `behaviour` */
  readonly attempts: number;
  /** errors the server reported (TLS handshakes that failed, sockets reset, ...) */
  readonly errors: Error[];
  /** Resolves once `messages` holds at least `count` messages; rejects after `timeoutMs` (default 5000). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and ends open sessions (forcibly after one second). */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const tls = opts.tls === undefined ? defaultTls() : opts.tls;
  if (opts.implicitTls && !tls) throw new Error('startSmtpSink: implicitTls needs tls');
  const starttls = tls !== false && !opts.implicitTls && !opts.noStarttls;
  const messages: SinkMessage[] = [];
  const errors: Error[] = [];
  const clientCerts = new Map<string, string>();
  const waiters = new Set<() => void>();
  let attempts = 0;

  const options: SMTPServerOptions = {
    name: 'sink.txgate.localhost',
    secure: opts.implicitTls === true,
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1_000,
    socketTimeout: 30_000,
    hideSTARTTLS: !starttls,
    disabledCommands: starttls ? [] : ['STARTTLS'],
    minVersion: 'TLSv1.2',
    ...(opts.size !== undefined ? { size: opts.size, rejectOversized: true } : {}),
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    ...(opts.requireClientCert
      ? { requestCert: true, rejectUnauthorized: true, ca: opts.ca ?? readFileSync(join(CERTS, 'ca.crt.pem')) }
      : {}),
    onSecure(socket, session, callback) {
      const cn = peerCommonName(socket);
      if (cn !== undefined) clientCerts.set(session.id, cn);
      callback();
    },
    onRcptTo(address, _session, callback) {
      const decision = decide(() => (opts.rcptBehaviour ? opts.rcptBehaviour(address.address) : 'accept'));
      callback(decision === 'accept' ? null : replyError(decision));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        attempts += 1;
        const raw = Buffer.concat(chunks);
        const envelope = envelopeOf(session);
        const decision = decide(() => (opts.behaviour ? opts.behaviour({ attempt: attempts, envelope, raw }) : 'accept'));
        if (decision !== 'accept') {
          callback(replyError(decision));
          return;
        }
        const clientCert = clientCerts.get(session.id);
        messages.push({ envelope, raw, tls: session.secure, ...(clientCert !== undefined ? { clientCert } : {}) });
        for (const wake of waiters) wake();
        callback(null, 'Queued by the txgate test sink');
      });
    },
  };

  /** a behaviour that throws answers 451 and leaves its error in `errors` */
  function decide(run: () => SinkDecision): SinkDecision {
    try {
      return run();
    } catch (err) {
      errors.push(err instanceof Error ? err : new Error(String(err)));
      return { code: 451, message: 'Test sink behaviour failed' };
    }
  }

  const server = new SMTPServer(options);
  server.on('error', (err: Error) => {
    errors.push(err);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.server.off('error', reject);
      const address = server.server.address();
      if (address === null || typeof address === 'string') reject(new Error('startSmtpSink: no TCP address'));
      else resolve(address.port);
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port,
    host: HOST,
    messages,
    errors,
    get attempts() {
      return attempts;
    },
    waitFor(count: number, timeoutMs = 5_000): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`smtp sink: ${messages.length} of ${count} messages after ${timeoutMs} ms (${attempts} attempts)`));
        }, timeoutMs);
        const wake = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}

function defaultTls(): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(join(CERTS, 'gateway.crt.pem')), key: readFileSync(join(CERTS, 'gateway.key.pem')) };
}

function envelopeOf(session: SMTPServerSession): SinkEnvelope {
  const from = session.envelope.mailFrom;
  return { from: from === false ? '' : from.address, to: session.envelope.rcptTo.map((r) => r.address) };
}

function replyError(reply: SinkReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

function peerCommonName(socket: unknown): string | undefined {
  const tlsSocket = socket as Partial<Pick<TLSSocket, 'getPeerCertificate'>>;
  if (typeof tlsSocket.getPeerCertificate !== 'function') return undefined;
  const cert = tlsSocket.getPeerCertificate();
  const cn = (cert as { subject?: Record<string, string | string[] | undefined> }).subject?.['CN'];
  if (Array.isArray(cn)) return cn[0];
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}
