/**
 * Verifies a FHIR Bundle signature as Da Vinci CDex defines it: Bundle.signature.data is the base64 of a detached
 * compact JWS (RS256 or PS256) whose payload is the RFC 8785 (JCS) form of the Bundle without id, meta and signature,
 * with the signer's certificate chain in the protected header's x5c (leaf first).
 *
 * Pass the parsed form of the bytes received (JSON.parse of the request body, or use verifyBundleSignatureBytes),
 * never an object that was rewritten, defaulted or validated into a new shape: the signature covers what was sent.
 * Every problem found is listed; structural problems stop the checks that would depend on them.
 */
import { ok, fail, type Problem, type Result } from '../errors/result.ts';
import { parseCertificate, type Certificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { domainOf, sameAddress } from '../mime/addresses.ts';
import { MIN_RSA_BITS } from '../smime/algorithms.ts';
import {
  certificateBindsEmail,
  certificateCarriesIdentifier,
  readCertificateIdentities,
  type CertificateIdentities,
  type FhirIdentifier,
} from './certificate-identities.ts';
import { buildSigningInput, decodeBase64, JWS_ALGORITHMS, parseDetachedJws, thumbprintS256, verifyJws, type JwsAlgorithm } from './detached-jws.ts';
import { JcsError } from './jcs.ts';
import { signatureProblem } from './signature-refusal.ts';
import { parseIJson } from '../payload/fhir/parse-i-json.ts';
import { buildSigningPayload } from './signing-payload.ts';
import { validateJwsSigner } from './validate-jws-signer.ts';

export interface FhirReference {
  reference?: string;
  identifier?: FhirIdentifier;
  display?: string;
}

export interface ExpectedSigner {
  /** the signer's certificate must bind this address (SAN rfc822Name) */
  email?: string;
  /** or carry one of these identifiers (SAN otherName, see certificate-identities.ts) */
  identifiers?: FhirIdentifier[];
}

export interface VerifyBundleSignatureOptions {
  trust: TrustStore;
  /** the instant treated as now */
  at: Date;
  requireCrl?: boolean;
  /** who must have signed (the practitioner of the TLS client certificate, or their organisation) */
  expectedSigner?: ExpectedSigner;
  /** how far in the future of `at` a signing time may be (default 5 minutes) */
  maxClockSkewMs?: number;
}

export interface VerifiedSignature {
  alg: JwsAlgorithm;
  signer: Certificate;
  /** signer first, anchor last */
  path: Certificate[];
  /** Signature.when as received */
  when: string;
  sigT?: string;
  who: FhirReference;
  /** Signature.type codes */
  types: string[];
  header: Record<string, unknown>;
}

/** Signature type codes (ASTM E1762-95), the system of Signature.type. */
export const SIGNATURE_TYPE_SYSTEM = 'urn:iso-astm:E1762-95:2013';
/** crit header parameters this verifier understands (JAdES lists sigT and srCms there). */
const UNDERSTOOD_CRIT = ['sigT', 'srCms', 'x5t#S256'];
const MAX_X5C = 10;
const DEFAULT_SKEW_MS = 5 * 60_000;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function instantOf(v: unknown): number | undefined {
  if (typeof v !== 'string' || !INSTANT.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function sameIdentifier(a: FhirIdentifier, b: FhirIdentifier): boolean {
  return a.system !== undefined && a.value !== undefined && a.system === b.system && a.value === b.value;
}

interface Parsed {
  alg: JwsAlgorithm;
  encodedHeader: string;
  header: Record<string, unknown>;
  jwsSignature: Buffer;
  chain: Certificate[];
  when: string;
  who: FhirReference & { identifier: FhirIdentifier };
  types: string[];
}

/** The structural checks: the Signature element and the JWS header. */
function parseSignature(signature: Record<string, unknown>): Parsed | Problem[] {
  const data = signature['data'];
  if (data === undefined || data === '') return [signatureProblem('FHIR_SIGNATURE_MISSING', 'signature.data')];
  const bytes = typeof data === 'string' ? decodeBase64(data) : undefined;
  if (!bytes) return [signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'not base64')];
  if (bytes.some((b) => b > 0x7e || b < 0x21)) return [signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'not a compact JWS')];
  const jws = parseDetachedJws(bytes.toString('ascii'));
  if (typeof jws === 'string') return [signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', jws)];
  const { header } = jws;
  const problems: Problem[] = [];

  const alg = header['alg'];
  if (!JWS_ALGORITHMS.includes(alg as JwsAlgorithm)) {
    problems.push(signatureProblem('FHIR_SIGNATURE_ALGORITHM', 'signature.data', `alg ${JSON.stringify(alg ?? null)}; RS256 or PS256 only`));
  }
  const crit = header['crit'];
  if (crit !== undefined) {
    const okCrit = Array.isArray(crit) && crit.length > 0 && crit.every((c) => typeof c === 'string' && UNDERSTOOD_CRIT.includes(c) && c in header);
    if (!okCrit) problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'crit names a header parameter not understood'));
  }
  if ('b64' in header && header['b64'] !== true) problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'unencoded payload (b64) is not supported'));

  const chain: Certificate[] = [];
  const x5c = header['x5c'];
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_X5C) {
    problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'x5c (the signer certificate chain) is missing'));
  } else {
    for (const entry of x5c) {
      const der = typeof entry === 'string' ? decodeBase64(entry) : undefined;
      try {
        if (!der) throw new Error('not base64');
        chain.push(parseCertificate(der));
      } catch {
        problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'x5c holds something that is not a certificate'));
        break;
      }
    }
  }
  const leaf = chain[0];
  const x5t = header['x5t#S256'];
  if (x5t !== undefined && leaf && x5t !== thumbprintS256(leaf.der)) {
    problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.data', 'x5t#S256 is not the thumbprint of x5c[0]'));
  }
  if (leaf && JWS_ALGORITHMS.includes(alg as JwsAlgorithm)) {
    const keyFits = leaf.keyAlgorithm === 'rsa' || (alg === 'PS256' && leaf.keyAlgorithm === 'rsa-pss');
    if (!keyFits) problems.push(signatureProblem('FHIR_SIGNATURE_ALGORITHM', 'signature.data', `a ${leaf.keyAlgorithm} key cannot make an ${String(alg)} signature`));
    else if (leaf.keyBits < MIN_RSA_BITS) problems.push(signatureProblem('FHIR_SIGNATURE_ALGORITHM', 'signature.data', `RSA key of ${leaf.keyBits} bits`));
  }

  const sigFormat = signature['sigFormat'];
  if (sigFormat !== undefined && sigFormat !== 'application/jose') problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.sigFormat', 'not application/jose'));
  const when = signature['when'];
  if (instantOf(when) === undefined) problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.when', 'missing or not an instant'));
  const who = signature['who'];
  const identifier = isRecord(who) ? who['identifier'] : undefined;
  if (!isRecord(identifier) || typeof identifier['system'] !== 'string' || typeof identifier['value'] !== 'string') {
    problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.who.identifier', 'the signer must be named by an identifier (system and value)'));
  }
  const types: string[] = [];
  const typeList = signature['type'];
  if (Array.isArray(typeList)) {
    for (const t of typeList) if (isRecord(t) && t['system'] === SIGNATURE_TYPE_SYSTEM && typeof t['code'] === 'string') types.push(t['code']);
  }
  if (types.length === 0) problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.type', `no ${SIGNATURE_TYPE_SYSTEM} code`));
  // CDex: the srCms commitment ids SHALL match the Signature.type codes
  const srCms = header['srCms'];
  if (srCms !== undefined) {
    const ids = Array.isArray(srCms)
      ? srCms.map((c) => (isRecord(c) && isRecord(c['commId']) && typeof c['commId']['id'] === 'string' ? c['commId']['id'].replace(/^urn:oid:/, '') : undefined))
      : [undefined];
    const same = ids.every((id) => id !== undefined && types.includes(id)) && types.every((t) => ids.includes(t));
    if (!same) problems.push(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature.type', 'the JWS srCms commitments are not the Signature.type codes'));
  }

  if (problems.length > 0 || !leaf) return problems;
  return {
    alg: alg as JwsAlgorithm,
    encodedHeader: jws.encodedHeader,
    header,
    jwsSignature: jws.signature,
    chain,
    when: when as string,
    who: who as FhirReference & { identifier: FhirIdentifier },
    types,
  };
}

