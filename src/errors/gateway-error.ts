/**
 * The one fault class of txgate. `code` is stable and documented; `message` is a fixed text
 * safe to show a peer (no patient data). `detail` is for the operator's log only.
 */
export type Disposition = 'reject' | 'tempfail';

export class GatewayError extends Error {
  readonly code: string;
  readonly disposition: Disposition;
  readonly detail: string | undefined;

  constructor(code: string, message: string, options: { disposition?: Disposition; detail?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.disposition = options.disposition ?? 'reject';
    this.detail = options.detail;
  }
}

/** Unknown errors become temporary failures, never acceptances. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('INTERNAL_TEMPORARY', 'Temporary failure, try again later', {
    disposition: 'tempfail',
    detail: err instanceof Error ? err.message : String(err),
    cause: err,
  });
}
