/**
 * One submission of a claim bundle to the insurer with fhir-kit-client, classified:
 * - `submit` mode: POST [base]/Claim/$submit with a Parameters resource whose `resource` parameter is the bundle
 *   (r4-OperationDefinition-Claim-submit); the answer is a ClaimResponse (also read from a Parameters `return` or
 *   a Bundle). The insurer must deduplicate by Claim.identifier and answer the same ClaimResponse to a resend.
 * - `transaction` mode: the bundle's entries as a transaction, the Claim created conditionally
 *   (`ifNoneExist: identifier=system|value`), and so is every resource with an identifier, so that a resend creates
 *   nothing new; the outcome is `queued`.
 * Temporary: no answer, a timeout, 408, 429, 5xx. Permanent: any other 4xx.
 */
import { Client } from 'fhir-kit-client';
import type { ClaimOutcome } from '../store/claims.ts';
import type { Dispatcher } from './insurer-dispatcher.ts';

export interface InsurerConnection {
  baseUrl: string;
  mode: 'submit' | 'transaction';
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

/**
 * `error` and `errors` are the insurer's words, for the operator's record (`txgate claims show`): they may quote the
 * claim, patient included. Log lines carry `code`, `httpStatus` and `errorCodes` only.
 */
export type SubmitOutcome =
  | { status: 'submitted'; response: unknown; outcome: ClaimOutcome; errors: string[]; errorCodes: string[] }
  | { status: 'temporary'; code: 'BILLING_UNREACHABLE' | 'BILLING_TEMPORARY'; httpStatus?: number; error: string }
  | { status: 'permanent'; code: 'BILLING_REFUSED' | 'BILLING_NO_CLAIM_RESPONSE'; httpStatus?: number; error: string; response?: unknown };

type Json = Record<string, unknown>;

/**
 * The transaction form of a claim bundle: each entry created only if none has its (first) identifier — the Claim by
 * its idempotency key, the patient, practitioners and organisations by theirs — so that a resend creates nothing new.
 */
export function toTransactionBundle(bundle: Json): Json {
  const entries = (bundle.entry ?? []) as { fullUrl: string; resource: Json }[];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: entries.map((e) => {
      const r = e.resource;
      const id = ((r.identifier as { system?: string; value?: string }[] | undefined) ?? []).find((i) => i.system && i.value) as { system: string; value: string } | undefined;
      return {
        fullUrl: e.fullUrl,
        resource: r,
        request: { method: 'POST', url: String(r.resourceType), ...(id ? { ifNoneExist: `identifier=${encodeURIComponent(`${id.system}|${id.value}`)}` } : {}) },
      };
    }),
  };
}

/** The ClaimResponse in what $submit returned (itself, a Parameters `return`, or the first in a Bundle). */
export function findClaimResponse(answer: unknown): Json | undefined {
  const a = answer as Json | undefined;
  if (!a || typeof a !== 'object') return undefined;
  if (a.resourceType === 'ClaimResponse') return a;
  if (a.resourceType === 'Parameters') return findClaimResponse(((a.parameter ?? []) as { name?: string; resource?: unknown }[]).find((p) => p.name === 'return')?.resource);
  if (a.resourceType === 'Bundle') {
    for (const e of (a.entry ?? []) as { resource?: unknown }[]) {
      const found = findClaimResponse(e.resource);
      if (found) return found;
    }
  }
  return undefined;
}

/** The codes of the errors a ClaimResponse carries (error[].code.coding[].code): no free text. */
export function claimResponseErrorCodes(cr: Json): string[] {
  return ((cr.error ?? []) as { code?: { coding?: { code?: unknown }[] } }[]).flatMap((e) =>
    (e.code?.coding ?? []).flatMap((c) => (typeof c.code === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(c.code) ? [c.code] : [])),
  );
}

/** The errors a ClaimResponse carries (error[].code), as text. */
export function claimResponseErrors(cr: Json): string[] {
  return ((cr.error ?? []) as { code?: { coding?: { code?: string; display?: string }[]; text?: string } }[]).map(
    (e) => e.code?.text ?? e.code?.coding?.map((c) => [c.code, c.display].filter(Boolean).join(' ')).join(', ') ?? 'error',
  );
}

const OUTCOMES: ClaimOutcome[] = ['complete', 'error', 'partial', 'queued'];

function describe(data: unknown): string {
  const d = data as Json | undefined;
  if (d?.resourceType === 'OperationOutcome') {
    return ((d.issue ?? []) as { severity?: string; code?: string; diagnostics?: string; details?: { text?: string } }[])
      .map((i) => `${i.severity ?? ''} ${i.code ?? ''}: ${i.details?.text ?? i.diagnostics ?? ''}`.trim())
      .join('; ');
  }
  return typeof data === 'string' ? data.slice(0, 300) : JSON.stringify(data ?? '').slice(0, 300);
}

export async function submitClaimBundle(conn: InsurerConnection, bundle: unknown): Promise<SubmitOutcome> {
  const client = new Client({ baseUrl: conn.baseUrl, requestOptions: conn.dispatcher ? { dispatcher: conn.dispatcher } : {} });
  const options = { signal: AbortSignal.timeout(conn.timeoutMs) };
  try {
    if (conn.mode === 'transaction') {
      const response = await client.transaction({ body: toTransactionBundle(bundle as Json) as never, options });
      return { status: 'submitted', response, outcome: 'queued', errors: [], errorCodes: [] };
    }
    const input = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: bundle }] };
    const answer = await client.operation({ name: '$submit', resourceType: 'Claim', method: 'POST', input: input as never, options });
    const cr = findClaimResponse(answer);
    if (!cr) return { status: 'permanent', code: 'BILLING_NO_CLAIM_RESPONSE', error: `the insurer answered no ClaimResponse (${describe(answer)})`, response: answer };
    const outcome = OUTCOMES.includes(cr.outcome as ClaimOutcome) ? (cr.outcome as ClaimOutcome) : 'queued';
    return { status: 'submitted', response: cr, outcome, errors: claimResponseErrors(cr), errorCodes: claimResponseErrorCodes(cr) };
  } catch (err) {
    const e = err as Error & { response?: { status?: number; data?: unknown }; cause?: { code?: string; message?: string } };
    const status = e.response?.status;
    if (status === undefined) {
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${conn.timeoutMs} ms` : `${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message ?? ''})` : ''}`;
      return { status: 'temporary', code: 'BILLING_UNREACHABLE', error: `BILLING_UNREACHABLE: ${why}` };
    }
    const text = `HTTP ${status}: ${describe(e.response?.data)}`;
    if (status === 408 || status === 429 || status >= 500) return { status: 'temporary', code: 'BILLING_TEMPORARY', httpStatus: status, error: `BILLING_TEMPORARY: ${text}` };
    return { status: 'permanent', code: 'BILLING_REFUSED', httpStatus: status, error: `BILLING_REFUSED: ${text}`, response: e.response?.data };
  }
}