function timeProblems(p: Parsed, at: Date, skewMs: number): Problem[] {
  const out: Problem[] = [];
  const when = instantOf(p.when)!;
  const sigT = p.header['sigT'];
  if (sigT !== undefined) {
    const t = instantOf(sigT);
    if (t === undefined) out.push(signatureProblem('FHIR_SIGNATURE_TIME_MISMATCH', 'signature.when', 'sigT is not a date-time'));
    else if (t !== when) out.push(signatureProblem('FHIR_SIGNATURE_TIME_MISMATCH', 'signature.when', 'sigT differs from Signature.when'));
  }
  if (when > at.getTime() + skewMs) out.push(signatureProblem('FHIR_SIGNATURE_TIME_MISMATCH', 'signature.when', 'signed in the future'));
  return out;
}

function signerProblems(p: Parsed, leaf: Certificate, ids: CertificateIdentities, expected: ExpectedSigner | undefined): Problem[] {
  const out: Problem[] = [];
  // CDex: one of the certificate's subject alternative names SHALL match Signature.who.identifier
  if (!certificateCarriesIdentifier(leaf, ids, p.who.identifier)) {
    out.push(signatureProblem('FHIR_SIGNATURE_WRONG_SIGNER', 'signature.who.identifier', "the certificate does not carry Signature.who's identifier"));
  }
  if (expected) {
    const expectedIds = expected.identifiers ?? [];
    const certIsExpected =
      (expected.email !== undefined && certificateBindsEmail(leaf, expected.email)) || expectedIds.some((i) => certificateCarriesIdentifier(leaf, ids, i));
    const whoIsExpected =
      expectedIds.some((i) => sameIdentifier(i, p.who.identifier)) ||
      (expected.email !== undefined &&
        p.who.identifier.system === 'urn:ietf:rfc:3986' &&
        (p.who.identifier.value ?? '').toLowerCase().startsWith('mailto:') &&
        sameAddress((p.who.identifier.value ?? '').slice('mailto:'.length), expected.email));
    if (!certIsExpected) out.push(signatureProblem('FHIR_SIGNATURE_WRONG_SIGNER', 'signature.data', 'the certificate is not the expected signer'));
    if (!whoIsExpected) out.push(signatureProblem('FHIR_SIGNATURE_WRONG_SIGNER', 'signature.who', 'Signature.who is not the expected signer'));
  }
  return out;
}

