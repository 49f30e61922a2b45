/**
 * The HTTP dispatcher for the insurer: an undici Agent with the insurer's CAs, the client certificate and key for
 * mutual TLS, and timeouts, passed to fhir-kit-client as the request's `dispatcher` (Node's fetch is undici).
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

export interface InsurerTls {
  /** PEM files of the CAs trusted for the insurer's certificate (none: the system's) */
  ca: string[];
  clientCert: { cert: string; key: string } | null;
  timeoutMs: number;
}

/** The dispatcher handed to fetch (through fhir-kit-client). */
export type Dispatcher = Agent;

/** A dispatcher for the insurer's base URL: CAs, client certificate, connect/headers/body timeouts. */
export async function createInsurerDispatcher(tls: InsurerTls): Promise<Dispatcher> {
  const connect: Agent.Options['connect'] & Record<string, unknown> = { timeout: tls.timeoutMs };
  if (tls.ca.length) connect.ca = tls.ca.map((f) => readFileSync(f));
  if (tls.clientCert) {
    connect.cert = readFileSync(tls.clientCert.cert);
    connect.key = readFileSync(tls.clientCert.key);
  }
  return new Agent({ connect, headersTimeout: tls.timeoutMs, bodyTimeout: tls.timeoutMs, keepAliveTimeout: 10_000 });
}
