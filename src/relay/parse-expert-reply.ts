/**
 * An expert's reply to a forwarded request, from the inner MIME bytes the S/MIME engine opened: what they said
 * (accept, decline, ask, opinion, correction), its text and documents, and what correlates it with the request
 * (the referral id the payload names, In-Reply-To, References, the To address). Pure.
 *
 * An attached HL7 v2 OSU^O51 / RRI^I12 or FHIR Task (or opinion document Bundle) says it (read-structured-reply.ts);
 * otherwise the first non-empty line of the text body, quoted text removed (strip-quoted-reply.ts), is the verb
 * (reply-verbs.ts) and what follows is the text. Problems: REPLY_NO_VERB (the pipeline answers with
 * buildReplyHelp), REPLY_TEXT_MISSING (a decline without its reason, a question without the question, an opinion
 * with neither text nor document), REPLY_AMBIGUOUS (two attached answers), REPLY_PAYLOAD_INVALID and
 * REPLY_UNSUPPORTED_STATUS (an attached answer that cannot be read, with the HL7/FHIR problems), PAYLOAD_MALFORMED
 * (the MIME structure).
 */
import type { Identifier } from '../domain/canonical-request.ts';
import { fail, ok, type Problem, type Result } from '../errors/result.ts';
import { headerValue, parseEntity } from '../mime/parse-entity.ts';
import { readMail, type PayloadPart } from '../payload/mime/find-payload.ts';
import { buildPayloadDocument, type PayloadDocument } from '../payload/mime/payload-document.ts';
import { readFhirReply, readHl7v2Reply, type StructuredReply } from './read-structured-reply.ts';
import { matchVerbLine, type ReplyVerb } from './reply-verbs.ts';
import { stripQuotedReply } from './strip-quoted-reply.ts';

export { REPLY_VERBS, type ReplyLanguage, type ReplyVerb } from './reply-verbs.ts';
export { buildReplyHelp } from './build-reply-help.ts';

export interface ExpertReply {
  verb: ReplyVerb;
  /** decline: the reason; ask: the question to the requester; opinion/correction: the opinion text (without the verb line and without the quoted original) */
  text?: string;
  /** attached documents (the opinion's report, images…), as src/payload/mime/payload-document.ts builds them */
  documents: PayloadDocument[];
  /** how it was said: a plain mail whose first line is the verb, an HL7 v2 OSU^O51/RRI^I12, or a FHIR Task/Bundle */
  source: 'text' | 'hl7v2' | 'fhir';
  /** for correlation: the referral id the payload names (ORC-2 / RF1-6 / Task.basedOn identifier), In-Reply-To, References, the To address */
  referral?: Identifier;
  inReplyTo?: string;
  references: string[];
  to?: string;
  from?: string;
}

const MSG_ID = /<[^<>\s]+>/g;

/** The msg-ids of a header (`<id@host>`); a bare id without brackets as given. */
function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const ids = value.match(MSG_ID);
  if (ids) return ids;
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [bare] : [];
}

/** HTML character references readMail's HTML-to-text leaves (&#39;, &#x2019;, &eacute;…). */
const NAMED: Readonly<Record<string, string>> = { apos: "'", rsquo: '\u2019', lsquo: '\u2018', eacute: 'é', egrave: 'è', agrave: 'à', ccedil: 'ç', ecirc: 'ê', ocirc: 'ô', atilde: 'ã', otilde: 'õ', ndash: '\u2013', mdash: '\u2014', hellip: '\u2026' };

function decodeReferences(text: string): string {
  return text.replace(/&(#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([a-z]+));/g, (whole, _n, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? whole;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
  });
}

/** The verb and text of a plain mail body. */
function readTextReply(body: string | undefined): Result<{ verb: ReplyVerb; text?: string }> {
  const lines = stripQuotedReply(decodeReferences(body ?? '')).split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  const line = first < 0 ? undefined : matchVerbLine(lines[first]!);
  if (!line) {
    const message = first < 0 ? 'the reply has no text' : 'the first line is not one of the verbs';
    return fail({ code: 'REPLY_NO_VERB', path: 'message.text', message: `${message}: write ACCEPT, DECLINE, QUESTION, OPINION or CORRECTION (or the word in your language) on the first line` });
  }
  // trailing white space of each line goes (format=flowed soft breaks, editors' padding)
  const text = [line.rest, ...lines.slice(first + 1)]
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
  return ok({ verb: line.verb, ...(text ? { text } : {}) });
}

