import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, type Config, type ConfigInput } from '../../src/config/config-schema.ts';
import { CERTS } from './paths.ts';

/** A gateway configuration on the committed test PKI, with a fresh database, outbound mail to `sinkPort`. */
export function testGatewayConfig(sinkPort: number, overrides: Partial<ConfigInput> = {}): { config: Config; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'txgate-gw-'));
  mkdirSync(join(dir, 'certificates'));
  const relay = { host: '127.0.0.1', port: sinkPort, requireTls: true, ca: [join(CERTS, 'ca.crt.pem')], servername: 'localhost' };
  const input: ConfigInput = {
    domain: 'txgate.localhost',
    database: { path: join(dir, 'txgate.db') },
    smtp: { port: 0, maxMessageBytes: 200_000 },
    tls: { cert: join(CERTS, 'gateway.crt.pem'), key: join(CERTS, 'gateway.key.pem') },
    smime: {
      keys: [{ key: join(CERTS, 'gateway.key.pem'), cert: join(CERTS, 'gateway.crt.pem') }],
      trust: [{ path: join(CERTS, 'ca.crt.pem') }],
      crls: [join(CERTS, 'crl.pem'), join(CERTS, 'intermediate-crl.pem')],
    },
    certificates: { dir: join(dir, 'certificates') },
    blobs: { dir: join(dir, 'blobs') },
    outbound: { smartHost: relay, retry: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 60_000 }, connectionTimeoutMs: 5000 },
    pipeline: { pollMs: 20 },
    ops: { port: 0 },
    fhir: { port: 0 },
    ...overrides,
  };
  return { config: ConfigSchema.parse(input), dir };
}
