/**
 * The files a configuration names: resolved against the configuration file's folder, and checked to exist and
 * be readable before the daemon starts (keys, certificates, trust anchors, CRLs, TLS and relay files).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Problem } from '../errors/result.ts';
import type { Config } from './config-schema.ts';
import { formatSettingPath } from './issue-problems.ts';

type Relay = NonNullable<Config['outbound']['smartHost']>;

/** The sections that name files the daemon reads. */
export type FileSections = Partial<Pick<Config, 'tls' | 'smime' | 'outbound' | 'billing'>>;

export interface NamedFile {
  /** the setting, dotted: smime.keys.0.cert */
  setting: string;
  /** as written in the configuration (relative or absolute) */
  file: string;
  /** a folder is accepted too (trust anchors) */
  folderAllowed: boolean;
}

function relayFiles(relay: Relay, at: (string | number)[]): NamedFile[] {
  const out = relay.ca.map((file, i) => ({ setting: formatSettingPath([...at, 'ca', i]), file, folderAllowed: false }));
  if (relay.clientCert) {
    out.push({ setting: formatSettingPath([...at, 'clientCert', 'cert']), file: relay.clientCert.cert, folderAllowed: false });
    out.push({ setting: formatSettingPath([...at, 'clientCert', 'key']), file: relay.clientCert.key, folderAllowed: false });
  }
  return out;
}

/** Every file the given sections name, with its setting. */
export function listConfigFiles(sections: FileSections): NamedFile[] {
  const out: NamedFile[] = [];
  const add = (path: (string | number)[], file: string, folderAllowed = false) => out.push({ setting: formatSettingPath(path), file, folderAllowed });
  if (sections.tls) {
    add(['tls', 'cert'], sections.tls.cert);
    add(['tls', 'key'], sections.tls.key);
    sections.tls.ca.forEach((f, i) => add(['tls', 'ca', i], f));
  }
  if (sections.smime) {
    sections.smime.keys.forEach((k, i) => {
      add(['smime', 'keys', i, 'key'], k.key);
      add(['smime', 'keys', i, 'cert'], k.cert);
    });
    sections.smime.trust.forEach((t, i) => add(['smime', 'trust', i, 'path'], t.path, true));
    sections.smime.crls.forEach((f, i) => add(['smime', 'crls', i], f));
  }
  if (sections.outbound) {
    if (sections.outbound.smartHost) out.push(...relayFiles(sections.outbound.smartHost, ['outbound', 'smartHost']));
    for (const [domain, relay] of Object.entries(sections.outbound.routes)) out.push(...relayFiles(relay, ['outbound', 'routes', domain]));
  }
  if (sections.billing?.enabled) {
    const insurer = sections.billing.insurer;
    insurer.ca.forEach((f, i) => add(['billing', 'insurer', 'ca', i], f));
    if (insurer.clientCert) {
      add(['billing', 'insurer', 'clientCert', 'cert'], insurer.clientCert.cert);
      add(['billing', 'insurer', 'clientCert', 'key'], insurer.clientCert.key);
    }
  }
  return out;
}

/** Problems (CONFIG_FILE_MISSING) for the named files that are missing, unreadable or of the wrong kind. */
export function checkConfigFiles(files: readonly NamedFile[], baseDir: string): Problem[] {
  const problems: Problem[] = [];
  for (const { setting, file, folderAllowed } of files) {
    const full = resolve(baseDir, file);
    const problem = (message: string) => problems.push({ code: 'CONFIG_FILE_MISSING', path: setting, message });
    try {
      const st = statSync(full);
      if (st.isDirectory() && !folderAllowed) {
        problem(`${full} is a folder, not a file`);
        continue;
      }
      accessSync(full, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problem(code === 'ENOENT' || code === 'ENOTDIR' ? `${full} does not exist` : `cannot read ${full} (${code ?? (err as Error).message})`);
    }
  }
  return problems;
}

function absolute(baseDir: string, file: string): string {
  return isAbsolute(file) ? file : resolve(baseDir, file);
}

function resolveRelay(relay: Relay, baseDir: string): Relay {
  return {
    ...relay,
    ca: relay.ca.map((f) => absolute(baseDir, f)),
    clientCert: relay.clientCert ? { cert: absolute(baseDir, relay.clientCert.cert), key: absolute(baseDir, relay.clientCert.key) } : null,
  };
}

/** A copy of the configuration with every path absolute (relative ones taken from baseDir). */
export function resolveConfigPaths(config: Config, baseDir: string): Config {
  const abs = (f: string) => absolute(baseDir, f);
  return {
    ...config,
    database: { ...config.database, path: abs(config.database.path) },
    tls: { ...config.tls, cert: abs(config.tls.cert), key: abs(config.tls.key), ca: config.tls.ca.map(abs) },
    smime: {
      ...config.smime,
      keys: config.smime.keys.map((k) => ({ key: abs(k.key), cert: abs(k.cert) })),
      trust: config.smime.trust.map((t) => ({ ...t, path: abs(t.path) })),
      crls: config.smime.crls.map(abs),
    },
    certificates: { ...config.certificates, dir: abs(config.certificates.dir) },
    blobs: { ...config.blobs, dir: abs(config.blobs.dir) },
    // a pack is a shipped name, or a file (a path: it has a folder separator or ends in .json)
    policy: { ...config.policy, pack: /[\\/]|\.json$/i.test(config.policy.pack) ? abs(config.policy.pack) : config.policy.pack },
    outbound: {
      ...config.outbound,
      smartHost: config.outbound.smartHost ? resolveRelay(config.outbound.smartHost, baseDir) : null,
      routes: Object.fromEntries(Object.entries(config.outbound.routes).map(([d, r]) => [d, resolveRelay(r, baseDir)])),
    },
    billing: {
      ...config.billing,
      insurer: {
        ...config.billing.insurer,
        ca: config.billing.insurer.ca.map(abs),
        clientCert: config.billing.insurer.clientCert ? { cert: abs(config.billing.insurer.clientCert.cert), key: abs(config.billing.insurer.clientCert.key) } : null,
      },
    },
  };
}
