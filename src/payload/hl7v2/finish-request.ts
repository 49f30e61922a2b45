/**
 * The last step of every HL7 v2 request mapping: fail with every problem found, else check the request against
 * CanonicalRequestSchema (each issue a problem HL7_INVALID_REQUEST at its path in the request).
 */
import { CanonicalRequestSchema, type CanonicalRequest, type CanonicalRequestInput } from '../../domain/canonical-request.ts';
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import { HL7_CODES, hl7Problem } from './hl7-problem.ts';

export function finishRequest(input: CanonicalRequestInput, problems: Problem[]): Result<CanonicalRequest> {
  if (problems.length > 0) return fail(...problems);
  const checked = CanonicalRequestSchema.safeParse(input);
  if (checked.success) return ok(checked.data);
  return fail(
    ...checked.error.issues.map((issue) =>
      hl7Problem(HL7_CODES.INVALID_REQUEST, ['request', ...issue.path.map(String)].join('.'), issue.message),
    ),
  );
}
