/**
 * The unwrap stage of a request received over the FHIR API: the Bundle's signature (Da Vinci CDex detached JWS)
 * verified on the bytes received, at the time they were received, by the practitioner the TLS client certificate
 * authenticated (or a certificate carrying one of their directory identifiers). The API checked it already before
 * answering 201; checking here again keeps the record: what the pipeline reads was verified by the pipeline.
 * Pure apart from the injected context.
 */
import type { FhirIdentifier } from '../fhir-signature/certificate-identities.ts';
import { verifyBundleSignatureBytes } from '../fhir-signature/verify-bundle-signature.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import type { PipelineContext } from './pipeline-context.ts';

/** What the FHIR API records with a request it stores (the message's first summary). */
export interface FhirIntakeSummary {
  /** the practitioner's address (from the client certificate, through the directory) */
  client: string;
  /** the request's (and its Task's) id */
  requestId: string;
  /** identifiers the signer's certificate may carry instead of the address (the practitioner's and their organisation's) */
  signerIdentifiers?: FhirIdentifier[];
  /** development mode only: an unsigned bundle was let in */
  unsigned?: boolean;
}

export function openFhirRequest(msg: MessageWork, ctx: PipelineContext): StepResult {
  const summary = (msg.summary ?? {}) as Partial<FhirIntakeSummary>;
  if (!summary.client || !summary.requestId) return { state: 'rejected', refusalCode: 'FHIR_INTAKE_INCOMPLETE', detail: 'FHIR_INTAKE_INCOMPLETE: a FHIR message without its client or request id' };
  const base = { ...summary, from: summary.client, signer: summary.client, to: [] as string[] };
  if (summary.unsigned) {
    return { state: 'received', detail: `FHIR bundle from ${summary.client}, unsigned (development mode)`, summary: base, content: msg.raw };
  }
  const verified = verifyBundleSignatureBytes(msg.raw, {
    trust: ctx.trust,
    at: msg.receivedAt,
    requireCrl: ctx.open.requireCrl,
    expectedSigner: { email: summary.client, identifiers: summary.signerIdentifiers ?? [] },
  });
  if (!verified.ok) {
    const codes = [...new Set(verified.problems.map((p) => p.code))];
    return { state: 'rejected', refusalCode: codes[0] ?? 'FHIR_SIGNATURE_INVALID', detail: `${codes.join(', ')}: the bundle's signature does not hold` };
  }
  const v = verified.value;
  return {
    state: 'received',
    detail: `FHIR bundle from ${summary.client}, signed ${v.alg} by ${v.signer.subject}`,
    summary: { ...base, signature: { alg: v.alg, when: v.when, signerSerial: v.signer.serialHex } },
    content: msg.raw,
  };
}
