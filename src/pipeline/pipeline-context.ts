import type { KeyObject } from 'node:crypto';
import type { Certificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { CertificateDirectory } from '../directory/certificate-folder.ts';
import type { ContentCipher, KeyTransport } from '../smime/algorithms.ts';
import type { GatewayKey } from '../smime/gateway-key.ts';
import type { Practitioner } from '../domain/canonical-request.ts';
import type { Result } from '../errors/result.ts';
import type { StoredBlob } from '../payload/blob-store.ts';
import type { RulePack } from '../policy/rule-pack-schema.ts';
import type { PractitionerFacts } from '../policy/verdict.ts';
import type { OutboxRow } from '../store/outbox.ts';
import type { QuotaRange } from '../store/quota.ts';
import type { RequestRow } from '../store/requests.ts';

/** What the pipeline's stages need, injected: keys, trust, directory, clock, ids and read-only lookups. */
export interface PipelineContext {
  domain: string;
  gatewayAddress: string;
  /** decryption keys (several during a rollover); the first also signs what the gateway sends */
  keys: GatewayKey[];
  signer: { key: KeyObject; cert: Certificate; chain: Certificate[] };
  trust: TrustStore;
  open: { requireCrl: boolean; refuseSha1Certificates: boolean; cacheSigners: boolean };
  directory: CertificateDirectory;
  sealFor(address: string): { cipher: ContentCipher; keyTransport: KeyTransport };
  now(): Date;
  newId(prefix: string): string;
  findOutboxByMessageId(messageId: string): OutboxRow | undefined;
  /** the programme's rules */
  pack: RulePack;
  /** stores a document in the blob store (content-addressed: storing it twice is harmless) */
  storeDocument(bytes: Buffer): Result<StoredBlob>;
  findRequestByMessage(message: string): RequestRow | undefined;
  findRequestsBySenderRef(senderRef: string): RequestRow[];
  /** places taken in a quota window (read only: the place itself is taken in the step's transaction) */
  countQuotaPlaces(range: QuotaRange): number;
  /** what the directory knows of a professional the request names (profession, specialty, council…) */
  practitionerFacts(p: Practitioner): PractitionerFacts | undefined;
}
