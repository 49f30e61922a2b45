/**
 * What every dialect parser gives: the canonical request and the documents it lists, with their bytes (for the
 * blob store). And the last step they all take: the request checked against CanonicalRequestSchema.
 */
import { CanonicalRequestSchema, type CanonicalRequest, type CanonicalRequestInput } from '../../domain/canonical-request.ts';
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import type { PayloadDocument } from './payload-document.ts';

export interface ParsedRequest {
  request: CanonicalRequest;
  documents: PayloadDocument[];
}

/**
 * Fails with `problems` when there are any; otherwise checks the built request against the schema (every issue a
 * problem `${codePrefix}_INVALID` under `root`) and gives it with its documents.
 */
export function finishParsedRequest(
  input: CanonicalRequestInput,
  documents: PayloadDocument[],
  problems: Problem[],
  codePrefix: string,
  root: string,
): Result<ParsedRequest> {
  if (problems.length > 0) return fail(...problems);
  const checked = CanonicalRequestSchema.safeParse(input);
  if (!checked.success) {
    return fail(
      ...checked.error.issues.map((issue) => ({
        code: `${codePrefix}_INVALID`,
        path: [root, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].join('.').replace(/\.\[/g, '['),
        message: issue.message,
      })),
    );
  }
  return ok({ request: checked.data, documents });
}

/** Only the request of a parse result. */
export function requestOf(result: Result<ParsedRequest>): Result<CanonicalRequest> {
  return result.ok ? ok(result.value.request) : result;
}

/** Documents listed once (the same bytes under the same name and type, reached twice, are one document). */
export function uniqueDocuments(documents: PayloadDocument[]): PayloadDocument[] {
  const seen = new Set<string>();
  return documents.filter((d) => {
    const key = `${d.attachment.sha256}|${d.attachment.name ?? ''}|${d.attachment.contentType}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
