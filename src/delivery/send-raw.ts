/**
 * One SMTP delivery attempt of an already sealed message, over a fresh connection or a pooled one.
 *
 * No retry here: the outcome says whether to try again (`temporary`) or not (`permanent`), and
 * the caller keeps the schedule (see retry-policy.ts). `sendRaw` never throws.
 *
 * | what happened                                              | status    | code              |
 * |------------------------------------------------------------|-----------|-------------------|
 * | every recipient accepted, message accepted (2xx)           | sent      |                   |
 * | some recipients refused at RCPT, the others accepted       | sent      | (`rejected`, `rejections` per recipient) |
 * | a 4xx reply (greeting, MAIL, RCPT for all, DATA, 421 ...)  | temporary | SMTP_4XX          |
 * | a 5xx reply, except 503                                    | permanent | SMTP_5XX          |
 * | 503 "bad sequence of commands" (session state, not the message) | temporary | SMTP_5XX     |
 * | STARTTLS required but not offered / refused (or EHLO refused) | temporary | SMTP_TLS_REQUIRED |
 * | certificate not trusted, wrong name, handshake failure, mutual TLS refused | temporary | SMTP_TLS_FAILED |
 * | connect, greeting, STARTTLS or idle timeout; `deadlineMs` reached | temporary | SMTP_TIMEOUT |
 * | connection refused / reset / closed, DNS failure, protocol garbage, anything unexpected | temporary | SMTP_CONNECTION |
 * | larger than the SIZE the peer announced (checked before sending, reported as RFC 1870's 552) | permanent | SMTP_5XX |
 * | refused before connecting: no recipient, an address that is not a plain addr-spec, empty message | permanent | SMTP_INVALID |
 *
 * When every recipient is refused at RCPT TO, the outcome is a failure: temporary if any refusal
 * was 4xx, else permanent; `rejections` then lists each recipient's reply.
 */
import { domainToASCII } from 'node:url';
import { openSmtpConnection, sendOnConnection, smtpEnvelopeOf, type SmtpConnectionOptions, type SmtpSent } from './smtp-session.ts';
import type { SmtpRoute } from './smtp-route.ts';
import type { TransportPool } from './transport-pool.ts';

export { createTransportPool, type TransportPool } from './transport-pool.ts';

export type SendFailureCode =
  | 'SMTP_4XX'
  | 'SMTP_5XX'
  | 'SMTP_CONNECTION'
  | 'SMTP_TIMEOUT'
  | 'SMTP_TLS_REQUIRED'
  | 'SMTP_TLS_FAILED'
  | 'SMTP_INVALID';

/** One recipient refused at RCPT TO (the message may still have gone to the others). */
export interface RecipientRejection {
  recipient: string;
  /** permanent for 5xx (except 503), temporary otherwise: retry this recipient only */
  status: 'temporary' | 'permanent';
  smtpCode?: number;
  response: string;
}

export type SendOutcome =
  | {
      status: 'sent';
      /** the peer's final reply to the message data, e.g. "250 2.0.0 Ok: queued as ABC" */
      response: string;
      accepted: string[];
      /**
       * Recipients refused at RCPT TO while others were accepted. The message was sent to
       * `accepted` only: the caller records each rejected recipient's own state from `rejections`
       * (fail the permanent ones, retry the temporary ones) and must not resend to `accepted`.
       */
      rejected: string[];
      rejections: RecipientRejection[];
    }
  | {
      status: 'temporary' | 'permanent';
      code: SendFailureCode;
      /** the SMTP reply code, when the failure is a reply */
      smtpCode?: number;
      /** the peer's reply, or what went wrong (for the operator's log: may name addresses) */
      response: string;
      /** when every recipient was refused: each one's reply */
      rejections?: RecipientRejection[];
    };

export type SendFailure = Extract<SendOutcome, { code: SendFailureCode }>;

export interface SendRawOptions {
  /** reuse pooled connections (one pool per route) instead of one connection per message */
  pool?: TransportPool;
  /** connect (DNS included) + greeting + STARTTLS budget, and the longest silence of the peer */
  timeoutMs: number;
  /** the name sent with EHLO; default: this host's name */
  name?: string;
  /** optional ceiling on the whole attempt (a peer that trickles bytes never hits `timeoutMs`) */
  deadlineMs?: number;
}

/**
 * Sends `raw` (RFC 5322 bytes, CRLF line ends) to `envelope.to` through `route`, once.
 *
 * The bytes go out as given, dot-stuffed; nodemailer turns a bare CR or LF into CRLF and adds a
 * final CRLF when missing, so a message already in canonical CRLF form arrives byte for byte.
 *
 * Addresses must be plain addr-specs (`local@domain`, dot-atom local part, no quoting, no
 * address literal; `from` may be '' for the null sender): a list (`a@x, b@y`), a command
 * (`a@b>\r\nRCPT TO:<c@d`) or anything that would need quoting (`a..b@x`) is refused here
 * (SMTP_INVALID) before connecting. The envelope goes out with each domain lower case and punycoded,
 * each recipient once; `accepted`, `rejected` and `rejections` use the caller's spelling of each address.
 */
