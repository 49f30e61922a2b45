import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTHOR_SIGNATURE_TYPE, signBundle, type Bundle } from '../../src/fhir-signature/sign-bundle.ts';
import { buildSigningPayload } from '../../src/fhir-signature/signing-payload.ts';
import { verifyBundleSignature } from '../../src/fhir-signature/verify-bundle-signature.ts';
import { openssl, tempDir } from '../pki/run-openssl.ts';
import { party, testTrust } from '../helpers/test-pki.ts';

const AT = new Date('2026-03-03T10:00:00Z');
const WHEN = new Date('2026-03-03T09:59:30Z');
const doctorWho = { identifier: { system: 'urn:ietf:rfc:3986', value: 'mailto:dr.martin@hopital-a.test' }, display: 'Dr Claire Martin' };

const sample: Bundle = {
  resourceType: 'Bundle',
  id: 'b1',
  type: 'collection',
  timestamp: '2026-03-03T09:59:00+01:00',
  entry: [
    { fullUrl: 'urn:uuid:p1', resource: { resourceType: 'Patient', active: true, name: [{ family: 'Dupont', given: ['Jeanne', 'Marie'] }], birthDate: '1956-04-12' } },
    { fullUrl: 'urn:uuid:s1', resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', quantityQuantity: { value: 1.5, unit: 'h' }, note: [{ text: 'Souffle systolique — avis ?' }] } },
  ],
};

function sign(alg: 'RS256' | 'PS256' = 'RS256'): Bundle {
  const p = party('doctor');
  return signBundle(sample, { key: p.key, chain: [p.cert], when: WHEN, who: doctorWho, alg });
}

function jwsParts(b: Bundle): [string, string, string] {
  return Buffer.from((b['signature'] as { data: string }).data, 'base64').toString('ascii').split('.') as [string, string, string];
}

/** Every path to a primitive value outside id, meta and signature. */
function leafPaths(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [path];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return entries.filter(([k]) => !(path.length === 0 && ['id', 'meta', 'signature'].includes(String(k)))).flatMap(([k, x]) => leafPaths(x, [...path, k]));
}

function edit(v: unknown): unknown {
  if (typeof v === 'string') return `${v}x`;
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  return 'edited';
}

describe('signBundle', () => {
  it('makes a Bundle.signature as CDex defines it (author type, when, who, application/jose, detached JWS with x5c and sigT)', () => {
    const b = sign();
    const s = b['signature'] as Record<string, unknown>;
    expect(s['type']).toEqual([{ system: 'urn:iso-astm:E1762-95:2013', code: AUTHOR_SIGNATURE_TYPE, display: "Author's Signature" }]);
    expect(s['when']).toBe('2026-03-03T09:59:30.000Z');
    expect(s['who']).toEqual(doctorWho);
    expect(s['sigFormat']).toBe('application/jose');
    const [h, payload, sig] = jwsParts(b);
    expect(payload).toBe('');
    expect(sig.length).toBeGreaterThan(0);
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'RS256', sigT: '2026-03-03T09:59:30.000Z', x5c: [party('doctor').cert.der.toString('base64')] });
    expect(sample['signature']).toBeUndefined();
  });

  it.each(['RS256', 'PS256'] as const)('round trip %s: what it signs verifies', (alg) => {
    const r = verifyBundleSignature(sign(alg), { trust: testTrust(), at: AT, requireCrl: true, expectedSigner: { email: 'dr.martin@hopital-a.test' } });
    expect(r.ok ? r.value.alg : r.problems).toBe(alg);
  });

  it('a signed Bundle still verifies after a JSON round trip (what the peer parses from the bytes)', () => {
    const r = verifyBundleSignature(JSON.parse(JSON.stringify(sign(), null, 2)), { trust: testTrust(), at: AT });
    expect(r.ok).toBe(true);
  });

  it('refuses to sign for a `who` the certificate does not name', () => {
    const p = party('doctor');
    expect(() => signBundle(sample, { key: p.key, chain: [p.cert], when: WHEN, who: { identifier: { system: 'urn:ietf:rfc:3986', value: 'mailto:someone@else.test' } }, alg: 'RS256' })).toThrow();
  });

  it('every single-field edit of a signed Bundle gives FHIR_SIGNATURE_INVALID (property)', () => {
    const signed = sign();
    // Bundle.resourceType edited makes it no Bundle at all (FHIR_SIGNATURE_MALFORMED): every other leaf
    const paths = leafPaths(signed).filter((p) => !(p.length === 1 && p[0] === 'resourceType'));
    expect(paths.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: paths.length - 1 }), (i) => {
        const path = paths[i]!;
        const copy = structuredClone(signed) as Record<string, unknown>;
        let parent: Record<string | number, unknown> = copy;
        for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
        const last = path[path.length - 1]!;
        parent[last] = edit(parent[last]);
        const r = verifyBundleSignature(copy, { trust: testTrust(), at: AT });
        expect(r.ok ? [] : r.problems.map((p) => p.code)).toEqual(['FHIR_SIGNATURE_INVALID']);
      }),
      { numRuns: 200 },
    );
  });

  it('adding or removing a member outside id, meta and signature gives FHIR_SIGNATURE_INVALID', () => {
    const added = { ...sign(), total: 2 };
    const { timestamp: _t, ...removed } = sign();
    for (const b of [added, removed]) {
      const r = verifyBundleSignature(b, { trust: testTrust(), at: AT });
      expect(r.ok ? [] : r.problems.map((p) => p.code)).toEqual(['FHIR_SIGNATURE_INVALID']);
    }
  });
});

describe('signBundle, checked by the openssl CLI (an independent implementation)', () => {
  it.each([
    ['RS256', []],
    ['PS256', ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']],
  ] as const)('%s: openssl dgst -sha256 -verify accepts base64url(header).base64url(JCS payload)', (alg, sigopts) => {
    const dir = tempDir('txgate-fhirsig-');
    const b = sign(alg);
    const [h, , sig] = jwsParts(b);
    // the payload rebuilt independently: JCS of the Bundle minus id, meta, signature
    writeFileSync(join(dir, 'input'), `${h}.${buildSigningPayload(b).toString('base64url')}`);
    writeFileSync(join(dir, 'sig'), Buffer.from(sig, 'base64url'));
    writeFileSync(join(dir, 'cert.pem'), party('doctor').cert.der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/^/, '-----BEGIN CERTIFICATE-----\n').concat('\n-----END CERTIFICATE-----\n'));
    const pub = openssl(['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout', '-out', join(dir, 'pub.pem')]);
    expect(pub.status, pub.out).toBe(0);
    const ok = openssl(['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), ...sigopts, '-signature', join(dir, 'sig'), join(dir, 'input')]);
    expect(ok.out).toContain('Verified OK');
    writeFileSync(join(dir, 'input'), `${h}.${buildSigningPayload({ ...b, type: 'document' }).toString('base64url')}`);
    const bad = openssl(['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), ...sigopts, '-signature', join(dir, 'sig'), join(dir, 'input')]);
    expect(bad.out).toContain('Verification failure');
  });
});
