/**
 * What the main thread and a stage thread say to each other: plain data and bytes only (structured clone).
 * Bytes arrive as Uint8Array on the other side and are made Buffers again there (asBuffer).
 */
import type { Config } from '../config/config-schema.ts';
import type { FhirSubmissionCheck } from '../fhir-api/check-fhir-submission.ts';
import type { ExpectedSigner } from '../fhir-signature/verify-bundle-signature.ts';
import type { MessageWork, StepResult } from '../store/messages.ts';
import type { TrustMaterial } from './stage-thread-trust.ts';

/** What a stage thread starts from: the configuration, and the trust the main thread holds. */
export interface StageThreadData {
  config: Config;
  trust: TrustMaterial;
}

export type ToStageThread =
  /** run stage `stage` on `msg`, the clock reading `at` (ms) throughout */
  | { type: 'run'; job: number; stage: string; msg: MessageWork; at: number }
  /** check a request Bundle received over the FHIR API (checkFhirSubmission), the clock reading `at` (ms) */
  | { type: 'check-fhir'; job: number; body: Uint8Array; at: number; expectedSigner: ExpectedSigner; requireSignature: boolean }
  /** rebuild the context (SIGHUP): this trust, the keys and certificates read again from the configuration */
  | { type: 'reload'; trust: TrustMaterial };

export type FromStageThread =
  /** the context is built: jobs run from now on */
  | { type: 'ready' }
  | { type: 'done'; job: number; result: StepResult }
  | { type: 'checked'; job: number; result: FhirSubmissionCheck }
  | { type: 'failed'; job: number; error: string }
  | { type: 'reloaded'; error?: string };

/** A Buffer over the same memory (structured clone turns Buffers into plain Uint8Arrays). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A message received from the other thread, its bytes Buffers again. */
export function reviveMessageWork(m: MessageWork): MessageWork {
  return { ...m, raw: asBuffer(m.raw), content: m.content ? asBuffer(m.content) : undefined };
}

/** A step result received from the other thread, its bytes Buffers again. */
export function reviveStepResult(r: StepResult): StepResult {
  return {
    ...r,
    ...(r.content ? { content: asBuffer(r.content) } : {}),
    ...(r.outbox ? { outbox: r.outbox.map((o) => ({ ...o, raw: asBuffer(o.raw) })) } : {}),
  };
}
