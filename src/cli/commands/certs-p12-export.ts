import { exportPkcs12 } from '../../pki/pkcs12.ts';
import { readCertificateFile, readPrivateKeyFile, requiredOption, runReportingFailure, writeOutput } from '../cert-files.ts';
import { str, strs, type Command } from '../command.ts';

export const certsP12ExportCommand: Command = {
  path: ['certs', 'p12-export'],
  summary: 'bundle a key, its certificate and CA certificates into a PKCS#12 file',
  details: `The PKCS#12 file is protected like OpenSSL 3 does: PBES2 AES-256-CBC, HMAC-SHA-256 MAC.
Extra certificates after the first in --cert go with the chain.
Exit codes: 0 written, 1 failure, 2 usage error.`,
  options: {
    key: { type: 'string', value: 'FILE', description: 'the private key (PEM or DER PKCS#8)', required: true },
    cert: { type: 'string', value: 'FILE', description: 'its certificate (PEM or DER)', required: true },
    chain: { type: 'string', value: 'FILE', multiple: true, description: 'CA certificates to include' },
    password: { type: 'string', value: 'PW', description: 'the PKCS#12 password', required: true },
    name: { type: 'string', value: 'TEXT', description: 'the friendly name mail clients show' },
    out: { type: 'string', value: 'FILE', description: 'the PKCS#12 file to write (mode 0600)', required: true },
  },
  async run(values, _positionals, io) {
    const keyPath = requiredOption(values, 'key');
    const certPath = requiredOption(values, 'cert');
    const password = requiredOption(values, 'password');
    const out = requiredOption(values, 'out');
    return runReportingFailure('certs p12-export', io, () => {
      const key = readPrivateKeyFile(keyPath);
      const [cert, ...rest] = readCertificateFile(certPath);
      const chain = [...rest, ...strs(values, 'chain').flatMap(readCertificateFile)].map((c) => c.der);
      const friendlyName = str(values, 'name');
      writeOutput(out, exportPkcs12({ key, cert: cert!.der, chain, password, ...(friendlyName ? { friendlyName } : {}) }), 0o600);
      io.stdout.write(`wrote ${out}\n`);
      return 0;
    });
  },
};