export async function sendRaw(
  route: SmtpRoute,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  opts: SendRawOptions,
): Promise<SendOutcome> {
  const invalid = requestProblem(envelope, raw);
  if (invalid !== undefined) return { status: 'permanent', code: 'SMTP_INVALID', response: invalid };
  const abort = new AbortController();
  const deadline =
    opts.deadlineMs === undefined ? undefined : setTimeout(() => abort.abort(), Math.max(0, opts.deadlineMs));
  try {
    // SIZE= on MAIL FROM (RFC 1870): a peer's announced limit is checked before any byte goes
    const smtpEnvelope = smtpEnvelopeOf(envelope, raw.length);
    const options = transportOptions(route, opts);
    const info = opts.pool ? await opts.pool.send(route, options, smtpEnvelope, raw, abort.signal) : await sendOverNewConnection(options, smtpEnvelope, raw, abort.signal);
    const rejections = recipientRejections(info.rejectedErrors);
    return {
      status: 'sent',
      response: info.response,
      accepted: info.accepted.map((a) => callerSpelling(a, envelope.to)),
      rejected: info.rejected.map((a) => callerSpelling(a, envelope.to)),
      rejections: rejections.map((r) => ({ ...r, recipient: callerSpelling(r.recipient, envelope.to) })),
    };
  } catch (err) {
    if (abort.signal.aborted) {
      return { status: 'temporary', code: 'SMTP_TIMEOUT', response: `Delivery attempt exceeded ${opts.deadlineMs} ms` };
    }
    const failure = classifySendError(err, route.requireTls && !route.secure);
    if (failure.rejections) {
      failure.rejections = failure.rejections.map((r) => ({ ...r, recipient: callerSpelling(r.recipient, envelope.to) }));
    }
    return failure;
  } finally {
    if (deadline !== undefined) clearTimeout(deadline);
  }
}

