import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigObjectSchema, ConfigSchema } from '../../config/config-schema.ts';
import { formatProblems, loadConfig } from '../../config/load-config.ts';
import { createDevPki, writeDevPki } from '../../pki/create-dev-pki.ts';
import { runReportingFailure } from '../cert-files.ts';
import { flag, str, UsageError, type Command } from '../command.ts';

const CERTIFICATES_README = `Recipients' certificates
========================

Put here the S/MIME certificates of the people and services the gateway sends to (forwarded requests,
opinions, notifications): PEM files, one or more certificates each (the leaf first, then its chain if you
have it). The gateway picks the certificate bound to each recipient address (rfc822Name, or a dNSName for
Direct domain-bound certificates) and encrypts for it.

Private keys never go here.
`;

/** The files init writes besides the certificates folder, relative to DIR. */
const PKI_FILES = ['pki/ca.crt.pem', 'pki/ca.key.pem', 'pki/gateway.crt.pem', 'pki/gateway.key.pem'];

export const initCommand: Command = {
  path: ['init'],
  summary: 'write a complete working configuration with a development PKI into a folder',
  details: `Writes DIR/txgate.json (every setting written out with its default, paths relative to DIR),
a development PKI in DIR/pki/ (CA, and the gateway certificate for S/MIME and TLS, keys mode 0600), and
DIR/certificates/ for recipients' certificates. The database is created at first start.
The development PKI is for trying txgate out, never for production.
Exit codes: 0 written, 1 failure (DIR/txgate.json exists and no --force), 2 usage error.`,
  options: {
    dir: { type: 'string', value: 'DIR', description: 'the folder to write the configuration into (created if missing)', required: true },
    domain: { type: 'string', value: 'DOMAIN', description: "the mail domain the gateway hosts (default 'txgate.localhost')" },
    force: { type: 'boolean', description: 'overwrite an existing configuration and development PKI' },
  },
  async run(values, _positionals, io) {
    const dir = str(values, 'dir')!;
    if (dir === '') throw new UsageError('--dir must not be empty');
    const domainText = str(values, 'domain');
    const domain = ConfigObjectSchema.shape.domain.safeParse(domainText);
    if (!domain.success) throw new UsageError(`--domain '${domainText}' is not a domain name`);
    return runReportingFailure('init', io, () => {
      const configPath = join(dir, 'txgate.json');
      if (!flag(values, 'force')) {
        const existing = ['txgate.json', ...PKI_FILES].map((f) => join(dir, f)).find((f) => existsSync(f));
        if (existing) throw new Error(`${existing} exists: use --force to overwrite it`);
      }
      const config = ConfigSchema.parse({ domain: domain.data });
      const pki = createDevPki({ domain: config.domain, people: [] });
      const written = writeDevPki(pki, join(dir, 'pki'));
      // writeFileSync keeps the mode of a file it overwrites (--force): the keys are the owner's only
      for (const { key } of Object.values(written)) chmodSync(key, 0o600);
      const certificatesDir = join(dir, 'certificates');
      mkdirSync(certificatesDir, { recursive: true });
      writeFileSync(join(certificatesDir, 'README.txt'), CERTIFICATES_README);
      writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
      // what init writes must load: checked without the environment's overrides
      const loaded = loadConfig(configPath, {});
      if (!loaded.ok) throw new Error(`the written configuration does not load: ${formatProblems(loaded.problems).replace(/\n/g, '; ')}`);
      io.stdout.write(
        [
          `wrote ${configPath} (domain ${config.domain}, gateway address ${config.gatewayAddress})`,
          `wrote ${written.ca!.cert} and ${written.ca!.key} (development CA, never for production)`,
          `wrote ${written.gateway!.cert} and ${written.gateway!.key} (the gateway: S/MIME and TLS)`,
          `wrote ${join(certificatesDir, 'README.txt')} (put recipients' certificates in ${certificatesDir})`,
          '',
          'next:',
          `  txgate config check --config ${configPath}`,
          `  txgate serve --config ${configPath}`,
          '',
        ].join('\n'),
      );
      return 0;
    });
  },
};
