import { ok, type Problem, type Result } from '../../errors/result.ts';
import { storeBlob } from '../../payload/blob-store.ts';
import { parseFhirPayload } from '../../payload/fhir/parse-fhir-request.ts';
import { parseHl7v2Request } from '../../payload/hl7v2/parse-hl7v2-request.ts';
import { looksLikeForm, parseFormPayload } from '../../payload/form/parse-form.ts';
import { readMail } from '../../payload/mime/find-payload.ts';
import { parseMimeRequest } from '../../payload/mime/parse-mime-request.ts';
import type { ParsedRequest } from '../../payload/mime/parsed-request.ts';
import { sniffPayloadDialect } from '../../payload/mime/sniff-payload-dialect.ts';
import { parseXdmPayload } from '../../payload/xdm/parse-xdm-request.ts';
import { readAll, str, UsageError, type Command } from '../command.ts';

const DIALECTS = ['auto', 'hl7v2', 'fhir', 'xdm', 'form', 'mime'] as const;
type Dialect = (typeof DIALECTS)[number];

/** the largest input read */
export const MAX_INPUT_BYTES = 100 * 1024 * 1024;

function parseAs(dialect: Exclude<Dialect, 'auto'>, bytes: Buffer): Result<ParsedRequest> {
  switch (dialect) {
    case 'fhir':
      return parseFhirPayload(bytes, { channel: 'fhir' });
    case 'xdm':
      return parseXdmPayload(bytes);
    case 'hl7v2':
      return parseHl7v2(bytes);
    case 'form': {
      // a whole mail (headers, attachments) or the bare text of the form
      if (sniffPayloadDialect(bytes) !== 'mime') return parseFormPayload(bytes.toString('utf8'));
      const mail = readMail(bytes);
      if (!mail.ok) return mail;
      const { text, from, to, documents } = mail.value;
      return parseFormPayload(text ?? '', { ...(from ? { from } : {}), ...(to ? { to } : {}), documents });
    }
    case 'mime':
      return parseMimeRequest(bytes, { hl7v2: parseHl7v2 });
  }
}

/** An HL7 v2 request (the canonical request is what is printed: its documents are not read). */
function parseHl7v2(bytes: Buffer): Result<ParsedRequest> {
  const r = parseHl7v2Request(bytes);
  return r.ok ? ok({ request: r.value, documents: [] }) : r;
}

function printProblems(out: NodeJS.WritableStream, problems: Problem[]): number {
  out.write(`${JSON.stringify({ ok: false, problems: problems.map(({ code, path, message }) => ({ code, path, message })) })}\n`);
  return 1;
}

export const payloadParseCommand: Command = {
  path: ['payload', 'parse'],
  summary: 'read a tele-expertise payload from standard input and print the canonical request',
  details: `Dialects: hl7v2 (IHE 360X OMG^O19, REF^I12), fhir (an R4 request Bundle, JSON), xdm (an IHE_XDM.ZIP),
form (the plain mail form, as a whole mail or bare text), mime (an opened secure mail: the inner RFC 5322
message that \`txgate smime open\` returns; the payload is found in it). auto (the default) looks at the first
bytes: MSH → hl7v2, { → fhir, PK → xdm, RFC 5322 headers → mime, and bare text that reads as the
form → form.
The channel is fhir for a bare FHIR Bundle, smtp otherwise.
Exit 0: the canonical request (JSON). Exit 1: {"ok":false,"problems":[{"code","path","message"}]}.
Exit 2 on a usage error.`,
  options: {
    dialect: { type: 'string', value: 'NAME', description: `one of ${DIALECTS.join(', ')} (default auto)` },
    blobs: { type: 'string', value: 'DIR', description: 'store every document of the request in this content-addressed folder' },
  },
  async run(values, _positionals, io) {
    const dialectText = str(values, 'dialect') ?? 'auto';
    const dialect = DIALECTS.find((d) => d === dialectText);
    if (!dialect) throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got '${dialectText}'`);
    const bytes = await readAll(io.stdin);
    if (bytes.length > MAX_INPUT_BYTES) return printProblems(io.stdout, [{ code: 'PAYLOAD_TOO_LARGE', path: 'payload', message: `over ${MAX_INPUT_BYTES} bytes` }]);
    const chosen = dialect === 'auto' ? (sniffPayloadDialect(bytes) ?? (looksLikeForm(bytes.toString('utf8')) ? 'form' : undefined)) : dialect;
    if (!chosen) return printProblems(io.stdout, [{ code: 'PAYLOAD_UNKNOWN', path: 'payload', message: 'not HL7 v2, FHIR JSON, a ZIP or a mail: give --dialect' }]);
    const parsed = parseAs(chosen, bytes);
    if (!parsed.ok) return printProblems(io.stdout, parsed.problems);
    const blobs = str(values, 'blobs');
    if (blobs) {
      for (const doc of parsed.value.documents) {
        const stored = await storeBlob(blobs, doc.bytes);
        if (!stored.ok) return printProblems(io.stdout, stored.problems);
      }
    }
    io.stdout.write(`${JSON.stringify(parsed.value.request)}\n`);
    return 0;
  },
};
