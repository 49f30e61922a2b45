/**
 * The peers the demo plays, over real loopback connections: a professional sends a signed and encrypted mail to the
 * gateway by SMTP (STARTTLS), and reads what reached their mailbox, decrypted with their key and the gateway's
 * signature checked; what became of a mail the gateway took (its request's state or refusal codes, or the message's
 * refusal code).
 */
import nodemailer from 'nodemailer';
import type { Gateway } from '../gateway/start-gateway.ts';
import { buildMail, type MailAttachment } from '../mime/build-mail.ts';
import { headerValue, parseEntity } from '../mime/parse-entity.ts';
import { readMail } from '../payload/mime/find-payload.ts';
import type { Certificate } from '../pki/certificate.ts';
import type { DevParty } from '../pki/create-dev-pki.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { makeGatewayKey } from '../smime/gateway-key.ts';
import { openMessage, type OpenedMessage } from '../smime/open-message.ts';
import { sealMessage } from '../smime/seal-message.ts';
import { getMessage } from '../store/messages.ts';
import { findRequestByMessage, type RequestRow } from '../store/requests.ts';
import type { DemoMailboxes } from './demo-mailboxes.ts';

export interface DemoMail {
  opened: OpenedMessage;
  replyTo: string | undefined;
  messageId: string | undefined;
  text: string;
  /** the names of the payloads and documents attached */
  files: string[];
}

export interface SendOptions {
  attachments?: MailAttachment[];
  inReplyTo?: string;
  subject?: string;
}

export interface DemoPeers {
  /** `p` sends `text` to `to` (signed and encrypted for the gateway); the gateway's id of the message once processed */
  send(p: DevParty, to: string, text: string, opts?: SendOptions): Promise<string>;
  /** forget what reached the mailboxes so far: `open` reads what comes next */
  mark(): void;
  /** what reached `p` since the last mark, opened with their key */
  open(p: DevParty): DemoMail[];
  requestOf(messageId: string): RequestRow | undefined;
  /** the request's refusal codes (once each), else its state; for a mail that made no request, the message's refusal code, else its state */
  outcomeOf(messageId: string): string;
}

export interface DemoPeersOptions {
  gateway: Gateway;
  mailboxes: DemoMailboxes;
  /** the gateway's certificate (recipients encrypt for it) */
  gatewayCert: Certificate;
  /** the development CA (PEM): the gateway's TLS certificate and the signatures of its mail */
  caPem: Buffer;
  trust: TrustStore;
  /** the subject of the mails the peers send */
  subject: string;
}

export function createDemoPeers(o: DemoPeersOptions): DemoPeers {
  const g = o.gateway;
  let read = 0;
  return {
    async send(p, to, text, opts = {}) {
      const inner = buildMail({
        from: p.address,
        to,
        subject: opts.subject ?? o.subject,
        messageId: `<demo-${Math.random().toString(36).slice(2)}@${p.address.split('@')[1]}>`,
        date: new Date(),
        ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
        headers: { 'Disposition-Notification-To': p.address },
        text,
        attachments: opts.attachments ?? [],
      });
      const sealed = sealMessage(inner, { signerKey: p.key, signerCert: p.cert, recipients: [o.gatewayCert] });
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: g.smtpPort!, secure: false, requireTLS: true, tls: { ca: [o.caPem], servername: 'localhost' }, disableFileAccess: true, disableUrlAccess: true });
      try {
        const info = await transport.sendMail({ envelope: { from: p.address, to: [to] }, raw: sealed });
        await g.drain();
        return /queued as (\S+)/.exec(info.response)?.[1] ?? info.response;
      } finally {
        transport.close();
      }
    },
    mark() {
      read = o.mailboxes.mails.length;
    },
    open(p) {
      const mails = o.mailboxes.for(p.address, read).filter((m) => m.from !== '');
      return mails.map((m) => {
        const opened = openMessage(m.raw, { keys: [makeGatewayKey(p.key, p.cert)], trust: o.trust });
        const headers = parseEntity(opened.content).headers;
        const mail = readMail(opened.content);
        return {
          opened,
          replyTo: headerValue(headers, 'reply-to'),
          messageId: headerValue(headers, 'message-id'),
          text: mail.ok ? (mail.value.text ?? '') : '',
          files: mail.ok ? [...mail.value.payloads.map((x) => x.name ?? ''), ...mail.value.documents.map((d) => d.attachment.name ?? '')] : [],
        };
      });
    },
    requestOf: (messageId) => findRequestByMessage(g.db, messageId),
    outcomeOf(messageId) {
      const r = findRequestByMessage(g.db, messageId);
      if (r) return [...new Set(r.refusalCodes)].join(', ') || r.state;
      const m = getMessage(g.db, messageId);
      return m?.refusalCode ?? m?.state ?? 'lost';
    },
  };
}
