import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClaimBundles, CLAIM_ID_SYSTEM, claimIdempotencyKey } from '../../src/billing/build-claim-bundle.ts';
import { validateClaimBundle } from '../../src/billing/validate-claim-bundle.ts';
import { Fhir } from 'fhir';
import { ROOT } from '../helpers/paths.ts';
import { EXPERT, FRENCH_REQUEST, frenchActs, INSURER } from './french-request.ts';

const GOLDEN = join(ROOT, 'test/billing/golden');
const fhir = new Fhir();

type Json = Record<string, any>;

function bundlesOn(day: string) {
  return buildClaimBundles({
    requestId: 'req-0001',
    request: FRENCH_REQUEST,
    requestedAt: new Date(`${day}T08:30:00Z`),
    acts: frenchActs(day),
    actDate: day,
    expert: EXPERT,
    insurer: INSURER,
    now: new Date(`${day}T16:00:00Z`),
  });
}

describe('buildClaimBundles: French TE2 and RQD on both sides of the 2026-01-01 tariff change', () => {
  it.each([
    ['TE2 at €20 the day before the change', '2025-12-31', 'TE2', 20],
    ['TE2 at €23 from 2026-01-01', '2026-01-01', 'TE2', 23],
    ['RQD at €10 before the change', '2025-12-31', 'RQD', 10],
    ['RQD at €10 after the change', '2026-01-01', 'RQD', 10],
  ])('%s: matches its golden file, and FHIR.js finds no error', (_rule, day, code, amount) => {
    const found = bundlesOn(day).find((b) => b.act.code === code)!;
    const file = join(GOLDEN, `${code.toLowerCase()}-${day}.json`);
    const text = `${JSON.stringify(found.bundle, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    expect(existsSync(file), `${file} (UPDATE_GOLDEN=1 writes it)`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
    const claim = (found.bundle as Json).entry[0].resource;
    expect(claim.item[0].net).toEqual({ value: amount, currency: 'EUR' });
    expect(claim.total).toEqual({ value: amount, currency: 'EUR' });
    const result = fhir.validate(found.bundle as object);
    expect(result.messages.filter((m) => m.severity === 'error' || /unexpected/i.test(m.message ?? ''))).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validateClaimBundle(found.bundle)).toEqual([]);
  });

  it('one bundle per act, each a collection with the Claim first and every reference resolved inside it, once', () => {
    const bundles = bundlesOn('2026-01-01');
    expect(bundles.map((b) => b.act.code)).toEqual(['TE2', 'RQD']);
    for (const { bundle } of bundles) {
      const b = bundle as Json;
      expect(b.type).toBe('collection');
      expect(b.entry[0].resource.resourceType).toBe('Claim');
      const urls = b.entry.map((e: Json) => e.fullUrl);
      expect(new Set(urls).size).toBe(urls.length);
      for (const u of urls) expect(u).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const refs = JSON.stringify(b).match(/"reference":"[^"]+"/g)!.map((r) => r.slice(13, -1));
      for (const r of refs) expect(urls).toContain(r);
      expect(b.entry.map((e: Json) => e.resource.resourceType).sort()).toEqual(
        ['Claim', 'Coverage', 'Organization', 'Patient', 'Practitioner', 'Practitioner', 'PractitionerRole', 'PractitionerRole', 'ServiceRequest'].sort(),
      );
    }
  });

  it('TE2: the expert is the provider and payee (tiers payant), the requester the prescriber (the requester of the ServiceRequest, the referral)', () => {
    const b = bundlesOn('2026-01-01').find((x) => x.act.code === 'TE2')!.bundle as Json;
    const byUrl = new Map(b.entry.map((e: Json) => [e.fullUrl, e.resource]));
    const claim = b.entry[0].resource;
    const providerRole = byUrl.get(claim.provider.reference) as Json;
    expect((byUrl.get(providerRole.practitioner.reference) as Json).identifier).toEqual([{ system: EXPERT.identifiers[0]!.system, value: '810009876543' }]);
    const referral = byUrl.get(claim.referral.reference) as Json;
    const prescriberRole = byUrl.get(referral.requester.reference) as Json;
    expect((byUrl.get(prescriberRole.practitioner.reference) as Json).identifier[0].value).toBe('810001234567');
    expect(claim.payee).toEqual({ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/payeetype', code: 'provider' }] }, party: claim.provider });
    expect((byUrl.get(claim.referral.reference) as Json).resourceType).toBe('ServiceRequest');
    expect(claim.item[0].productOrService.coding[0]).toMatchObject({ system: 'urn:txgate:ngap', code: 'TE2' });
    expect(claim).toMatchObject({ use: 'claim', status: 'active', type: { coding: [{ code: 'professional' }] }, priority: { coding: [{ code: 'normal' }] }, created: '2026-01-01' });
    expect(byUrl.get(claim.insurer.reference)).toMatchObject({ name: INSURER.name, identifier: [INSURER.identifier] });
    expect(byUrl.get(claim.insurance[0].coverage.reference)).toMatchObject({ subscriberId: '2790351215189' });
  });

  it('RQD: the requester is the provider and payee', () => {
    const b = bundlesOn('2026-01-01').find((x) => x.act.code === 'RQD')!.bundle as Json;
    const claim = b.entry[0].resource;
    expect(claim.provider.reference).toBe(b.entry.find((e: Json) => e.resource.resourceType === 'PractitionerRole' && e.resource.telecom?.[0]?.value === 'dr.martin@hopital-a.test').fullUrl);
    expect(claim.payee.party).toEqual(claim.provider);
  });

  it('the identifier is a stable idempotency key of the request and the act: the same bundle whenever it is built', () => {
    const a = bundlesOn('2026-01-01');
    const b = bundlesOn('2026-01-01');
    expect(a).toEqual(b);
    expect((a[0]!.bundle as Json).entry[0].resource.identifier).toEqual([{ system: CLAIM_ID_SYSTEM, value: claimIdempotencyKey('req-0001', 'TE2') }]);
    expect(claimIdempotencyKey('req-0001', 'TE2')).not.toBe(claimIdempotencyKey('req-0002', 'TE2'));
  });
});

describe('validateClaimBundle', () => {
  const good = () => JSON.parse(JSON.stringify(bundlesOn('2026-01-01')[0]!.bundle)) as Json;
  it.each([
    ['an invalid code (Claim.status)', (b: Json) => (b.entry[0].resource.status = 'bogus'), 'CLAIM_INVALID_FHIR'],
    ['an unexpected property', (b: Json) => (b.entry[0].resource.foo = 1), 'CLAIM_INVALID_FHIR'],
    ['the Claim not first', (b: Json) => b.entry.reverse(), 'CLAIM_NOT_FIRST'],
    ['a reference outside the bundle', (b: Json) => (b.entry[0].resource.patient = { reference: 'Patient/1' }), 'CLAIM_UNRESOLVED_REFERENCE'],
    ['a resource twice', (b: Json) => b.entry.push(b.entry[1]), 'CLAIM_DUPLICATE_ENTRY'],
    ['not a collection', (b: Json) => (b.type = 'transaction'), 'CLAIM_NOT_COLLECTION'],
  ])('finds %s', (_rule, damage, code) => {
    const b = good();
    damage(b);
    expect(validateClaimBundle(b).map((p) => p.code)).toContain(code);
  });
});
