/** The answer in a FHIR request's dialect, by mail: the Task update and the opinion's document, Bundles signed by the gateway. */
import { describe, expect, it } from 'vitest';
import { AnswerSchema } from '../../src/domain/answer.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { verifyBundleSignature } from '../../src/fhir-signature/verify-bundle-signature.ts';
import { parseFhirRequest } from '../../src/payload/fhir/parse-fhir-request.ts';
import { buildDialectAttachments } from '../../src/pipeline/build-answer-outbox.ts';
import { gatewayKey, testTrust } from '../helpers/test-pki.ts';
import { requestBundleBytes } from '../payload/fhir/request-bundle.ts';

const request = (() => {
  const r = parseFhirRequest(requestBundleBytes(), { channel: 'smtp' });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
})();
const answer = AnswerSchema.parse({
  kind: 'finalized',
  at: '2026-03-02T10:00:00Z',
  expert: { identifiers: [], address: 'cardio.durand@chu-b.test' },
  id: 'finalized-req-1-msg-1',
  opinion: { text: 'No anomaly.' },
});

describe('buildDialectAttachments for a FHIR request', () => {
  it('signs the Task update and the opinion document, each a Bundle valid in R4, with the gateway key, verifiable against the anchors', () => {
    const key = gatewayKey();
    const attachments = buildDialectAttachments(request, { from: 'serena.shrink@cabinet.mssante.fr' }, answer, { key: key.key, cert: key.cert, chain: [] }, 'gateway@txgate.localhost');
    expect(attachments.map((a) => a.name)).toEqual(['task-update.json', 'opinion.json']);
    const [update, opinion] = attachments.map((a) => JSON.parse(a.data.toString('utf8')) as Record<string, unknown>);
    expect(update).toMatchObject({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Task', status: 'completed' } }] });
    expect(opinion).toMatchObject({ resourceType: 'Bundle', type: 'document' });
    for (const bundle of [update!, opinion!]) {
      expect(validateFhirResource(bundle)).toEqual([]);
      const verified = verifyBundleSignature(bundle, { trust: testTrust(), at: new Date('2026-03-02T10:00:01Z'), expectedSigner: { email: 'gateway@txgate.localhost' } });
      expect(verified.ok, JSON.stringify(verified)).toBe(true);
    }
  });

  it('leaves the Bundles unsigned without a signer', () => {
    const attachments = buildDialectAttachments(request, { from: 'serena.shrink@cabinet.mssante.fr' }, answer);
    expect(attachments.map((a) => JSON.parse(a.data.toString('utf8')).signature)).toEqual([undefined, undefined]);
  });
});