/** Verifies Bundle.signature; every problem listed with a FHIR_SIGNATURE_* code. */
export function verifyBundleSignature(bundle: unknown, opts: VerifyBundleSignatureOptions): Result<VerifiedSignature> {
  if (!isRecord(bundle) || bundle['resourceType'] !== 'Bundle') return fail(signatureProblem('FHIR_SIGNATURE_MALFORMED', '', 'not a Bundle'));
  const signature = bundle['signature'];
  if (signature === undefined) return fail(signatureProblem('FHIR_SIGNATURE_MISSING', 'signature'));
  if (!isRecord(signature)) return fail(signatureProblem('FHIR_SIGNATURE_MALFORMED', 'signature', 'not a Signature'));
  const parsed = parseSignature(signature);
  if (Array.isArray(parsed)) return fail(...parsed);

  let payload: Buffer;
  try {
    payload = buildSigningPayload(bundle);
  } catch (err) {
    if (err instanceof JcsError) return fail(signatureProblem('FHIR_SIGNATURE_MALFORMED', err.path.replace(/^\./, ''), 'no canonical JSON form'));
    throw err;
  }
  const leaf = parsed.chain[0]!;
  const problems: Problem[] = [];
  if (!verifyJws(parsed.alg, buildSigningInput(parsed.encodedHeader, payload), parsed.jwsSignature, leaf.publicKey())) {
    problems.push(signatureProblem('FHIR_SIGNATURE_INVALID', 'signature.data'));
  }
  const domain = opts.expectedSigner?.email ? domainOf(opts.expectedSigner.email) : '';
  const chain = validateJwsSigner(leaf, parsed.chain.slice(1), opts.trust, { at: opts.at, domain, ...(opts.requireCrl ? { requireCrl: true } : {}) });
  problems.push(...chain.problems);
  problems.push(...timeProblems(parsed, opts.at, opts.maxClockSkewMs ?? DEFAULT_SKEW_MS));
  problems.push(...signerProblems(parsed, leaf, readCertificateIdentities(leaf), opts.expectedSigner));
  if (problems.length > 0 || !chain.path) return fail(...problems);

  const sigT = parsed.header['sigT'];
  return ok({
    alg: parsed.alg,
    signer: leaf,
    path: chain.path,
    when: parsed.when,
    ...(typeof sigT === 'string' ? { sigT } : {}),
    who: parsed.who,
    types: parsed.types,
    header: parsed.header,
  });
}

/** Parses the raw bytes received (UTF-8 JSON) and verifies that parsed form. */
export function verifyBundleSignatureBytes(raw: Buffer, opts: VerifyBundleSignatureOptions): Result<VerifiedSignature> {
  // I-JSON only (RFC 8785 §3.1): with two members of one name, what was signed is not certain
  const read = parseIJson(raw, 'Bundle');
  if (!read.ok) return fail(signatureProblem('FHIR_SIGNATURE_MALFORMED', read.reason === 'malformed' ? '' : read.path, read.reason === 'malformed' ? 'not UTF-8 JSON' : 'a member name repeated in an object'));
  return verifyBundleSignature(read.value, opts);
}
