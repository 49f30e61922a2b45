import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildCertificate } from '../../pki/build-certificate.ts';
import { toPem } from '../../pki/certificate.ts';
import { generateRsaKey } from '../../pki/generate-rsa-key.ts';
import { addDays, intOption, requiredOption, runReportingFailure, validFrom, writeOutput, writePrivateKey } from '../cert-files.ts';
import { flag, str, type Command } from '../command.ts';

export const certsInitCaCommand: Command = {
  path: ['certs', 'init-ca'],
  summary: 'create a self-signed root CA (DIR/ca.crt.pem, DIR/ca.key.pem)',
  details: `Writes DIR/ca.crt.pem and DIR/ca.key.pem (unencrypted PKCS#8, mode 0600).
An existing DIR/ca.key.pem is kept unless --force is given.
Exit codes: 0 created, 1 failure, 2 usage error.`,
  options: {
    out: { type: 'string', value: 'DIR', description: 'folder to write the CA into', required: true },
    name: { type: 'string', value: 'CN', description: "the CA's common name (default 'txgate Root CA')" },
    org: { type: 'string', value: 'O', description: "the CA's organization (default 'txgate')" },
    country: { type: 'string', value: 'CC', description: 'two-letter country code' },
    days: { type: 'string', value: 'N', description: 'validity in days (default 3650)' },
    bits: { type: 'string', value: 'N', description: 'RSA key size: 2048, 3072 or 4096 (default 3072)' },
    force: { type: 'boolean', description: 'overwrite an existing CA' },
  },
  async run(values, _positionals, io) {
    const out = requiredOption(values, 'out');
    const days = intOption(values, 'days', 3650);
    const bits = intOption(values, 'bits', 3072, [2048, 3072, 4096]);
    return runReportingFailure('certs init-ca', io, () => {
      const certPath = join(out, 'ca.crt.pem');
      const keyPath = join(out, 'ca.key.pem');
      if (!flag(values, 'force') && existsSync(keyPath)) throw new Error(`${keyPath} exists: use --force to replace the CA`);
      const key = generateRsaKey(bits);
      const country = str(values, 'country');
      const notBefore = validFrom();
      const der = buildCertificate({
        subject: { cn: str(values, 'name') ?? 'txgate Root CA', o: str(values, 'org') ?? 'txgate', ...(country ? { c: country } : {}) },
        publicKey: key.publicKey,
        issuerKey: key.privateKey,
        profile: 'ca',
        notBefore,
        notAfter: addDays(notBefore, days),
      });
      writePrivateKey(keyPath, key.privateKey);
      writeOutput(certPath, toPem(der));
      io.stdout.write(`wrote ${certPath} and ${keyPath}\n`);
      return 0;
    });
  },
};
