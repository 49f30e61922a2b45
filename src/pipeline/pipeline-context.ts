import type { KeyObject } from 'node:crypto';
import type { Certificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { CertificateDirectory } from '../directory/certificate-folder.ts';
import type { ContentCipher, KeyTransport } from '../smime/algorithms.ts';
import type { GatewayKey } from '../smime/gateway-key.ts';
import type { OutboxRow } from '../store/outbox.ts';

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
}
