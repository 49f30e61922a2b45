import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { envNameFor, listSettings } from '../../src/config/env-overrides.ts';
import { formatProblems, loadConfig, selectConfigFile, type LoadedConfig } from '../../src/config/load-config.ts';
import type { Problem } from '../../src/errors/result.ts';

let dir: string;

/** Writes a configuration file (text or an object as JSON) into a fresh sub-folder with the default PKI files. */
function writeConfig(content: unknown, name = `case-${Math.random().toString(36).slice(2)}`): string {
  const caseDir = join(dir, name);
  mkdirSync(join(caseDir, 'pki'), { recursive: true });
  for (const f of ['gateway.key.pem', 'gateway.crt.pem', 'ca.crt.pem']) writeFileSync(join(caseDir, 'pki', f), 'placeholder\n');
  const file = join(caseDir, 'txgate.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function load(content: unknown, env: Record<string, string> = {}): { config?: LoadedConfig; problems: Problem[]; file: string } {
  const file = writeConfig(content);
  const r = loadConfig(file, env);
  return r.ok ? { config: r.value, problems: [], file } : { problems: r.problems, file };
}

function loaded(content: unknown, env: Record<string, string> = {}): LoadedConfig {
  const r = load(content, env);
  if (!r.config) throw new Error(`expected the configuration to load: ${formatProblems(r.problems)}`);
  return r.config;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'txgate-config-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig: defaults', () => {
  it('applies every default to an empty file, addresses derived from the domain', () => {
    const { config, file } = load({});
    expect(config).toBeDefined();
    const base = join(file, '..');
    expect(config!.configFile).toBe(file);
    expect(config!.baseDir).toBe(base);
    expect(config!.domain).toBe('txgate.localhost');
    expect(config!.addresses).toEqual(['gateway@txgate.localhost']);
    expect(config!.gatewayAddress).toBe('gateway@txgate.localhost');
    expect(config!.smtp).toEqual({
      enabled: true, host: '127.0.0.1', port: 2525, implicitTlsPort: null, requireTls: true, requireClientCert: false, maxMessageBytes: 26_214_400,
      maxRecipients: 50, maxConnections: 200, maxConnectionsPerClient: 20, maxMessagesPerClientPerMinute: 600, socketTimeoutMs: 60_000,
      greeting: 'txgate',
    });
    expect(config!.smime.seal).toEqual({ cipher: 'aes-256-cbc', keyTransport: 'rsa-oaep-sha256', byDomain: {} });
    expect(config!.outbound).toEqual({
      smartHost: null, routes: {}, retry: { initialDelayMs: 60_000, maxDelayMs: 3_600_000, giveUpAfterMs: 172_800_000 }, connectionTimeoutMs: 30_000,
    });
    expect(config!.notifications).toEqual({ mdnTimeoutMs: 3_600_000 });
    expect(config!.pipeline).toEqual({ workers: 2, maxAttempts: 5, leaseMs: 60_000, pollMs: 200, timerSweepMs: 30_000 });
    expect(config!.database.path).toBe(join(base, 'txgate.db'));
  });

  it('derives addresses and gatewayAddress from another domain', () => {
    const config = loaded({ domain: 'hopital.example' });
    expect(config.addresses).toEqual(['gateway@hopital.example']);
    expect(config.gatewayAddress).toBe('gateway@hopital.example');
  });

  it('fills the defaults of a relay given only its host', () => {
    const config = loaded({ outbound: { smartHost: { host: 'relay.example' } } });
    expect(config.outbound.smartHost).toEqual({ host: 'relay.example', port: 25, secure: false, requireTls: true, ca: [], clientCert: null });
  });
});

describe('loadConfig: problems', () => {
  const cases: { name: string; content: unknown; expected: Pick<Problem, 'code' | 'path'>[]; messages?: string[] }[] = [
    {
      name: 'lists a bad port, an unknown key and a missing file at once, each with its setting',
      content: { smtp: { port: 70000 }, bogus: true, smime: { crls: ['revoked.crl'] } },
      expected: [
        { code: 'CONFIG_INVALID', path: 'smtp.port' },
        { code: 'CONFIG_INVALID', path: 'bogus' },
        { code: 'CONFIG_FILE_MISSING', path: 'smime.crls.0' },
      ],
      messages: ['must be ≤ 65535', 'unknown setting'],
    },
    {
      name: 'refuses an unknown key inside a section',
      content: { smtp: { prot: 25 } },
      expected: [{ code: 'CONFIG_INVALID', path: 'smtp.prot' }],
    },
    {
      name: 'refuses a value of the wrong type, saying what was found',
      content: { smtp: { enabled: 'yes' }, pipeline: { workers: 1.5 } },
      expected: [
        { code: 'CONFIG_INVALID', path: 'smtp.enabled' },
        { code: 'CONFIG_INVALID', path: 'pipeline.workers' },
      ],
      messages: ['must be true or false, not the string "yes"', 'must be a whole number, not 1.5'],
    },
    {
      name: 'refuses a cipher outside the list',
      content: { smime: { seal: { cipher: 'des-ede3-cbc' } } },
      expected: [{ code: 'CONFIG_INVALID', path: 'smime.seal.cipher' }],
      messages: ['must be one of "aes-128-cbc", "aes-256-cbc", "aes-128-gcm", "aes-256-gcm"'],
    },
    {
      name: 'refuses an empty list of keys',
      content: { smime: { keys: [] } },
      expected: [{ code: 'CONFIG_INVALID', path: 'smime.keys' }],
      messages: ['must have at least 1 entry'],
    },
    {
      name: 'names a per-domain setting by its domain',
      content: { outbound: { routes: { 'peer.example': { port: 0 } } } },
      expected: [
        { code: 'CONFIG_INVALID', path: 'outbound.routes["peer.example"].host' },
        { code: 'CONFIG_INVALID', path: 'outbound.routes["peer.example"].port' },
      ],
      messages: ['is required', 'must be ≥ 1'],
    },
    {
      name: 'refuses an address off the domain',
      content: { domain: 'hopital.example', addresses: ['gateway@hopital.example', 'dr.b@clinique.example'] },
      expected: [{ code: 'CONFIG_INVALID', path: 'addresses.1' }],
      messages: ['dr.b@clinique.example is not on domain hopital.example'],
    },
    {
      name: 'refuses a gateway address off the domain',
      content: { domain: 'hopital.example', gatewayAddress: 'gateway@clinique.example' },
      expected: [{ code: 'CONFIG_INVALID', path: 'gatewayAddress' }],
    },
    {
      name: 'refuses a gateway address that is not one of the addresses',
      content: { domain: 'hopital.example', addresses: ['mssante@hopital.example'] },
      expected: [{ code: 'CONFIG_INVALID', path: 'gatewayAddress' }],
      messages: ['gateway@hopital.example is not one of addresses (mssante@hopital.example): add it to addresses or choose one of them'],
    },
    {
      name: 'lists address problems together with a problem that stops the parse early',
      content: { domain: 'hopital.example', addresses: ['gateway@clinique.example'], gatewayAddress: 'gateway@clinique.example', pipeline: { workers: 2.5 } },
      expected: [
        { code: 'CONFIG_INVALID', path: 'pipeline.workers' },
        { code: 'CONFIG_INVALID', path: 'addresses.0' },
        { code: 'CONFIG_INVALID', path: 'gatewayAddress' },
      ],
    },
    {
      name: 'refuses a malformed address and domain',
      content: { domain: 'not a domain', addresses: ['nobody'] },
      expected: [
        { code: 'CONFIG_INVALID', path: 'domain' },
        { code: 'CONFIG_INVALID', path: 'addresses.0' },
      ],
    },
    {
      name: 'checks the files of the sections that are valid while others are not',
      content: { smtp: { port: -1 }, tls: { key: 'pki/none.key.pem' }, smime: { trust: [{ path: 'anchors' }] }, outbound: { smartHost: { host: 'relay.example', ca: ['relay-ca.pem'] } } },
      expected: [
        { code: 'CONFIG_INVALID', path: 'smtp.port' },
        { code: 'CONFIG_FILE_MISSING', path: 'tls.key' },
        { code: 'CONFIG_FILE_MISSING', path: 'smime.trust.0.path' },
        { code: 'CONFIG_FILE_MISSING', path: 'outbound.smartHost.ca.0' },
      ],
    },
    {
      name: 'refuses a folder where a file is expected, and accepts a trust folder',
      content: { smime: { crls: ['pki'], trust: [{ path: 'pki' }] } },
      expected: [{ code: 'CONFIG_FILE_MISSING', path: 'smime.crls.0' }],
    },
    {
      name: 'refuses a file that is not a JSON object',
      content: '[1, 2]',
      expected: [{ code: 'CONFIG_INVALID', path: '' }],
      messages: ['must be a JSON object, not an array'],
    },
    {
      name: 'gives the line and column of a JSON syntax error',
      content: '{\n  "smtp": {\n    "port": 25,\n  }\n}\n',
      expected: [{ code: 'CONFIG_INVALID', path: '' }],
      messages: ["not valid JSON at line 4, column 3: expected a property name in double quotes, found '}'"],
    },
    {
      name: 'gives the position of a truncated file',
      content: '{\n  "domain": "hopital.example"',
      expected: [{ code: 'CONFIG_INVALID', path: '' }],
      messages: ["not valid JSON at line 2, column 30: expected ',' or '}' after a property value, found the end of the file"],
    },
  ];

  it.each(cases)('$name', ({ content, expected, messages }) => {
    const { config, problems } = load(content);
    expect(config).toBeUndefined();
    expect(problems.map(({ code, path }) => ({ code, path }))).toEqual(expected);
    for (const m of messages ?? []) expect(problems.map((p) => p.message)).toContain(m);
  });

  it('reports a missing configuration file', () => {
    const r = loadConfig(join(dir, 'nowhere', 'txgate.json'), {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([{ code: 'CONFIG_FILE_MISSING', path: '', message: `${join(dir, 'nowhere', 'txgate.json')} does not exist` }]);
  });

  it('formats problems one per line, naming the setting', () => {
    expect(
      formatProblems([
        { code: 'CONFIG_INVALID', path: 'smtp.port', message: 'must be ≤ 65535' },
        { code: 'CONFIG_INVALID', path: '', message: 'not valid JSON at line 1, column 1: expected a value, found the end of the file' },
      ]),
    ).toBe('config smtp.port: must be ≤ 65535\nconfig: not valid JSON at line 1, column 1: expected a value, found the end of the file');
  });
});

describe('loadConfig: environment overrides', () => {
  const cases: { name: string; env: Record<string, string>; check: (c: LoadedConfig) => unknown; expected: unknown }[] = [
    { name: 'a number', env: { TXGATE_SMTP_MAX_MESSAGE_BYTES: '1048576' }, check: (c) => c.smtp.maxMessageBytes, expected: 1_048_576 },
    { name: 'a number in a nested section', env: { TXGATE_NOTIFICATIONS_MDN_TIMEOUT_MS: '5000' }, check: (c) => c.notifications.mdnTimeoutMs, expected: 5000 },
    { name: 'a boolean', env: { TXGATE_SMTP_ENABLED: 'false' }, check: (c) => c.smtp.enabled, expected: false },
    { name: 'a port in a number-or-null setting', env: { TXGATE_SMTP_IMPLICIT_TLS_PORT: '465' }, check: (c) => c.smtp.implicitTlsPort, expected: 465 },
    {
      name: 'a JSON array',
      env: { TXGATE_ADDRESSES: '["gateway@txgate.localhost","ops@txgate.localhost"]' },
      check: (c) => c.addresses,
      expected: ['gateway@txgate.localhost', 'ops@txgate.localhost'],
    },
    { name: 'a string', env: { TXGATE_SMTP_GREETING: 'hello from txgate' }, check: (c) => c.smtp.greeting, expected: 'hello from txgate' },
    { name: 'a string setting whose text looks like a number stays text', env: { TXGATE_SMTP_GREETING: '2024' }, check: (c) => c.smtp.greeting, expected: '2024' },
    { name: 'an enum', env: { TXGATE_SMIME_SEAL_CIPHER: 'aes-128-gcm' }, check: (c) => c.smime.seal.cipher, expected: 'aes-128-gcm' },
    { name: 'a path, resolved against the file folder', env: { TXGATE_DATABASE_PATH: 'state/db.sqlite' }, check: (c) => c.database.path, expected: (c: LoadedConfig) => join(c.baseDir, 'state', 'db.sqlite') },
    {
      name: 'a setting inside a section that the file leaves null',
      env: { TXGATE_OUTBOUND_SMART_HOST_HOST: 'relay.example' },
      check: (c) => c.outbound.smartHost?.host,
      expected: 'relay.example',
    },
    {
      name: 'a whole section as JSON, a deeper variable winning over it',
      env: { TXGATE_SMTP: '{"port":2600,"host":"0.0.0.0"}', TXGATE_SMTP_PORT: '2601' },
      check: (c) => [c.smtp.host, c.smtp.port, c.smtp.greeting],
      expected: ['0.0.0.0', 2601, 'txgate'],
    },
    {
      name: 'variables that are not settings are left alone',
      env: { TXGATE_CONFIG: '/etc/txgate.json', TXGATE_DEBUG: '1', TXGATE_BENCH_ROUNDS: '3', OTHER_VAR: 'x' },
      check: (c) => c.smtp.port,
      expected: 2525,
    },
  ];

  it.each(cases)('applies $name', ({ env, check, expected }) => {
    const config = loaded({ smtp: { port: 2525 } }, env);
    expect(check(config)).toEqual(typeof expected === 'function' ? (expected as (c: LoadedConfig) => unknown)(config) : expected);
  });

  it('applies null', () => {
    expect(loaded({ smtp: { implicitTlsPort: 465 } }, { TXGATE_SMTP_IMPLICIT_TLS_PORT: 'null' }).smtp.implicitTlsPort).toBeNull();
  });

  it('wins over the file', () => {
    expect(loaded({ smtp: { port: 2700 } }, { TXGATE_SMTP_PORT: '2701' }).smtp.port).toBe(2701);
  });

  it('refuses a misspelt TXGATE_ variable, suggesting the setting', () => {
    const { problems } = load({}, { TXGATE_SMTP_PROT: '25' });
    expect(problems).toEqual([{ code: 'CONFIG_INVALID', path: 'TXGATE_SMTP_PROT', message: 'names no setting (did you mean TXGATE_SMTP_PORT?)' }]);
  });

  it('says which variable set a refused value', () => {
    const { problems } = load({}, { TXGATE_SMTP_PORT: '70000' });
    expect(problems).toEqual([{ code: 'CONFIG_INVALID', path: 'smtp.port', message: 'must be ≤ 65535 (set by TXGATE_SMTP_PORT)' }]);
  });

  it('maps setting paths to variable names by splitting camelCase', () => {
    expect(envNameFor(['smtp', 'maxMessageBytes'])).toBe('TXGATE_SMTP_MAX_MESSAGE_BYTES');
    expect(envNameFor(['database', 'path'])).toBe('TXGATE_DATABASE_PATH');
    expect(envNameFor(['notifications', 'mdnTimeoutMs'])).toBe('TXGATE_NOTIFICATIONS_MDN_TIMEOUT_MS');
    expect(envNameFor(['outbound', 'smartHost', 'requireTls'])).toBe('TXGATE_OUTBOUND_SMART_HOST_REQUIRE_TLS');
    const names = listSettings().map((s) => s.envName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('TXGATE_SMTP_IMPLICIT_TLS_PORT');
  });

  it('takes the configuration file from --config, else TXGATE_CONFIG', () => {
    expect(selectConfigFile('a.json', { TXGATE_CONFIG: 'b.json' })).toBe('a.json');
    expect(selectConfigFile(undefined, { TXGATE_CONFIG: 'b.json' })).toBe('b.json');
    expect(selectConfigFile(undefined, {})).toBeUndefined();
  });
});

describe('loadConfig: paths', () => {
  it('resolves relative paths against the folder of the file, not the working directory', () => {
    const file = writeConfig({}, 'paths-case');
    const shared = join(dir, 'shared');
    mkdirSync(shared, { recursive: true });
    writeFileSync(join(shared, 'extra-ca.pem'), 'placeholder\n');
    writeFileSync(join(shared, 'relay.crt.pem'), 'placeholder\n');
    writeFileSync(join(file, '..', 'txgate.json'), JSON.stringify({
      database: { path: 'data/txgate.db' },
      tls: { ca: ['../shared/extra-ca.pem'] },
      certificates: { dir: 'certs' },
      outbound: { routes: { 'peer.example': { host: 'mx.peer.example', ca: [join(shared, 'relay.crt.pem')] } } },
    }));
    const r = loadConfig(file, {});
    if (!r.ok) throw new Error(formatProblems(r.problems));
    const base = join(dir, 'paths-case');
    expect(r.value.database.path).toBe(join(base, 'data', 'txgate.db'));
    expect(r.value.tls).toEqual({ cert: join(base, 'pki', 'gateway.crt.pem'), key: join(base, 'pki', 'gateway.key.pem'), ca: [join(shared, 'extra-ca.pem')] });
    expect(r.value.smime.keys).toEqual([{ key: join(base, 'pki', 'gateway.key.pem'), cert: join(base, 'pki', 'gateway.crt.pem') }]);
    expect(r.value.smime.trust).toEqual([{ path: join(base, 'pki', 'ca.crt.pem') }]);
    expect(r.value.certificates.dir).toBe(join(base, 'certs'));
    expect(r.value.outbound.routes['peer.example']!.ca).toEqual([join(shared, 'relay.crt.pem')]);
  });

  it('gives the same configuration as the schema, paths aside', () => {
    const config = loaded({});
    const parsed = ConfigSchema.parse({});
    expect(config.smtp).toEqual(parsed.smtp);
    expect(config.smime.seal).toEqual(parsed.smime.seal);
  });
});
