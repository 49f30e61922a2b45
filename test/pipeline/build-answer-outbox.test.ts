/** The answer in a FHIR request's dialect, by mail: the Task, and the opinion's document Bundle signed by the gateway. */
import { describe, expect, it } from 'vitest';
import { AnswerSchema } from '../../src/domain/answer.ts';
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
  it('signs the opinion document Bundle with the gateway key, verifiable against the anchors', () => {
    const key = gatewayKey();
    const attachments = buildDialectAttachments(request, { from: 'serena.shrink@cabinet.mssante.fr' }, answer, { key: key.key, cert: key.cert, chain: [] }, 'gateway@txgate.localhost');
    expect(attachments.map((a) => a.name)).toEqual(['task.json', 'opinion.json']);
    const opinion = JSON.parse(attachments[1]!.data.toString('utf8')) as Record<string, unknown>;
    const verified = verifyBundleSignature(opinion, { trust: testTrust(), at: new Date('2026-03-02T10:00:01Z'), expectedSigner: { email: 'gateway@txgate.localhost' } });
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
  });

  it('leaves the Bundle unsigned without a signer', () => {
    const attachments = buildDialectAttachments(request, { from: 'serena.shrink@cabinet.mssante.fr' }, answer);
    expect(JSON.parse(attachments[1]!.data.toString('utf8')).signature).toBeUndefined();
  });
});
