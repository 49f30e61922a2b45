/** Inner messages as an expert's mail program sends them (after `txgate smime open`): plain, HTML, with attachments. */
import { encodeBase64Lines } from '../../src/mime/decode-body.ts';

export const GATEWAY_REPLY_ADDRESS = 'req-7f3a@gw.txgate.test';
export const EXPERT_ADDRESS = 'elise.dupre@cardio.test';
export const FORWARD_ID = '<forward-7f3a@gw.txgate.test>';

export interface ReplyPart {
  type: string;
  name?: string;
  data: Buffer | string;
}

export interface ReplyOptions {
  /** text/plain (default) or text/html */
  bodyType?: 'text/plain' | 'text/html';
  parts?: ReplyPart[];
  headers?: string[];
  eol?: string;
}

export function replyMail(body: string, options: ReplyOptions = {}): Buffer {
  const eol = options.eol ?? '\r\n';
  const head = [
    `From: Dr Élise Dupré <${EXPERT_ADDRESS}>`,
    `To: txgate <${GATEWAY_REPLY_ADDRESS}>`,
    'Subject: Re: Demande de téléexpertise',
    'Message-ID: <reply-1@cardio.test>',
    `In-Reply-To: ${FORWARD_ID}`,
    `References: <request-1@medecin.test> ${FORWARD_ID}`,
    ...(options.headers ?? []),
    'MIME-Version: 1.0',
  ];
  const bodyType = options.bodyType ?? 'text/plain';
  const bodyPart = [`Content-Type: ${bodyType}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', encodeBase64Lines(Buffer.from(body)).trimEnd().split('\r\n').join(eol)];
  const parts = options.parts ?? [];
  if (parts.length === 0) return Buffer.from([...head, ...bodyPart, ''].join(eol));
  const lines = [...head, 'Content-Type: multipart/mixed; boundary="b-reply"', '', '--b-reply', ...bodyPart];
  for (const p of parts) {
    const data = typeof p.data === 'string' ? Buffer.from(p.data) : p.data;
    lines.push('--b-reply', `Content-Type: ${p.type}${p.name ? `; name="${p.name}"` : ''}`, 'Content-Transfer-Encoding: base64');
    if (p.name) lines.push(`Content-Disposition: attachment; filename="${p.name}"`);
    lines.push('', encodeBase64Lines(data).trimEnd().split('\r\n').join(eol));
  }
  lines.push('--b-reply--', '');
  return Buffer.from(lines.join(eol));
}

/** Without accents, Vietnamese marks or Đ: as typed on a keyboard without them. */
export function unaccented(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/Đ/g, 'D')
    .replace(/đ/g, 'd');
}
