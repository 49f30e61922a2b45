import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSigningInput, signJws } from '../../src/fhir-signature/detached-jws.ts';
import { signBundle, type Bundle } from '../../src/fhir-signature/sign-bundle.ts';
import { buildSigningPayload } from '../../src/fhir-signature/signing-payload.ts';
import { verifyBundleSignature, verifyBundleSignatureBytes, type VerifyBundleSignatureOptions } from '../../src/fhir-signature/verify-bundle-signature.ts';
import { parseCertificate } from '../../src/pki/certificate.ts';
import { buildTrustStore, loadTrustStore } from '../../src/pki/trust-store.ts';
import { FIXTURES } from '../helpers/paths.ts';
import { cert, CA_FILE, party, testTrust } from '../helpers/test-pki.ts';

const FHIR = join(FIXTURES, 'fhir');
const AT = new Date('2026-03-03T10:00:00Z');
const mailto = (address: string) => ({ identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${address}` } });

function readVector(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FHIR, name), 'utf8')) as Record<string, unknown>;
}

function x5cLeaf(bundle: Record<string, unknown>) {
  const data = (bundle['signature'] as { data: string }).data;
  const header = JSON.parse(Buffer.from(Buffer.from(data, 'base64').toString('ascii').split('.')[0]!, 'base64url').toString('utf8')) as { x5c: string[] };
  return parseCertificate(Buffer.from(header.x5c[0]!, 'base64'));
}

const sample: Bundle = {
  resourceType: 'Bundle',
  id: 'b1',
  meta: { lastUpdated: '2026-03-03T09:00:00Z' },
  type: 'collection',
  timestamp: '2026-03-03T09:59:00+01:00',
  entry: [
    { fullUrl: 'urn:uuid:6f1c6a0e-1', resource: { resourceType: 'Patient', name: [{ family: 'Dupont', given: ['Jeanne'] }], birthDate: '1956-04-12' } },
    { fullUrl: 'urn:uuid:6f1c6a0e-2', resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', priority: 'routine', quantityQuantity: { value: 1.5 } } },
  ],
};

function signedBy(name: string, opts: { chain?: string[]; alg?: 'RS256' | 'PS256'; when?: Date; address?: string } = {}): Bundle {
  const p = party(name);
  const address = opts.address ?? p.cert.sanEmails[0]!;
  return signBundle(sample, {
    key: p.key,
    chain: [p.cert, ...(opts.chain ?? []).map(cert)],
    when: opts.when ?? new Date('2026-03-03T09:59:30Z'),
    who: mailto(address),
    alg: opts.alg ?? 'RS256',
  });
}

/** A bundle whose JWS has this header (signed with the doctor's key unless said), for header rules. */
function withHeader(header: Record<string, unknown>, signature?: string): Bundle {
  const doctor = party('doctor');
  const encoded = Buffer.from(JSON.stringify(header)).toString('base64url');
  const sig = signature ?? signJws('RS256', buildSigningInput(encoded, buildSigningPayload(sample)), doctor.key).toString('base64url');
  const signed = signedBy('doctor');
  return { ...signed, signature: { ...(signed['signature'] as object), data: Buffer.from(`${encoded}..${sig}`).toString('base64') } };
}

const doctorHeader = () => ({ alg: 'RS256', x5c: [party('doctor').cert.der.toString('base64')], sigT: '2026-03-03T09:59:30.000Z' });

const opts = (extra: Partial<VerifyBundleSignatureOptions> = {}): VerifyBundleSignatureOptions => ({ trust: testTrust(), at: AT, ...extra });

function codes(r: ReturnType<typeof verifyBundleSignature>): string[] {
  return r.ok ? [] : [...new Set(r.problems.map((p) => p.code))];
}

describe('verifyBundleSignature: the Da Vinci CDex vectors', () => {
  const valid = readVector('cdex-document-digital-sig-example.valid-94da7f9.json');
  // the vector's self-signed certificate as the only anchor; inside its validity (2025-06-25 to 2027-06-15)
  const vectorTrust = buildTrustStore([{ cert: x5cLeaf(valid) }]);
  const vectorAt = new Date('2026-01-15T00:00:00Z');

  it('verifies the valid document bundle (JCS of the Bundle without id, meta and signature, RS256)', () => {
    const r = verifyBundleSignature(valid, { trust: vectorTrust, at: vectorAt, expectedSigner: { identifiers: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '9941339100' }] } });
    expect(r.ok ? r.value.alg : r.problems).toBe('RS256');
    if (r.ok) expect(r.value.types).toEqual(['1.2.840.10065.1.12.1.5']);
  });

  it('verifies the valid bundle from its raw bytes', () => {
    const r = verifyBundleSignatureBytes(readFileSync(join(FHIR, 'cdex-document-digital-sig-example.valid-94da7f9.json')), { trust: vectorTrust, at: vectorAt });
    expect(codes(r)).toEqual([]);
  });

  it('verifies the signed searchset bundle (which has a meta, left out of the payload)', () => {
    const search = readVector('cdex-searchbundle-digital-sig-example.json');
    expect(codes(verifyBundleSignature(search, { trust: buildTrustStore([{ cert: x5cLeaf(search) }]), at: vectorAt }))).toEqual([]);
  });

  it('refuses the bundle edited after signing (meta.profile added to entries) with FHIR_SIGNATURE_INVALID only', () => {
    const broken = readVector('cdex-document-digital-sig-example.BROKEN-b65d4c9.json');
    expect(codes(verifyBundleSignature(broken, { trust: vectorTrust, at: vectorAt }))).toEqual(['FHIR_SIGNATURE_INVALID']);
  });

  it('refuses the valid vector under our anchors: FHIR_SIGNATURE_CERT_UNTRUSTED', () => {
    expect(codes(verifyBundleSignature(valid, { trust: testTrust(), at: vectorAt }))).toEqual(['FHIR_SIGNATURE_CERT_UNTRUSTED']);
  });

  it('refuses the valid vector for another expected signer: FHIR_SIGNATURE_WRONG_SIGNER', () => {
    const r = verifyBundleSignature(valid, { trust: vectorTrust, at: vectorAt, expectedSigner: { identifiers: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }] } });
    expect(codes(r)).toEqual(['FHIR_SIGNATURE_WRONG_SIGNER']);
  });
});

describe('verifyBundleSignature: each refusal', () => {
  it('accepts what signBundle made with the test PKI (RS256 and PS256, through an intermediate)', () => {
    expect(codes(verifyBundleSignature(signedBy('doctor'), opts({ requireCrl: true })))).toEqual([]);
    expect(codes(verifyBundleSignature(signedBy('doctor', { alg: 'PS256' }), opts()))).toEqual([]);
    expect(codes(verifyBundleSignature(signedBy('via-intermediate', { chain: ['intermediate'] }), opts({ requireCrl: true })))).toEqual([]);
  });

  const unsigned = { ...sample };
  const notBase64 = { ...signedBy('doctor'), signature: { ...(signedBy('doctor')['signature'] as object), data: 'not base64!' } };
  const attachedPayload = (() => {
    const b = signedBy('doctor');
    const [h, , s] = Buffer.from((b['signature'] as { data: string }).data, 'base64').toString('ascii').split('.');
    return { ...b, signature: { ...(b['signature'] as object), data: Buffer.from(`${h}.${buildSigningPayload(sample).toString('base64url')}.${s}`).toString('base64') } };
  })();
  const edited = (() => {
    const b = structuredClone(signedBy('doctor')) as unknown as { entry: { resource: { birthDate?: string } }[] };
    b.entry[0]!.resource.birthDate = '1956-04-13';
    return b;
  })();
  const whenMoved = (() => {
    const b = signedBy('doctor');
    return { ...b, signature: { ...(b['signature'] as object), when: '2026-03-03T09:00:00Z' } };
  })();
  const whoSpecialist = (() => {
    const b = signedBy('doctor');
    return { ...b, signature: { ...(b['signature'] as object), who: mailto('cardio.durand@chu-b.test') } };
  })();
  const { x5c: _x5c, ...noX5c } = doctorHeader();

  it.each([
    ['FHIR_SIGNATURE_MISSING', 'an unsigned Bundle', unsigned, opts()],
    ['FHIR_SIGNATURE_MALFORMED', 'data that is not base64', notBase64, opts()],
    ['FHIR_SIGNATURE_MALFORMED', 'a JWS whose payload is attached, not detached', attachedPayload, opts()],
    ['FHIR_SIGNATURE_MALFORMED', 'a header without x5c', withHeader(noX5c), opts()],
    ['FHIR_SIGNATURE_MALFORMED', 'a crit header parameter not understood', withHeader({ ...doctorHeader(), crit: ['exp'], exp: 1 }), opts()],
    ['FHIR_SIGNATURE_MALFORMED', 'an unencoded payload (RFC 7797 b64 false)', withHeader({ ...doctorHeader(), b64: false, crit: ['b64'] }), opts()],
    ['FHIR_SIGNATURE_MALFORMED', 'srCms commitments that are not Signature.type', withHeader({ ...doctorHeader(), srCms: [{ commId: { id: 'urn:oid:1.2.840.10065.1.12.1.5' } }] }), opts()],
    ['FHIR_SIGNATURE_ALGORITHM', 'alg none (empty signature)', withHeader({ ...doctorHeader(), alg: 'none' }, ''), opts()],
    ['FHIR_SIGNATURE_ALGORITHM', 'alg HS256 (an HMAC keyed with public data)', withHeader({ ...doctorHeader(), alg: 'HS256' }), opts()],
    ['FHIR_SIGNATURE_ALGORITHM', 'alg ES256', withHeader({ ...doctorHeader(), alg: 'ES256' }), opts()],
    ['FHIR_SIGNATURE_ALGORITHM', 'an RSA key under 2048 bits', signedBy('weak-1024'), opts()],
    ['FHIR_SIGNATURE_INVALID', 'content edited after signing', edited, opts()],
    ['FHIR_SIGNATURE_CERT_UNTRUSTED', 'a chain to a root that is not an anchor', signedBy('untrusted', { chain: ['untrusted-ca'] }), opts()],
    ['FHIR_SIGNATURE_CERT_UNTRUSTED', 'an intermediate left out of x5c', signedBy('via-intermediate'), opts()],
    ['FHIR_SIGNATURE_CERT_UNTRUSTED', 'no current CRL when one is required', signedBy('doctor'), { trust: loadTrustStore([{ path: CA_FILE }]), at: AT, requireCrl: true }],
    ['FHIR_SIGNATURE_CERT_EXPIRED', 'a certificate expired at `at`', signedBy('expired'), opts()],
    ['FHIR_SIGNATURE_CERT_EXPIRED', 'a certificate not yet valid at `at`', signedBy('not-yet-valid'), opts()],
    ['FHIR_SIGNATURE_CERT_REVOKED', 'a certificate on the CRL', signedBy('revoked'), opts()],
    ['FHIR_SIGNATURE_CERT_USAGE', 'a certificate without digitalSignature nor nonRepudiation', signedBy('wrong-usage'), opts()],
    ['FHIR_SIGNATURE_TIME_MISMATCH', 'Signature.when changed (sigT stays)', whenMoved, opts()],
    ['FHIR_SIGNATURE_TIME_MISMATCH', 'a signing time in the future of `at`', signedBy('doctor', { when: new Date('2026-03-03T11:00:00Z') }), opts()],
    ['FHIR_SIGNATURE_WRONG_SIGNER', 'Signature.who naming someone the certificate does not', whoSpecialist, opts()],
    ['FHIR_SIGNATURE_WRONG_SIGNER', 'a signer other than the expected practitioner', signedBy('doctor'), opts({ expectedSigner: { email: 'cardio.durand@chu-b.test' } })],
  ])('%s: %s', (code, _what, bundle, o) => {
    expect(codes(verifyBundleSignature(bundle, o))).toEqual([code]);
  });

  it('accepts the expected signer by e-mail address', () => {
    expect(codes(verifyBundleSignature(signedBy('doctor'), opts({ expectedSigner: { email: 'Dr.Martin@hopital-a.test' } })))).toEqual([]);
  });

  it('lists every problem, not only the first', () => {
    const b = structuredClone(signedBy('revoked')) as Record<string, unknown>;
    b['type'] = 'document';
    expect(codes(verifyBundleSignature(b, opts({ expectedSigner: { email: 'dr.martin@hopital-a.test' } }))).sort()).toEqual(
      ['FHIR_SIGNATURE_CERT_REVOKED', 'FHIR_SIGNATURE_INVALID', 'FHIR_SIGNATURE_WRONG_SIGNER'].sort(),
    );
  });

  it('ignores id, meta and signature edits, and nothing else (they are outside the payload)', () => {
    const b = { ...signedBy('doctor'), id: 'other', meta: { versionId: '9' } };
    expect(codes(verifyBundleSignature(b, opts()))).toEqual([]);
  });

  it('refuses bytes where an object names a member twice, though the last of each verifies (I-JSON, RFC 8785 §3.1)', () => {
    const text = JSON.stringify(signedBy('doctor'));
    expect(verifyBundleSignatureBytes(Buffer.from(text), opts()).ok).toBe(true);
    // another reader keeping the first member would read a stat request the signer never signed
    const smuggled = text.replace('"priority":"routine"', '"priority":"stat","priority":"routine"');
    expect(verifyBundleSignature(JSON.parse(smuggled) as Bundle, opts()).ok).toBe(true);
    const r = verifyBundleSignatureBytes(Buffer.from(smuggled), opts());
    expect(r.ok ? [] : r.problems.map((p) => [p.code, p.path])).toEqual([['FHIR_SIGNATURE_MALFORMED', 'Bundle.entry[1].resource.priority']]);
  });

  it('refuses a JWS header that names a parameter twice (RFC 7515 §5.2)', () => {
    const doctor = party('doctor');
    const header = JSON.stringify(doctorHeader()).replace('{"alg":"RS256"', '{"alg":"none","alg":"RS256"');
    const encoded = Buffer.from(header).toString('base64url');
    const sig = signJws('RS256', buildSigningInput(encoded, buildSigningPayload(sample)), doctor.key).toString('base64url');
    const signed = signedBy('doctor');
    const b = { ...signed, signature: { ...(signed['signature'] as object), data: Buffer.from(`${encoded}..${sig}`).toString('base64') } };
    expect(codes(verifyBundleSignature(b, opts()))).toEqual(['FHIR_SIGNATURE_MALFORMED']);
  });
});
