/**
 * SMTP intake (smtp-server): STARTTLS (TLS 1.2 minimum), optional client certificates, only hosted
 * addresses, limits per message, connection and client address, fixed replies, and 250 only once the
 * raw bytes and the envelope are committed. Decryption is not done here: keys are not needed to accept.
 */
import type { Server as NetServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../log/logger.ts';
import { parseContentType } from '../../mime/content-type.ts';
import { headerValue, parseEntity } from '../../mime/parse-entity.ts';
import { createClientRateLimit } from './client-rate-limit.ts';
import { smtpReply } from './smtp-replies.ts';

export interface IntakeMessage {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  messageId: string | undefined;
  remoteAddress: string;
  tls: boolean;
  clientCert: string | undefined;
}

/** The intake's TLS: its key and certificate (PEM, chain after the leaf), and the CAs trusted for client certificates. */
export interface IntakeTls {
  key: Buffer;
  cert: Buffer;
  ca: Buffer[];
}

export interface IntakeOptions {
  host: string;
  port: number;
  implicitTlsPort: number | null;
  tls: IntakeTls;
  /** refuse MAIL before STARTTLS */
  requireTls: boolean;
  requireClientCert: boolean;
  maxMessageBytes: number;
  maxRecipients: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  /** messages accepted (250 after DATA) from one client address per minute; checked at MAIL (see client-rate-limit.ts) */
  maxMessagesPerClientPerMinute: number;
  socketTimeoutMs: number;
  greeting: string;
  domain: string;
  /** hosted addresses, lower case */
  addresses: string[];
  /** stores durably; rejects on failure. Resolves to the id and whether it was a duplicate. */
  store(m: IntakeMessage): Promise<{ id: string; duplicate: boolean }>;
  onAccepted(id: string): void;
  log: Logger;
}

export interface SmtpIntake {
  port: number;
  implicitTlsPort: number | undefined;
  /**
   * New TLS material for the connections to come (SIGHUP: renewed certificate, changed client CAs); sessions
   * already in TLS keep theirs. Throws, changing nothing, if the key and certificate do not make a TLS context.
   */
  updateTls(tls: IntakeTls): void;
  /** 421 to new connections, let transactions in flight finish (at most `graceMs`), then close */
  drain(graceMs?: number): Promise<void>;
}

/** Is this the kind of message the gateway takes: S/MIME, or a delivery status report (MTAs send those in clear)? */
export function isAcceptableContent(raw: Buffer): boolean {
  let ct;
  try {
    ct = parseContentType(headerValue(parseEntity(raw).headers, 'content-type'));
  } catch {
    return false;
  }
  if (ct.mediaType === 'application/pkcs7-mime' || ct.mediaType === 'application/x-pkcs7-mime') return true;
  if (ct.mediaType === 'multipart/signed') return true;
  return ct.mediaType === 'multipart/report' && (ct.params['report-type'] ?? '').toLowerCase() === 'delivery-status';
}

function messageIdOf(raw: Buffer): string | undefined {
  try {
    return headerValue(parseEntity(raw).headers, 'message-id')?.trim() || undefined;
  } catch {
    return undefined;
  }
}

interface SessionInfo {
  clientCert?: string;
  authorized: boolean;
}

export async function startSmtpIntake(o: IntakeOptions): Promise<SmtpIntake> {
  const perClient = new Map<string, number>();
  // messages accepted per client address, timed by a monotonic clock (performance.now): a change of the wall
  // clock neither lifts nor extends a client's limit
  const rate = createClientRateLimit(o.maxMessagesPerClientPerMinute, 60_000);
  const sessions = new Map<string, SessionInfo>();
  const hosted = new Set(o.addresses.map((a) => a.toLowerCase()));
  let draining = false;
  let inFlight = 0;

  // client certificates are asked for (and checked against `ca`) when required, or when CAs are given for them
  const askClientCert = o.requireClientCert || o.tls.ca.length > 0;
  const tlsOptionsOf = (t: IntakeTls) => ({ key: t.key, cert: t.cert, ...(askClientCert ? { ca: t.ca } : {}) });

  const options: SMTPServerOptions = {
    name: o.domain,
    banner: o.greeting,
    ...tlsOptionsOf(o.tls),
    ...(askClientCert ? { requestCert: true, rejectUnauthorized: false } : {}),
    minVersion: 'TLSv1.2',
    size: o.maxMessageBytes,
    authOptional: true,
    disabledCommands: ['AUTH'],
    maxClients: o.maxConnections,
    socketTimeout: o.socketTimeoutMs,
    closeTimeout: 5000,
    logger: false,
    hideENHANCEDSTATUSCODES: true,

    onConnect(session, callback) {
      if (draining) return callback(smtpReply('SHUTTING_DOWN'));
      const ip = session.remoteAddress;
      const n = (perClient.get(ip) ?? 0) + 1;
      if (n > o.maxConnectionsPerClient) return callback(smtpReply('TOO_MANY_CONNECTIONS'));
      perClient.set(ip, n);
      sessions.set(session.id, { authorized: false });
      callback();
    },

    onSecure(socket, session, callback) {
      const tlsSocket = socket as TLSSocket;
      const info = sessions.get(session.id) ?? { authorized: false };
      info.authorized = tlsSocket.authorized === true;
      const peer = tlsSocket.getPeerCertificate?.();
      if (peer && peer.subject) info.clientCert = Array.isArray(peer.subject.CN) ? peer.subject.CN.join(',') : peer.subject.CN;
      sessions.set(session.id, info);
      if (o.requireClientCert && !info.authorized) return callback(smtpReply('CLIENT_CERT_REQUIRED'));
      callback();
    },

    onClose(session) {
      // smtp-server calls onClose for refused connections too: only those onConnect admitted (and counted) free a slot
      if (!sessions.has(session.id)) return;
      const ip = session.remoteAddress;
      const n = (perClient.get(ip) ?? 1) - 1;
      if (n <= 0) perClient.delete(ip);
      else perClient.set(ip, n);
      sessions.delete(session.id);
    },

    onMailFrom(_address: SMTPServerAddress, session: SMTPServerSession, callback) {
      if (draining) return callback(smtpReply('SHUTTING_DOWN'));
      if (o.requireTls && !session.secure) return callback(smtpReply('TLS_REQUIRED'));
      if (o.requireClientCert && !sessions.get(session.id)?.authorized) return callback(smtpReply('CLIENT_CERT_REQUIRED'));
      // counted when a message is accepted (below, in onData), checked here before the client sends it
      if (!rate.allows(session.remoteAddress, performance.now())) return callback(smtpReply('RATE_LIMITED'));
      callback();
    },

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      const addr = address.address.toLowerCase();
      const at = addr.lastIndexOf('@');
      if (at <= 0) return callback(smtpReply('BAD_ADDRESS'));
      if (addr.slice(at + 1) !== o.domain.toLowerCase()) return callback(smtpReply('RELAY_DENIED'));
      if (!isHosted(hosted, addr, at)) return callback(smtpReply('UNKNOWN_USER'));
      if (session.envelope.rcptTo.length >= o.maxRecipients) return callback(smtpReply('TOO_MANY_RECIPIENTS'));
      callback();
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      inFlight++;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= o.maxMessageBytes) chunks.push(chunk);
      });
      stream.on('error', () => {
        inFlight--;
        callback(smtpReply('TEMPORARY'));
      });
      stream.on('end', () => {
        void (async () => {
          try {
            if (stream.sizeExceeded || size > o.maxMessageBytes) return callback(smtpReply('TOO_LARGE'));
            const raw = Buffer.concat(chunks);
            if (!isAcceptableContent(raw)) return callback(smtpReply('NOT_SECURE_MAIL'));
            const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
            const info = sessions.get(session.id);
            let stored: { id: string; duplicate: boolean };
            try {
              stored = await o.store({
                envelopeFrom: from,
                envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                raw,
                messageId: messageIdOf(raw),
                remoteAddress: session.remoteAddress,
                tls: session.secure,
                clientCert: info?.clientCert,
              });
            } catch (err) {
              o.log.error('intake: could not store a message', { error: (err as Error).message, session: session.id });
              return callback(smtpReply('TEMPORARY'));
            }
            rate.record(session.remoteAddress, performance.now());
            o.log.info(stored.duplicate ? 'intake: duplicate accepted again, not stored twice' : 'intake: accepted', { message: stored.id, size: raw.length, client: session.remoteAddress });
            if (!stored.duplicate) o.onAccepted(stored.id);
            callback(null, `2.0.0 Ok: queued as ${stored.id}`);
          } finally {
            inFlight--;
          }
        })();
      });
    },
  };

  const servers: SMTPServer[] = [];
  const listen = (server: SMTPServer, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.on('error', (err: Error) => o.log.warn('smtp: connection error', { error: err.message }));
      const net: NetServer = server.listen(port, o.host, () => resolve((net.address() as { port: number }).port));
      net.once('error', reject);
    });
  const plain = new SMTPServer({ ...options, secure: false });
  servers.push(plain);
  const port = await listen(plain, o.port);
  let implicitTlsPort: number | undefined;
  if (o.implicitTlsPort !== null) {
    const implicit = new SMTPServer({ ...options, secure: true });
    servers.push(implicit);
    implicitTlsPort = await listen(implicit, o.implicitTlsPort);
  }

  return {
    port,
    implicitTlsPort,
    updateTls(tls) {
      const next = tlsOptionsOf(tls);
      // smtp-server's updateSecureContext empties its contexts before building the new one: a key that does not
      // match its certificate would leave the servers with none. Build it here first, where a throw changes nothing.
      createSecureContext({ ...next, minVersion: 'TLSv1.2' });
      for (const s of servers) s.updateSecureContext(next);
    },
    async drain(graceMs = 10_000) {
      draining = true;
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/**
 * A hosted address, or a sub-address of one (RFC 5233: `gateway+req-123@domain` for `gateway@domain`): the gateway
 * gives each request its own reply address that way. `at` is the index of the @ in `addr` (lower case).
 */
export function isHosted(hosted: ReadonlySet<string>, addr: string, at: number): boolean {
  if (hosted.has(addr)) return true;
  const plus = addr.indexOf('+');
  return plus > 0 && plus < at && hosted.has(`${addr.slice(0, plus)}${addr.slice(at)}`);
}