/** local part: dot-atom (RFC 5321 atext, UTF-8 allowed); domain: a name IDNA accepts. */
const LOCAL_PART = /^[^\x00-\x20\x7f@<>()[\]\\,;:"]+$/;

function requestProblem(envelope: { from: string; to: string[] }, raw: Buffer): string | undefined {
  if (raw.length === 0) return 'Empty message';
  if (envelope.to.length === 0) return 'No recipients';
  if (envelope.from !== '' && addressKey(envelope.from) === undefined) return `Invalid sender ${JSON.stringify(envelope.from)}`;
  for (const to of envelope.to) {
    if (addressKey(to) === undefined) return `Invalid recipient ${JSON.stringify(to)}`;
  }
  return undefined;
}

/** `local@ascii-domain` for a plain addr-spec, undefined for anything else. */
function addressKey(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  if (!LOCAL_PART.test(domain)) return undefined;
  const ascii = domainToASCII(domain);
  if (ascii === '') return undefined;
  return `${local}@${ascii}`;
}

/** The caller's spelling of an address nodemailer reports (domain lowercased / punycoded). */
function callerSpelling(reported: string, originals: readonly string[]): string {
  const key = addressKey(reported);
  return originals.find((o) => o === reported) ?? originals.find((o) => key !== undefined && addressKey(o) === key) ?? reported;
}

/** One connection of its own, closed after the message. */
async function sendOverNewConnection(options: SmtpConnectionOptions, envelope: ReturnType<typeof smtpEnvelopeOf>, raw: Buffer, signal: AbortSignal): Promise<SmtpSent> {
  const conn = await openSmtpConnection(options, signal);
  try {
    return await sendOnConnection(conn, envelope, raw, signal);
  } finally {
    if (!conn.destroyed) conn.close();
  }
}

function transportOptions(route: SmtpRoute, opts: SendRawOptions): SmtpConnectionOptions {
  const requireTls = route.requireTls && !route.secure;
  return {
    host: route.host,
    port: route.port,
    secure: route.secure,
    requireTLS: requireTls,
    ignoreTLS: false,
    // without requireTls, a STARTTLS the peer offers then refuses is not worth a failure
    // (RFC 3207); a certificate that does not verify still is
    opportunisticTLS: !requireTls,
    ...(route.servername !== undefined ? { servername: route.servername } : {}),
    tls: {
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      // an empty list leaves Node's built-in root store
      ...(route.ca.length > 0 ? { ca: [...route.ca] } : {}),
      ...(route.clientCert ? { cert: route.clientCert.cert, key: route.clientCert.key } : {}),
      ...(route.servername !== undefined ? { servername: route.servername } : {}),
    },
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
    dnsTimeout: opts.timeoutMs,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    logger: false,
    debug: false,
  };
}

/** The fields nodemailer attaches to its errors (see NodemailerError), read defensively. */
interface ErrorFields {
  message: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejectedErrors?: unknown;
}

/**
 * Turns whatever `sendMail` rejected with into a failure outcome (the table above).
 * `requireTls`: STARTTLS was required for this attempt. Exported for tests.
 */
export function classifySendError(err: unknown, requireTls: boolean): SendFailure {
  const e = errorFields(err);
  const response = e.response ?? e.message;
  const smtp = e.responseCode !== undefined ? { smtpCode: e.responseCode } : {};
  const rejections = recipientRejections(e.rejectedErrors);
  const extra = rejections.length > 0 ? { rejections } : {};

  if (e.code === 'ETIMEDOUT') return { status: 'temporary', code: 'SMTP_TIMEOUT', response, ...smtp };
  if (e.code === 'ETLS') {
    // a reply to STARTTLS that is not 220: the peer does not do TLS
    const refused = e.command === 'STARTTLS' && e.responseCode !== undefined;
    return { status: 'temporary', code: refused ? 'SMTP_TLS_REQUIRED' : 'SMTP_TLS_FAILED', response, ...smtp };
  }
  if (requireTls && e.command === 'EHLO' && e.responseCode !== undefined && e.responseCode !== 421) {
    // EHLO refused: the HELO fallback cannot offer STARTTLS
    return { status: 'temporary', code: 'SMTP_TLS_REQUIRED', response, ...smtp };
  }
  if (isTlsErrorCode(e.originalCode) || isTlsErrorCode(e.code)) {
    return { status: 'temporary', code: 'SMTP_TLS_FAILED', response };
  }
  if (e.responseCode !== undefined) {
    const rc = e.responseCode;
    if (rc >= 400 && rc < 500) return { status: 'temporary', code: 'SMTP_4XX', response, ...smtp, ...extra };
    if (rc >= 500 && rc < 600) {
      return { status: isPermanentReply(rc) ? 'permanent' : 'temporary', code: 'SMTP_5XX', response, ...smtp, ...extra };
    }
    // an unexpected 2xx or 3xx where another reply was due
    return { status: 'temporary', code: 'SMTP_CONNECTION', response, ...smtp };
  }
  if (e.code === 'EMESSAGE' && e.command === 'MAIL FROM' && /size/i.test(e.message)) {
    // nodemailer compared the message with the SIZE the peer announced: the peer's own answer
    // would have been 552 (RFC 1870), so report it the same way
    return { status: 'permanent', code: 'SMTP_5XX', smtpCode: 552, response };
  }
  if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && (e.command === 'API' || e.command === 'MAIL FROM')) {
    // refused by nodemailer before anything was sent: sending again cannot help
    return { status: 'permanent', code: 'SMTP_INVALID', response };
  }
  return { status: 'temporary', code: 'SMTP_CONNECTION', response };
}

/** 5xx is permanent except 503 (bad sequence of commands: the session, not the message). */
function isPermanentReply(code: number): boolean {
  return code >= 500 && code < 600 && code !== 503;
}

const X509_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** Node's and OpenSSL's codes for certificate and handshake failures. */
function isTlsErrorCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return (
    X509_VERIFY_CODES.has(code) ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_OSSL_')
  );
}

function recipientRejections(list: unknown): RecipientRejection[] {
  if (!Array.isArray(list)) return [];
  const out: RecipientRejection[] = [];
  for (const item of list) {
    const e = errorFields(item);
    const recipient = (item as { recipient?: unknown }).recipient;
    if (typeof recipient !== 'string') continue;
    out.push({
      recipient,
      status: e.responseCode !== undefined && isPermanentReply(e.responseCode) ? 'permanent' : 'temporary',
      ...(e.responseCode !== undefined ? { smtpCode: e.responseCode } : {}),
      response: e.response ?? e.message,
    });
  }
  return out;
}

function errorFields(err: unknown): ErrorFields {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const o = err as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const responseCode = typeof o['responseCode'] === 'number' && Number.isFinite(o['responseCode']) ? o['responseCode'] : undefined;
  const fields: ErrorFields = { message: str(o['message']) ?? String(err) };
  const code = str(o['code']);
  const originalCode = str(o['originalCode']);
  const response = str(o['response']);
  const command = str(o['command']);
  if (code !== undefined) fields.code = code;
  if (originalCode !== undefined) fields.originalCode = originalCode;
  if (responseCode !== undefined) fields.responseCode = responseCode;
  if (response !== undefined) fields.response = response;
  if (command !== undefined) fields.command = command;
  if (o['rejectedErrors'] !== undefined) fields.rejectedErrors = o['rejectedErrors'];
  return fields;
}
