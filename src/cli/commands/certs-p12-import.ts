import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importPkcs12 } from '../../pki/pkcs12.ts';
import { requiredOption, runReportingFailure, writeCertificates, writePrivateKey } from '../cert-files.ts';
import { str, type Command } from '../command.ts';

export const certsP12ImportCommand: Command = {
  path: ['certs', 'p12-import'],
  summary: 'extract the key, certificate and CA certificates of a PKCS#12 file',
  details: `Reads PKCS#12 files from OpenSSL (3 and -legacy), mail clients and txgate.
The key is written unencrypted (PKCS#8 PEM, mode 0600).
Exit codes: 0 written, 1 failure (wrong password included), 2 usage error.`,
  options: {
    in: { type: 'string', value: 'FILE', description: 'the PKCS#12 file', required: true },
    password: { type: 'string', value: 'PW', description: 'its password', required: true },
    'out-key': { type: 'string', value: 'FILE', description: 'where to write the private key', required: true },
    'out-cert': { type: 'string', value: 'FILE', description: "where to write the key's certificate (PEM)", required: true },
    'out-chain': { type: 'string', value: 'FILE', description: 'where to write the other certificates (PEM)' },
  },
  async run(values, _positionals, io) {
    const input = requiredOption(values, 'in');
    const password = requiredOption(values, 'password');
    const outKey = requiredOption(values, 'out-key');
    const outCert = requiredOption(values, 'out-cert');
    const outChain = str(values, 'out-chain');
    return runReportingFailure('certs p12-import', io, () => {
      let data: Buffer;
      try {
        data = readFileSync(input);
      } catch (err) {
        throw new Error(`cannot read ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const p12 = importPkcs12(data, password);
      writePrivateKey(outKey, createPrivateKey(p12.keyPem));
      writeCertificates(outCert, [p12.cert]);
      if (outChain !== undefined) writeCertificates(outChain, p12.chain);
      else if (p12.chain.length > 0) io.stderr.write(`txgate certs p12-import: ${p12.chain.length} CA certificate(s) not written (no --out-chain)\n`);
      io.stdout.write(`wrote ${outKey} and ${outCert}${outChain !== undefined ? ` and ${outChain} (${p12.chain.length} certificates)` : ''}\n`);
      return 0;
    });
  },
};