/** A reason, a question and an opinion (text or documents) are required. */
function checkText(verb: ReplyVerb, text: string | undefined, documents: readonly PayloadDocument[], path: string): Problem[] {
  const has = text !== undefined && text.trim() !== '';
  if (verb === 'decline' && !has) return [{ code: 'REPLY_TEXT_MISSING', path, message: 'a decline needs its reason' }];
  if (verb === 'ask' && !has) return [{ code: 'REPLY_TEXT_MISSING', path, message: 'a request for information needs the question for the requester' }];
  if ((verb === 'opinion' || verb === 'correction') && !has && documents.length === 0) {
    return [{ code: 'REPLY_TEXT_MISSING', path, message: `${verb === 'opinion' ? 'an opinion' : 'a correction'} needs a text or an attached document` }];
  }
  return [];
}

/** The mail's documents after the payload's own, without repeating the same bytes. */
function mergeDocuments(first: readonly PayloadDocument[], second: readonly PayloadDocument[]): PayloadDocument[] {
  const seen = new Set<string>();
  return [...first, ...second].filter((d) => !seen.has(d.attachment.sha256) && seen.add(d.attachment.sha256));
}

export function parseExpertReply(inner: Buffer): Result<ExpertReply> {
  const read = readMail(inner);
  if (!read.ok) return read;
  const mail = read.value;
  const headers = parseEntity(inner).headers;
  const inReplyTo = messageIds(headerValue(headers, 'in-reply-to'))[0];
  const references = messageIds(headers.filter((h) => h.key === 'references').map((h) => h.value).join(' '));
  const envelope = {
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    ...(mail.to ? { to: mail.to } : {}),
    ...(mail.from ? { from: mail.from } : {}),
  };

  const readings = [
    ...mail.payloads.filter((p) => p.kind === 'hl7v2').map(readHl7v2Reply),
    readFhirReply(mail.payloads.filter((p) => p.kind === 'fhir')),
  ];
  const invalid = readings.flatMap((r) => (r.kind === 'invalid' ? r.problems : []));
  if (invalid.length > 0) return fail(...invalid);
  const replies: StructuredReply[] = readings.flatMap((r) => (r.kind === 'reply' ? [r.reply] : []));
  if (replies.length > 1) {
    return fail(...replies.map((r) => ({ code: 'REPLY_AMBIGUOUS', path: r.path, message: `more than one attached answer (${r.source})` })));
  }
  const carried = readings.flatMap((r) => (r.kind === 'none' && r.document ? [r.document] : []));
  const mailDocuments = mergeDocuments(mail.documents, carried);
  const structured = replies[0];
  if (structured) {
    const documents = mergeDocuments(structured.documents, mailDocuments);
    const problems = checkText(structured.verb, structured.text, documents, structured.path);
    if (problems.length > 0) return fail(...problems);
    return ok({
      verb: structured.verb,
      ...(structured.text ? { text: structured.text } : {}),
      documents,
      source: structured.source,
      ...(structured.referral ? { referral: structured.referral } : {}),
      ...envelope,
    });
  }

  const said = readTextReply(mail.text);
  if (!said.ok) return said;
  const { verb, text } = said.value;
  // an IHE_XDM.ZIP attached to a plain reply (an MSSanté client's report) travels as a document
  const xdm = mail.payloads.filter((p) => p.kind === 'xdm').map((p) => buildPayloadDocument(p.bytes, { contentType: p.contentType, ...(p.name ? { name: p.name } : {}) }));
  const documents = mergeDocuments(mailDocuments, xdm);
  const problems = checkText(verb, text, documents, 'message.text');
  if (problems.length > 0) return fail(...problems);
  return ok({ verb, ...(text ? { text } : {}), documents, source: 'text', ...envelope });
}

/**
 * An expert's reply made over the FHIR API: the Task as the expert changed it (and the Communication that carries a
 * question, or the opinion's document Bundle), read like the same resources attached to a mail.
 */
export function parseFhirApiReply(resources: readonly unknown[]): Result<ExpertReply> {
  const parts: PayloadPart[] = resources.map((r, i) => ({ kind: 'fhir', contentType: 'application/fhir+json', bytes: Buffer.from(JSON.stringify(r)), path: `resource[${i}]` }));
  const reading = readFhirReply(parts);
  if (reading.kind === 'invalid') return fail(...reading.problems);
  if (reading.kind === 'none') return fail({ code: 'REPLY_NO_VERB', path: 'Task.status', message: 'the Task status says no answer' });
  const { reply } = reading;
  const problems = checkText(reply.verb, reply.text, reply.documents, reply.path);
  if (problems.length > 0) return fail(...problems);
  return ok({ verb: reply.verb, ...(reply.text ? { text: reply.text } : {}), documents: reply.documents, source: 'fhir', ...(reply.referral ? { referral: reply.referral } : {}), references: [] });
}
