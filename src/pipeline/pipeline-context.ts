import type { KeyObject } from 'node:crypto';
import type { Certificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { CertificateDirectory } from '../directory/certificate-folder.ts';
import type { ContentCipher, KeyTransport } from '../smime/algorithms.ts';
import type { GatewayKey } from '../smime/gateway-key.ts';
import type { Coding, Identifier, Practitioner } from '../domain/canonical-request.ts';
import type { ExpertCandidate } from '../routing/route-request.ts';
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
  /** the directory's entry of a professional the request names (by identifiers, then address) */
  practitioner(p: Pick<Practitioner, 'identifiers' | 'address'>): DirectoryPerson | undefined;
  /** the experts routing may choose from: those of the given specialty codes, and those of the given ids */
  expertCandidates(q: { specialtyCodes: { system: string; code: string }[]; ids: string[]; day: string }): ExpertCandidate[];
  /** the hubs serving a spoke practitioner */
  hubsOf(practitionerId: string): string[];
  /** the addresses of a directory entry */
  addressesOf(practitionerId: string): string[];
  /** a certificate to encrypt for an address: the directory's, else the certificate folder's */
  encryptionCert(address: string, at: Date): Certificate | undefined;
  findRequest(id: string): RequestRow | undefined;
  excludedExperts(requestId: string): string[];
  /** the routing decisions recorded for a request, oldest first (the incidents of the record for the patient file) */
  routingDecisions(requestId: string): { at: Date; outcome: string; expert: string | undefined; reason: string }[];
  findEarlierAnswered(senderRef: string, before: Date): RequestRow | undefined;
  /** the opened content of a message (the request's mail, to forward its payload and documents) */
  requestContent(messageId: string): Buffer | undefined;
  latestOpinionVersion(requestId: string): number;
  /** a message's envelope and what the unwrap stage noted of it */
  messageSummary(messageId: string): { envelopeFrom: string; envelopeTo: string[]; messageId: string | undefined; summary: Record<string, unknown> | undefined } | undefined;
  /** [0, 1), for routing's ties */
  random(): number;
  /** billing, when enabled: the insurer named in the claims built when an opinion is delivered */
  billing?: { insurer: { name: string; identifier: { system: string; value: string } } };
}

/** A professional as the directory knows them. */
export interface DirectoryPerson {
  id: string;
  /** national identifiers (RPPS…): the billing numbers */
  identifiers: Identifier[];
  addresses: string[];
  profession?: Coding;
  specialties: Coding[];
  name?: { family?: string; given: string[]; prefix: string[] };
}
