import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { BIN } from '../helpers/paths.ts';

let base: string;

/** The environment without TXGATE_ variables, so that the caller's settings do not leak into the checks. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TXGATE_')));

function txgate(args: string[], env: NodeJS.ProcessEnv = ENV): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'txgate-init-'));
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('txgate init', () => {
  it('writes a configuration that config check accepts, and nothing else', () => {
    const dir = join(base, 'gw');
    const init = txgate(['init', '--dir', dir, '--domain', 'hopital.example']);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toContain(`txgate serve --config ${join(dir, 'txgate.json')}`);

    expect(readdirSync(dir).sort()).toEqual(['certificates', 'pki', 'txgate.json']);
    expect(readdirSync(join(dir, 'pki')).sort()).toEqual(['ca.crt.pem', 'ca.key.pem', 'gateway.crt.pem', 'gateway.key.pem']);
    expect(readdirSync(join(dir, 'certificates'))).toEqual(['README.txt']);
    expect(statSync(join(dir, 'pki', 'gateway.key.pem')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'txgate.db'))).toBe(false);

    // every default written out, paths relative
    const written = JSON.parse(readFileSync(join(dir, 'txgate.json'), 'utf8')) as unknown;
    expect(written).toEqual(ConfigSchema.parse({ domain: 'hopital.example' }));
    expect((written as { tls: { key: string } }).tls.key).toBe('pki/gateway.key.pem');

    const loaded = loadConfig(join(dir, 'txgate.json'), {});
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.value.addresses).toEqual(['gateway@hopital.example']);

    const check = txgate(['config', 'check', '--config', join(dir, 'txgate.json')]);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const [first, ...rest] = check.stdout.split('\n');
    expect(first).toBe('ok');
    const effective = JSON.parse(rest.join('\n')) as { domain: string; database: { path: string }; configFile: string };
    expect(effective.domain).toBe('hopital.example');
    expect(effective.database.path).toBe(join(dir, 'txgate.db'));
    expect(effective.configFile).toBe(join(dir, 'txgate.json'));
  });

  it('refuses to overwrite an existing configuration without --force (exit 1, one line), and overwrites with it', () => {
    const dir = join(base, 'twice');
    expect(txgate(['init', '--dir', dir]).status).toBe(0);
    const before = readFileSync(join(dir, 'pki', 'gateway.crt.pem'), 'utf8');
    const again = txgate(['init', '--dir', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`txgate init: ${join(dir, 'txgate.json')} exists: use --force to overwrite it\n`);
    expect(readFileSync(join(dir, 'pki', 'gateway.crt.pem'), 'utf8')).toBe(before);
    const forced = txgate(['init', '--dir', dir, '--force']);
    expect(forced.status).toBe(0);
    expect(readFileSync(join(dir, 'pki', 'gateway.crt.pem'), 'utf8')).not.toBe(before);
  });

  it('answers --help', () => {
    const r = txgate(['init', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: txgate init');
    expect(r.stdout).toContain('--dir DIR');
  });

  it.each([
    ['a missing --dir', ['init']],
    ['an unknown option', ['init', '--dir', 'x', '--bogus']],
    ['a domain that is not one', ['init', '--dir', 'x', '--domain', 'not a domain']],
  ])('exits 2 on a usage error: %s', (_name, args) => {
    const r = txgate(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Run 'txgate init --help'.");
  });
});

describe('txgate config check', () => {
  it('lists every problem one per line and exits 1', () => {
    const dir = join(base, 'broken');
    expect(txgate(['init', '--dir', dir]).status).toBe(0);
    rmSync(join(dir, 'pki', 'ca.crt.pem'));
    const r = txgate(['config', 'check', '--config', join(dir, 'txgate.json')], { ...ENV, TXGATE_SMTP_PORT: '70000', TXGATE_SMTP_PROT: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'config TXGATE_SMTP_PROT: names no setting (did you mean TXGATE_SMTP_PORT?)',
      'config smtp.port: must be ≤ 65535 (set by TXGATE_SMTP_PORT)',
      `config smime.trust.0.path: ${join(dir, 'pki', 'ca.crt.pem')} does not exist`,
    ]);
  });

  it('takes the file from TXGATE_CONFIG when --config is absent', () => {
    const dir = join(base, 'from-env');
    expect(txgate(['init', '--dir', dir]).status).toBe(0);
    const r = txgate(['config', 'check'], { ...ENV, TXGATE_CONFIG: join(dir, 'txgate.json') });
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('ok\n')).toBe(true);
  });

  it('exits 2 without a configuration file', () => {
    const r = txgate(['config', 'check']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('give --config FILE (or set TXGATE_CONFIG)');
  });
});
