import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigObjectSchema } from '../../src/config/config-schema.ts';
import { listSettings } from '../../src/config/env-overrides.ts';
import { DERIVED_MARK, OWN_DEFAULTS_MARK, REQUIRED_MARK, renderConfigReference } from '../../src/config/render-config-reference.ts';
import { KEY_TRANSPORTS, SEAL_CIPHERS } from '../../src/smime/algorithms.ts';
import { ROOT } from '../helpers/paths.ts';

const DOC = join(ROOT, 'docs', 'configuration.md');
const RENDERED = renderConfigReference();

interface Row {
  setting: string;
  type: string;
  default: string;
  env: string;
  description: string;
}

/** The rows of every table of the document, by setting path (backticks removed). */
function tableRows(markdown: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    expect(cells, line).toHaveLength(5);
    const [setting, type, dflt, env, description] = cells as [string, string, string, string, string];
    const path = setting.replace(/^`|`$/g, '');
    expect(rows.has(path), `${path} appears twice`).toBe(false);
    rows.set(path, { setting, type, default: dflt, env, description });
  }
  return rows;
}

const ROWS = tableRows(RENDERED);
const code = (text: string) => `\`${text}\``;

describe('docs/configuration.md', () => {
  it('equals what `npm run docs` writes now', () => {
    const onDisk = readFileSync(DOC, 'utf8');
    expect(onDisk === RENDERED, 'docs/configuration.md is out of date: run `npm run docs` and commit docs/configuration.md').toBe(true);
  });

  it('is deterministic', () => {
    expect(renderConfigReference()).toBe(RENDERED);
  });

  it('says how the file is found, checked and written', () => {
    for (const text of ['JSON', 'relative to the folder', 'TXGATE_CONFIG', 'txgate config check --config FILE', 'txgate init', 'environment variable']) {
      expect(RENDERED).toContain(text);
    }
  });

  it('has one section per top-level setting group, in the order of the schema', () => {
    const headings = RENDERED.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## `domain`, `addresses`, `gatewayAddress`, `mode`',
      ...['database', 'smtp', 'tls', 'smime', 'certificates', 'outbound', 'notifications', 'pipeline', 'blobs', 'policy', 'fhir', 'ops', 'billing'].map((k) => `## \`${k}\``),
    ]);
    expect(Object.keys(ConfigObjectSchema.shape)).toEqual(['domain', 'addresses', 'gatewayAddress', 'mode', ...headings.slice(1).map((h) => h.slice(4, -1))]);
  });

  it('lists every setting with its environment variable, and no other variable', () => {
    const settings = listSettings();
    for (const { path, envName } of settings) {
      const row = ROWS.get(path.join('.'));
      expect(row, `${path.join('.')} is missing`).toBeDefined();
      expect(row!.env).toBe(code(envName));
    }
    const withVariable = [...ROWS].filter(([, r]) => /^`TXGATE_[A-Z0-9_]+`$/.test(r.env)).map(([p]) => p);
    expect(withVariable.sort()).toEqual(settings.map((s) => s.path.join('.')).sort());
  });

  it('describes every row', () => {
    for (const [path, row] of ROWS) expect(row.description.length, path).toBeGreaterThan(10);
  });

  const oneOf = (values: readonly string[]) => `one of ${values.map(code).join(', ')}`;
  it.each<[string, Partial<Row>]>([
    ['domain', { type: 'string', default: code('"txgate.localhost"'), env: code('TXGATE_DOMAIN') }],
    ['addresses', { type: 'list of mail addresses', default: DERIVED_MARK, env: code('TXGATE_ADDRESSES') }],
    ['gatewayAddress', { type: 'mail address', default: DERIVED_MARK, env: code('TXGATE_GATEWAY_ADDRESS') }],
    ['smtp', { type: 'object', default: OWN_DEFAULTS_MARK, env: code('TXGATE_SMTP') }],
    ['smtp.port', { type: 'number', default: code('2525'), env: code('TXGATE_SMTP_PORT') }],
    ['smtp.implicitTlsPort', { type: 'number or null', default: code('null') }],
    ['smtp.greeting', { type: 'string', default: code('"txgate"') }],
    ['tls.ca', { type: 'list of strings', default: code('[]'), env: code('TXGATE_TLS_CA') }],
    ['smime.keys', { type: 'list of objects', default: code('[{"key":"pki/gateway.key.pem","cert":"pki/gateway.crt.pem"}]') }],
    ['smime.keys[].key', { type: 'string', default: REQUIRED_MARK, env: `${REQUIRED_MARK} (in ${code('TXGATE_SMIME_KEYS')})` }],
    ['smime.trust[].domains', { type: 'list of strings', default: 'not set' }],
    ['smime.seal.cipher', { type: oneOf(SEAL_CIPHERS), default: code('"aes-256-cbc"'), env: code('TXGATE_SMIME_SEAL_CIPHER') }],
    ['smime.seal.keyTransport', { type: oneOf(KEY_TRANSPORTS), default: code('"rsa-oaep-sha256"') }],
    ['smime.seal.byDomain', { type: 'map of domain → object', default: code('{}') }],
    ['smime.seal.byDomain.<domain>.cipher', { type: oneOf(SEAL_CIPHERS), default: DERIVED_MARK }],
    ['outbound.smartHost', { type: 'object or null', default: code('null'), env: code('TXGATE_OUTBOUND_SMART_HOST') }],
    ['outbound.smartHost.host', { type: 'string', default: REQUIRED_MARK, env: code('TXGATE_OUTBOUND_SMART_HOST_HOST') }],
    ['outbound.smartHost.clientCert', { type: 'object or null', default: code('null') }],
    ['outbound.routes', { type: 'map of domain → object', default: code('{}'), env: code('TXGATE_OUTBOUND_ROUTES') }],
    ['outbound.routes.<domain>.host', { type: 'string', default: REQUIRED_MARK, env: `${REQUIRED_MARK} (in ${code('TXGATE_OUTBOUND_ROUTES')})` }],
    ['outbound.routes.<domain>.port', { type: 'number', default: code('25') }],
    ['outbound.retry', { type: 'object', default: OWN_DEFAULTS_MARK, env: code('TXGATE_OUTBOUND_RETRY') }],
    ['pipeline.workers', { type: 'number', default: code('2'), env: code('TXGATE_PIPELINE_WORKERS') }],
  ])('row %s', (path, expected) => {
    const row = ROWS.get(path);
    expect(row, `${path} is missing`).toBeDefined();
    expect(row).toMatchObject(expected);
  });

  it('keeps the generated text safe in a table (no raw HTML tags from the descriptions)', () => {
    expect(ROWS.get('addresses')!.description).toContain('gateway@\\<domain>');
  });
});
